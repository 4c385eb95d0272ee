"""People and teams from a YAML file, and the identities (git emails, GitHub logins) they use.

The YAML file is the source of truth for the people and teams it names: importing it again
updates them and never duplicates. Identities seen in the data that nobody claims are listed
for an admin to map, never silently dropped.

Matching rule: emails and logins are compared case-insensitively. Which logins and emails are
one person, as the read side asks it, is `app.core.identities.Directory`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.agreements import PEOPLE_FILE, set_agreements
from app.core.models import Commit, Identity, Person, PullRequest, Review, Team, TeamMember
from app.core.models.base import utcnow
from app.core.people_file import (
    PeopleError,
    PeopleFile,
    PersonEntry,
    TeamEntry,
    check_email,
    parse_people_file,
)

IDENTITY_KINDS = ("email", "login")


@dataclass
class ImportReport:
    """What an import changed, so a re-run that changes nothing says so."""

    people_created: list[str] = field(default_factory=list)
    people_updated: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    teams_updated: list[str] = field(default_factory=list)
    identities_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.people_created
            or self.people_updated
            or self.teams_created
            or self.teams_updated
            or self.identities_added
        )


def import_people(session: Session, data: Any) -> ImportReport:
    """Create or update the people and teams in `data` (the parsed YAML or JSON document).

    Team membership is replaced by the listed members; identities are only added or moved,
    never removed, so mappings made by an admin survive a re-import.
    """
    doc = parse_people_file(data)
    _check_references(session, doc)
    report = ImportReport()
    for entry in doc.people:
        _upsert_person(session, entry, report)
    session.flush()
    for team_entry in doc.teams:
        _upsert_team(session, team_entry, report)
    session.flush()
    return report


def _check_references(session: Session, doc: PeopleFile) -> None:
    logins = [p.login.lower() for p in doc.people]
    dupes = sorted({x for x in logins if logins.count(x) > 1})
    problems = [f"people: login {d!r} is listed more than once" for d in dupes]
    names = [t.name.lower() for t in doc.teams]
    problems += [
        f"teams: team {n!r} is listed more than once"
        for n in sorted({x for x in names if names.count(x) > 1})
    ]
    known = set(logins)
    for index, team in enumerate(doc.teams):
        for role, login in [("manager", team.manager)] + [("members", m) for m in team.members]:
            if login and login.lower() not in known and person_for_login(session, login) is None:
                problems.append(
                    f"teams[{index}] (name {team.name!r}): {role}: {login!r} is not a known"
                    " person (add it under 'people')"
                )
    if problems:
        raise PeopleError("\n".join(problems))


def _person_by_login_ci(session: Session, login: str) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.login) == login.lower())).first()


def _upsert_person(session: Session, entry: PersonEntry, report: ImportReport) -> None:
    person = _person_by_login_ci(session, entry.login)
    values: dict[str, Any] = {"login": entry.login, "name": entry.name, "email": entry.email}
    values["is_bot"] = entry.is_bot
    if entry.digest_opt_in is not None:
        values["digest_opt_in"] = entry.digest_opt_in
    if entry.slack is not None:  # else keep what users.lookupByEmail found
        values["slack_user_id"] = entry.slack
    values["nudge_hours"] = entry.nudge_hours
    if person is None:
        person = Person(**values)
        session.add(person)
        session.flush()
        report.people_created.append(entry.login)
    elif any(getattr(person, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(person, key, value)
        session.add(person)
        report.people_updated.append(entry.login)
    assert person.id is not None
    claimed = [("login", entry.login)] + [("email", e) for e in [entry.email, *entry.emails] if e]
    for kind, value in claimed:
        if _claim(session, kind, value, person.id):
            report.identities_added += 1


def _claim(session: Session, kind: str, value: str, person_id: int) -> bool:
    """Point every spelling of (kind, value) at the person; True if anything changed."""
    rows = session.exec(
        select(Identity).where(Identity.kind == kind, func.lower(Identity.value) == value.lower())
    ).all()
    changed = False
    for row in rows:
        if row.person_id != person_id:
            row.person_id = person_id
            session.add(row)
            changed = True
    if not any(row.value == value for row in rows):
        session.add(Identity(kind=kind, value=value, person_id=person_id, first_seen_at=utcnow()))
        changed = True
    return changed


def _upsert_team(session: Session, entry: TeamEntry, report: ImportReport) -> None:
    team = session.exec(select(Team).where(func.lower(Team.name) == entry.name.lower())).first()
    manager = person_for_login(session, entry.manager) if entry.manager else None
    manager_id = manager.id if manager else None
    members = {p.id for p in (person_for_login(session, m) for m in entry.members) if p}
    if team is None:
        team = Team(name=entry.name, manager_id=manager_id, timezone=entry.timezone)
        team.slack_channel = entry.slack_channel
        session.add(team)
        session.flush()
        report.teams_created.append(entry.name)
        changed = False
    else:
        wanted = (entry.name, manager_id, entry.timezone, entry.slack_channel)
        changed = (team.name, team.manager_id, team.timezone, team.slack_channel) != wanted
        team.name, team.manager_id, team.timezone, team.slack_channel = wanted
        session.add(team)
    current = {
        m.person_id: m
        for m in session.exec(select(TeamMember).where(TeamMember.team_id == team.id))
    }
    for person_id, membership in current.items():
        if person_id not in members:
            session.delete(membership)
            changed = True
    for person_id in members - set(current):
        assert team.id is not None and person_id is not None
        session.add(TeamMember(team_id=team.id, person_id=person_id))
        changed = True
    if entry.agreements is not None:
        assert team.id is not None
        if set_agreements(session, team.id, entry.agreements, by=PEOPLE_FILE, replace=True):
            changed = True
    if changed and entry.name not in report.teams_created:
        report.teams_updated.append(entry.name)


# --- identity resolution ---------------------------------------------------------------------


def person_for_login(session: Session, login: str) -> Person | None:
    """The person behind a GitHub login: their own login first, then a mapped alias."""
    person = _person_by_login_ci(session, login)
    if person is not None:
        return person
    person_id = _mapped(session, "login", login)
    return session.get(Person, person_id) if person_id is not None else None


def resolve_login(session: Session, login: str) -> int | None:
    person = person_for_login(session, login)
    return person.id if person else None


def resolve_email(session: Session, email: str) -> int | None:
    """The person id behind a git author email, or None when nobody claims it."""
    person_id = _mapped(session, "email", email)
    if person_id is not None:
        return person_id
    return session.exec(select(Person.id).where(func.lower(Person.email) == email.lower())).first()


def _mapped(session: Session, kind: str, value: str) -> int | None:
    return session.exec(
        select(Identity.person_id).where(
            Identity.kind == kind,
            func.lower(Identity.value) == value.lower(),
            col(Identity.person_id).is_not(None),
        )
    ).first()


@dataclass(frozen=True)
class UnknownIdentity:
    """An email or login seen in the data that no person claims yet."""

    kind: str
    value: str
    seen: int  # commits, pull requests or reviews that carry it


def unknown_identities(
    session: Session, *, ignore_logins: Iterable[str] = ()
) -> list[UnknownIdentity]:
    """Identities in commits, PRs and reviews that nobody claims, most frequent first.

    Bots (flagged by the collectors or listed in `ignore_logins`) are left out.
    """
    known_emails = _known(session, "email") | {
        e.lower() for e in session.exec(select(Person.email)) if e
    }
    known_logins = _known(session, "login") | {
        name.lower() for name in session.exec(select(Person.login))
    }
    known_logins |= {name.lower() for name in ignore_logins}
    counts: dict[tuple[str, str], int] = {}
    emails = session.exec(
        select(Commit.author_email, func.count())
        .where(col(Commit.is_bot).is_(False))
        .group_by(Commit.author_email)
    )
    for value, n in emails:
        if value and value.lower() not in known_emails:
            counts[("email", value)] = counts.get(("email", value), 0) + n
    login_sources = [
        select(PullRequest.author_login, func.count())
        .where(col(PullRequest.author_is_bot).is_(False))
        .group_by(PullRequest.author_login),
        select(Review.reviewer_login, func.count())
        .where(col(Review.reviewer_is_bot).is_(False))
        .group_by(Review.reviewer_login),
    ]
    for query in login_sources:
        for value, n in session.exec(query):
            if value and value.lower() not in known_logins:
                counts[("login", value)] = counts.get(("login", value), 0) + n
    for row in session.exec(select(Identity).where(col(Identity.person_id).is_(None))):
        counts.setdefault((row.kind, row.value), 0)
    found = [UnknownIdentity(kind=k, value=v, seen=n) for (k, v), n in counts.items()]
    return sorted(found, key=lambda u: (-u.seen, u.kind, u.value))


def _known(session: Session, kind: str) -> set[str]:
    rows = session.exec(
        select(Identity.value).where(Identity.kind == kind, col(Identity.person_id).is_not(None))
    )
    return {v.lower() for v in rows}


def map_identity(session: Session, kind: str, value: str, login: str) -> Identity:
    """Claim an email or login for the person with `login` (creating or moving the mapping)."""
    if kind not in IDENTITY_KINDS:
        raise PeopleError(f"kind must be one of {', '.join(IDENTITY_KINDS)}, not {kind!r}")
    value = value.strip()
    if not value:
        raise PeopleError("value must not be empty")
    if kind == "email":
        try:
            check_email(value)
        except ValueError as error:
            raise PeopleError(str(error)) from None
    person = person_for_login(session, login)
    if person is None or person.id is None:
        raise PeopleError(f"no person with login {login!r} (import them first)")
    _claim(session, kind, value, person.id)
    session.flush()
    row = session.exec(select(Identity).where(Identity.kind == kind, Identity.value == value)).one()
    return row


@dataclass(frozen=True)
class PersonRow:
    id: int
    login: str
    name: str | None
    email: str | None
    teams: list[str]


def list_people(session: Session, *, only: set[int] | None = None) -> list[PersonRow]:
    """People (optionally only the ids given) with their team names, by login."""
    query = select(Person).order_by(Person.login)
    if only is not None:
        query = query.where(col(Person.id).in_(only))
    teams_by_person: dict[int, list[str]] = {}
    for person_id, name in session.exec(
        select(TeamMember.person_id, Team.name).join(Team, Team.id == TeamMember.team_id)  # type: ignore[arg-type]
    ):
        teams_by_person.setdefault(person_id, []).append(name)
    return [
        PersonRow(
            id=p.id,
            login=p.login,
            name=p.name,
            email=p.email,
            teams=sorted(teams_by_person.get(p.id, [])),
        )
        for p in session.exec(query)
        if p.id is not None
    ]
