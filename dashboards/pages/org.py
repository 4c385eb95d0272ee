"""The organisation page (`/org`, `/org/{team}`): a director's teams side by side.

For a manager of managers and for admins: every team below them, in alphabetical order (never
by a number), each against its own usual, where their waits meet, and openings for the 1:1
with each manager. A manager of one team sees their own part; anyone who manages nobody is
refused. The numbers come from `dashboards.reports.org`, which reads the same reports as the
team pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Team
from app.core.settings import Settings
from dashboards.pages.baseline import cached_baseline
from dashboards.pages.charts import Chart
from dashboards.pages.org_charts import org_charts
from dashboards.pages.parts import Link, PageNotFoundError, period_links
from dashboards.periods import GROUP_PERIODS, Period, resolve_period
from dashboards.reports import org_view
from dashboards.reports.nudges_team import K_ANONYMOUS
from dashboards.reports.org import (
    OUTSIDE,
    CrossTeamWait,
    OrgNumbers,
    PhaseAgainstUsual,
    SharedPlace,
    TeamNumbers,
    org_readings,
    readings_version,
    with_flags,
)
from dashboards.talking_points import TalkingPoint
from dashboards.talking_points.org import team_points

KEPT_FOR = timedelta(minutes=10)  # how long one view's readings serve the next views at most


class OrgNotAllowedError(PermissionError):
    """The viewer manages no team: the organisation page is for managers and admins (403)."""


@dataclass
class OrgTeam:
    """One team's column."""

    name: str
    url: str  # the team page
    part_url: str  # this team's part of the organisation
    manager: str | None
    members: int
    phases: list[PhaseAgainstUsual]
    merged: int
    waiting_now: int
    longest_wait_hours: float | None
    review_wait_hours: float
    flaky_wait_hours: float
    hours_lost: float
    flaky_rate: float | None
    exceptions: dict[str, int]
    flags: dict[str, int]
    anonymous_flags: dict[str, int]
    talking_points: list[TalkingPoint] = field(default_factory=list)


@dataclass
class OrgGroup:
    """A team of managers: the shape of the organisation, not a column of its own."""

    name: str
    manager: str | None
    teams: list[str]


@dataclass
class OrgPage:
    name: str
    part: str | None  # the team whose part this is (None: everything the viewer manages)
    period: Period
    periods: list[Link]
    teams: list[OrgTeam]
    groups: list[OrgGroup]
    charts: list[Chart]
    cross_team: list[CrossTeamWait]
    shared: list[SharedPlace]
    as_of: datetime  # when the numbers were read (flags are always read on the view)
    kind: str = "org"
    anonymous_from: int = K_ANONYMOUS
    outside: str = OUTSIDE


def org_page(
    session: Session,
    viewer: Viewer,
    part: str | None,
    period: str | None,
    now: datetime,
    settings: Settings,
) -> OrgPage:
    """The viewer's teams (or the part under `part`), in alphabetical order."""
    allowed = access.managed_teams(session, viewer)
    if not allowed:
        raise OrgNotAllowedError("the organisation page is for managers and admins")
    chosen_ids = allowed
    if part is not None:
        team = session.exec(select(Team).where(Team.name == part)).first()
        if team is None or team.id not in allowed:
            raise PageNotFoundError(part)
        chosen_ids = access.teams_below(session, team.id) & allowed
    teams = org_view.in_order(session, chosen_ids)
    columns, groups = org_view.columns_and_groups(session, teams)
    chosen = resolve_period(session, period, now=now)
    as_of, readings = _readings(session, columns, chosen, now, settings)
    numbers = with_flags(session, readings, columns, chosen)
    managers = org_view.manager_names(session, teams)
    shown = [
        _column(n, t, managers, numbers.cross_team)
        for n, t in zip(numbers.teams, columns, strict=True)
    ]
    path = f"/org/{part}" if part else "/org"
    return OrgPage(
        name=part or "Organisation",
        part=part,
        period=chosen,
        periods=period_links(path, chosen.key, GROUP_PERIODS),
        teams=shown,
        groups=[
            OrgGroup(
                g.name, managers.get(g.id or 0), [t.name for t in columns if _under(session, g, t)]
            )
            for g in groups
        ],
        charts=org_charts(f"/data{path}", chosen.key, numbers),
        cross_team=numbers.cross_team,
        shared=numbers.shared,
        as_of=as_of,
    )


def _readings(
    session: Session, teams: list[Team], period: Period, now: datetime, settings: Settings
) -> tuple[datetime, OrgNumbers]:
    """The teams' readings, kept for views of the next few minutes on the same data.

    Reading eight teams' review flow and CI over their usual costs seconds at organisation
    size; a director opens the page, then its parts and periods. The numbers are kept per
    data version (a collect gives new ones), teams, memberships, agreements and marks, and
    for at most `KEPT_FOR`, so "waiting now" is never older than that; the page says when
    they were read.
    """
    bucket = int(now.timestamp() // KEPT_FOR.total_seconds())
    key = (
        "org",
        tuple(t.id for t in teams),
        period.key,
        bucket,
        readings_version(session, teams),
    )
    return cached_baseline(
        session, key, lambda: (now, org_readings(session, teams, period, now, settings))
    )


def _under(session: Session, group: Team, team: Team) -> bool:
    assert group.id is not None
    return team.id in access.teams_below(session, group.id) and team.id != group.id


def _column(
    numbers: TeamNumbers, team: Team, managers: dict[int, str], crossings: list[CrossTeamWait]
) -> OrgTeam:
    signals = org_view.team_signals(numbers, f"/teams/{team.name}", crossings)
    return OrgTeam(
        name=team.name,
        url=f"/teams/{team.name}",
        part_url=f"/org/{team.name}",
        manager=managers.get(team.id or 0),
        members=numbers.members,
        phases=list(numbers.phases),
        merged=numbers.merged,
        waiting_now=len(numbers.waiting),
        longest_wait_hours=max((w.waited_hours for w in numbers.waiting), default=None),
        review_wait_hours=numbers.review_wait_hours,
        flaky_wait_hours=numbers.flaky_wait_hours,
        hours_lost=round(numbers.review_wait_hours + numbers.flaky_wait_hours, 1),
        flaky_rate=numbers.flaky_rate,
        exceptions=numbers.exceptions,
        flags=numbers.flags,
        anonymous_flags=numbers.anonymous_flags,
        talking_points=team_points(signals),
    )
