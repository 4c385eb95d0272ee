"""Which teams an organisation view shows, and the numbers its talking points read: shared by
the organisation page and the digest's organisation section, so both show the same teams.

Teams come in alphabetical order, never sorted by a number. A team whose every member manages
another of the teams shown is a team of managers: it is the organisation's shape, not a
column (its members' work is in the teams they manage).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.core import access
from app.core.access import Viewer
from app.core.models import Person, Team, TeamMember
from dashboards.reports.org import CrossTeamWait, TeamNumbers
from dashboards.talking_points.org import Crossing, TeamSignals, Waiting


def in_order(session: Session, team_ids: set[int]) -> list[Team]:
    """The teams, alphabetically (case-insensitive, then as written)."""
    teams = session.exec(select(Team).where(col(Team.id).in_(team_ids))).all()
    return sorted(teams, key=lambda t: (t.name.lower(), t.name))


def columns_and_groups(session: Session, teams: list[Team]) -> tuple[list[Team], list[Team]]:
    """(the teams shown side by side, the teams of managers above them), each in order."""
    ids = {t.id for t in teams}
    managers = {t.manager_id for t in teams if t.manager_id is not None}
    members: dict[int, set[int]] = {}
    for team_id, person_id in session.exec(
        select(TeamMember.team_id, TeamMember.person_id).where(col(TeamMember.team_id).in_(ids))
    ):
        members.setdefault(team_id, set()).add(person_id)
    groups = [t for t in teams if members.get(t.id or 0) and members[t.id or 0] <= managers]
    columns = [t for t in teams if t not in groups]
    return (columns, groups) if columns else (teams, [])


def is_director(session: Session, viewer: Viewer) -> bool:
    """Whether the viewer manages a manager: a team below them is managed by someone else."""
    if viewer.is_admin:
        return True
    return any(
        t.manager_id not in (None, viewer.person_id)
        for t in in_order(session, access.managed_teams(session, viewer))
    )


def manager_names(session: Session, teams: list[Team]) -> dict[int, str]:
    """Team id -> its manager's name (or login)."""
    ids = {t.manager_id for t in teams if t.manager_id is not None}
    people = {
        p.id: p.name or p.login for p in session.exec(select(Person).where(col(Person.id).in_(ids)))
    }
    return {t.id: people[t.manager_id] for t in teams if t.id and t.manager_id in people}


def team_signals(numbers: TeamNumbers, url: str, crossings: list[CrossTeamWait]) -> TeamSignals:
    """What the 1:1 rules (`dashboards.talking_points.org`) read about one team."""
    flags = dict(numbers.flags)
    for category, n in numbers.anonymous_flags.items():
        flags[category] = flags.get(category, 0) + n
    return TeamSignals(
        team=numbers.team,
        url=url,
        phases={p.phase: (p.now_hours, p.usual_hours) for p in numbers.phases},
        waiting=[
            Waiting(w.repository, w.number, w.html_url, w.waited_hours) for w in numbers.waiting
        ],
        flaky_wait_hours=numbers.flaky_wait_hours,
        flaky_rate=numbers.flaky_rate,
        exceptions=numbers.exceptions,
        flags=flags,
        crossings=[
            Crossing(c.reviewer_team, c.pulls, c.median_pickup_hours, c.waiting_now)
            for c in crossings
            if c.author_team == numbers.team
        ],
    )
