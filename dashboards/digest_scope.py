"""Whose data a digest may hold: a manager's reports and the teams they run, nothing else.

The access rules live in `app.access`; this module only gathers their answer once per digest
(ids, GitHub logins, git emails, team ids) so every section filters by the same scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app.access import Viewer, all_reports, manages_team, visible_teams
from app.models import Person, Team, TeamMember
from app.people import emails_of, logins_of


@dataclass(frozen=True)
class Scope:
    """The people and teams one digest covers."""

    person_ids: frozenset[int]
    person_logins: frozenset[str]  # each person's own login, as the CI signals name people
    logins: frozenset[str]  # every GitHub login spelling of those people
    emails: frozenset[str]
    team_ids: frozenset[int]
    team_names: tuple[str, ...]


def manager_scope(session: Session, manager: Person) -> Scope | None:
    """The manager's reports (any depth) and the teams run by them; None without reports."""
    assert manager.id is not None
    reports = all_reports(session, manager.id)
    if not reports:
        return None
    viewer = Viewer(person_id=manager.id, login=manager.login)
    teams = sorted(
        (
            team
            for team_id in visible_teams(session, viewer)
            if manages_team(session, viewer, team_id)
            and (team := session.get(Team, team_id)) is not None
        ),
        key=lambda team: team.name,
    )
    return _scope(session, reports, teams)


def person_scope(session: Session, person: Person) -> Scope:
    """Just one person (a developer's own digest), with the teams they belong to."""
    assert person.id is not None
    teams = list(
        session.exec(
            select(Team)
            .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
            .where(TeamMember.person_id == person.id)
            .order_by(col(Team.name))
        )
    )
    return _scope(session, {person.id}, teams)


def _scope(session: Session, person_ids: set[int], teams: list[Team]) -> Scope:
    logins, emails = identities_of(session, person_ids)
    own = session.exec(select(Person.login).where(col(Person.id).in_(person_ids))).all()
    return Scope(
        person_ids=frozenset(person_ids),
        person_logins=frozenset(own),
        logins=frozenset(logins),
        emails=frozenset(emails),
        team_ids=frozenset(t.id for t in teams if t.id is not None),
        team_names=tuple(t.name for t in teams),
    )


def identities_of(session: Session, person_ids: set[int]) -> tuple[set[str], set[str]]:
    """Every GitHub login and git email spelling of these people (app.people's rules)."""
    logins: set[str] = set()
    emails: set[str] = set()
    for person_id in person_ids:
        logins |= logins_of(session, person_id)
        emails |= emails_of(session, person_id)
    return logins, emails


def timezone_of(session: Session, person: Person, default: str) -> ZoneInfo:
    """The time zone of the first team a person runs, else belongs to, else `default`."""
    assert person.id is not None
    managed = session.exec(
        select(Team.timezone).where(Team.manager_id == person.id).order_by(col(Team.id))
    ).first()
    member = session.exec(
        select(Team.timezone)
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .where(TeamMember.person_id == person.id)
        .order_by(col(Team.id))
    ).first()
    for name in (managed, member, default):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")
