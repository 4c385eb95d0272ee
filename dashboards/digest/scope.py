"""Whose data a digest may hold: a manager's reports and the teams they run, nothing else.

The access rules live in `app.core.access` and who is who in `app.core.identities`; this module
only gathers their answer once per digest (ids, GitHub logins, git emails, team ids) so every
section filters by the same scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.core.access import all_reports
from app.core.identities import Directory
from app.core.models import Person, Team, TeamMember
from dashboards import periods


@dataclass(frozen=True)
class Scope:
    """The people and teams one digest covers."""

    person_ids: frozenset[int]
    person_logins: frozenset[str]  # each person's own login, as the CI signals name people
    logins: frozenset[str]  # every GitHub login spelling of those people
    emails: frozenset[str]
    team_ids: frozenset[int]
    team_names: tuple[str, ...]
    logins_by_person: dict[int, set[str]]
    emails_by_person: dict[int, set[str]]


def manager_scope(session: Session, manager: Person) -> Scope | None:
    """The manager's reports (any depth) and the teams run by them; None without reports."""
    assert manager.id is not None
    reports = all_reports(session, manager.id)
    if not reports:
        return None
    # the teams app.core.access.manages_team grants: run by the manager or by someone below them
    teams = list(
        session.exec(
            select(Team)
            .where(col(Team.manager_id).in_(reports | {manager.id}))
            .order_by(col(Team.name))
        )
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
    known = people_directory(session)
    own = {known.login(pid) for pid in person_ids}
    logins = {pid: known.logins_of(pid) for pid in person_ids}
    emails = {pid: known.emails_of(pid) for pid in person_ids}
    return Scope(
        person_ids=frozenset(person_ids),
        person_logins=frozenset(login for login in own if login),
        logins=frozenset(set().union(*logins.values())),
        emails=frozenset(e.lower() for e in set().union(*emails.values())),
        logins_by_person=logins,
        emails_by_person=emails,
        team_ids=frozenset(t.id for t in teams if t.id is not None),
        team_names=tuple(t.name for t in teams),
    )


CACHE = "gemba_digest_cache"


def run_cache(session: Session) -> dict[tuple[object, ...], object]:
    """Rows every digest of one run needs, kept in `session.info`; `send_digests` hands the
    same dict to each recipient's session so a run reads them once."""
    cache: dict[tuple[object, ...], object] = session.info.setdefault(CACHE, {})
    return cache


def people_directory(session: Session) -> Directory:
    """`app.core.identities.Directory`, loaded once per run: a digest run builds many scopes
    over the same people."""
    cached = run_cache(session).get(("directory",))
    if isinstance(cached, Directory):
        return cached
    loaded = Directory.load(session, every_spelling=True)
    run_cache(session)[("directory",)] = loaded
    return loaded


def timezone_of(session: Session, person: Person, default: str) -> ZoneInfo:
    """The zone of the person's weeks (`dashboards.periods.timezone_of`), as a ZoneInfo."""
    assert person.id is not None
    return ZoneInfo(periods.timezone_of(session, person.id, default))
