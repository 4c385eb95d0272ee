"""The week's exceptions to each team's working agreements, for the manager's digest.

Per team with agreements: how many exceptions each rule had this week (expected ones left
out, as everywhere) and the items themselves, in the same words as the team page's ledger.
The numbers come from `dashboards.reports.agreements.team_exceptions`, so the digest, the
team page and `gemba agreements check --since MONDAY --until NEXT-MONDAY` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.core.agreements import agreements_of
from app.core.models import Team
from app.core.settings import Settings
from dashboards.reports.agreements import team_exceptions
from dashboards.talking_points.agreements import sentence

LINES_AT_MOST = 15  # per team; the team page's ledger has them all


@dataclass(frozen=True)
class ExceptionLine:
    rule: str
    text: str  # "#412 waited 31 hours for a first review; the team agreed on 24"
    url: str | None
    expected: bool = False
    expected_reason: str | None = None


@dataclass(frozen=True)
class TeamAgreementsWeek:
    team: str
    url: str  # the team page's agreements
    counts: dict[str, int]  # per rule, expected ones left out
    lines: list[ExceptionLine] = field(default_factory=list)
    more: int = 0  # exceptions past LINES_AT_MOST, on the team page

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def agreement_weeks(
    session: Session,
    team_ids: frozenset[int],
    start: datetime,
    end: datetime,
    now: datetime,
    settings: Settings,
    team_url: dict[str, str],
) -> list[TeamAgreementsWeek]:
    """One entry per team (by name) that has agreements and passed one in [start, end)."""
    teams = session.exec(select(Team).where(col(Team.id).in_(team_ids)).order_by(Team.name))
    weeks = []
    for team in teams:
        if team.id is None or not agreements_of(session, team.id):
            continue
        found = team_exceptions(session, team, settings, since=start, until=end, now=now)
        if not found.exceptions:
            continue
        lines = [
            ExceptionLine(e.rule, sentence(e), e.url, e.expected, e.expected_reason)
            for e in found.exceptions
        ]
        weeks.append(
            TeamAgreementsWeek(
                team=team.name,
                url=team_url[team.name],
                counts=dict(sorted(found.counts.items())),
                lines=lines[:LINES_AT_MOST],
                more=max(0, len(lines) - LINES_AT_MOST),
            )
        )
    return weeks
