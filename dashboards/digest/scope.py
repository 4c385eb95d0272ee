"""Whose data a digest may hold: a manager's reports and the teams they run, nothing else.

The access rules live in `app.core.access`; this module only gathers their answer once per digest
(ids, GitHub logins, git emails, team ids) so every section filters by the same scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app.core.access import all_reports
from app.core.models import Commit, Identity, Person, PullRequest, Review, Team, TeamMember


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
    known = _identities(session)
    own = session.exec(select(Person.login).where(col(Person.id).in_(person_ids))).all()
    logins = {pid: known.logins_of(pid) for pid in person_ids}
    emails = {pid: known.emails_of(pid) for pid in person_ids}
    return Scope(
        person_ids=frozenset(person_ids),
        person_logins=frozenset(own),
        logins=frozenset(set().union(*logins.values())),
        emails=frozenset(e.lower() for e in set().union(*emails.values())),
        logins_by_person=logins,
        emails_by_person=emails,
        team_ids=frozenset(t.id for t in teams if t.id is not None),
        team_names=tuple(t.name for t in teams),
    )


@dataclass(frozen=True)
class _Identities:
    """app.core.people's rule for every person at once: claimed logins and emails, plus each
    spelling seen in the data that matches one case-insensitively."""

    claimed: dict[tuple[str, int], set[str]]
    seen: dict[tuple[str, str], set[str]]  # (kind, lowercased) -> spellings in the data

    def _of(self, kind: str, person_id: int) -> set[str]:
        claimed = self.claimed.get((kind, person_id), set())
        found = set(claimed)
        for value in claimed:
            found |= self.seen.get((kind, value.lower()), set())
        return found

    def logins_of(self, person_id: int) -> set[str]:
        return self._of("login", person_id)

    def emails_of(self, person_id: int) -> set[str]:
        return self._of("email", person_id)


CACHE = "gemba_digest_cache"


def run_cache(session: Session) -> dict[tuple[object, ...], object]:
    """Rows every digest of one run needs, kept in `session.info`; `send_digests` hands the
    same dict to each recipient's session so a run reads them once."""
    cache: dict[tuple[object, ...], object] = session.info.setdefault(CACHE, {})
    return cache


def _identities(session: Session) -> _Identities:
    """Loaded once per run: a digest run builds many scopes over the same people."""
    cached = run_cache(session).get(("identities",))
    if isinstance(cached, _Identities):
        return cached
    claimed: dict[tuple[str, int], set[str]] = defaultdict(set)
    for person_id, login, email in session.exec(select(Person.id, Person.login, Person.email)):
        claimed[("login", person_id)].add(login)  # type: ignore[index]
        if email:
            claimed[("email", person_id)].add(email)  # type: ignore[index]
    for kind, value, person_id in session.exec(
        select(Identity.kind, Identity.value, Identity.person_id).where(
            col(Identity.person_id).is_not(None)
        )
    ):
        claimed[(kind, person_id)].add(value)  # type: ignore[index]
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kind, column in (
        ("login", PullRequest.author_login),
        ("login", Review.reviewer_login),
        ("email", Commit.author_email),
    ):
        for value in session.exec(select(column).distinct()):
            if value:
                seen[(kind, value.lower())].add(value)
    known = _Identities(dict(claimed), dict(seen))
    run_cache(session)[("identities",)] = known
    return known


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
