"""The digest's organisation section, for directors: each team below them in one line, in
alphabetical order, with the opening for the 1:1 with its manager and a link to `/org/{team}`.

The numbers are the organisation page's (`dashboards.reports.org` over the digest's week), so
the email and the page agree; anonymous flags are counted only from three in a category.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core import access
from app.core.access import Viewer
from app.core.models import Person
from app.core.settings import Settings
from dashboards.periods import Period
from dashboards.reports import org_view
from dashboards.reports.org import TeamNumbers, org_numbers
from dashboards.talking_points.org import team_points
from dashboards.talking_points.units import duration
from dashboards.talking_points.wording import plural


@dataclass(frozen=True)
class OrgLine:
    team: str
    manager: str | None
    text: str  # "first review 5 h (usual 3 h); 2 PRs waiting now; 12 h lost to waiting; ..."
    point: str | None  # the opening for the 1:1 with the team's manager
    url: str  # the team's part of the organisation page


def org_lines(
    session: Session,
    person: Person,
    start: datetime,
    end: datetime,
    now: datetime,
    settings: Settings,
) -> list[OrgLine]:
    """One line per team below a director; nothing for a manager of one team."""
    assert person.id is not None
    viewer = Viewer(person.id, person.login)
    if not org_view.is_director(session, viewer):
        return []
    teams = org_view.in_order(session, access.managed_teams(session, viewer))
    columns, _ = org_view.columns_and_groups(session, teams)
    week = Period("week", "this week", start, min(end, now))
    numbers = org_numbers(session, columns, week, now, settings)
    managers = org_view.manager_names(session, columns)
    base = settings.base_url.rstrip("/")
    lines = []
    for team, found in zip(columns, numbers.teams, strict=True):
        url = f"{base}/teams/{team.name}"
        points = team_points(org_view.team_signals(found, url, numbers.cross_team), limit=1)
        lines.append(
            OrgLine(
                team=team.name,
                manager=managers.get(team.id or 0),
                text=_summary(found),
                point=points[0].text if points else None,
                url=f"{base}/org/{team.name}",
            )
        )
    return lines


def _summary(found: TeamNumbers) -> str:
    parts = []
    pickup = next(p for p in found.phases if p.phase == "pickup")
    if pickup.now_hours is not None:
        usual = f" (usual {duration(pickup.usual_hours)})" if pickup.usual_hours is not None else ""
        parts.append(f"first review {duration(pickup.now_hours)}{usual}")
    parts.append(f"{plural(len(found.waiting), 'PR')} waiting now")
    lost = found.review_wait_hours + found.flaky_wait_hours
    parts.append(f"{duration(lost)} lost to waiting")
    if found.flaky_rate is not None:
        parts.append(f"flaky {found.flaky_rate:.0%}")
    exceptions = sum(found.exceptions.values())
    if exceptions:
        parts.append(plural(exceptions, "agreement exception"))
    flags = sum(found.flags.values()) + sum(found.anonymous_flags.values())
    if flags:
        parts.append(f"{plural(flags, 'flag')} raised")
    return "; ".join(parts)
