"""What a sync would change, and writing it: `changes` compares the plan with the database,
`apply` writes exactly those changes, so `--dry-run` shows what a real run does.

People and teams are matched by GitHub id, else (the first time) by login or team name,
case-insensitively, which links what a people file made. A renamed login keeps its old one
as an identity, so the PRs and reviews under it stay the person's. Nothing is deleted: a
person or team gone from GitHub is left as it is; memberships follow GitHub's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.models import Person, Team, TeamMember
from app.core.people import map_identity
from collectors.teams.plan import Plan, WantedPerson, WantedTeam


@dataclass(frozen=True)
class Change:
    """One change: `what` is create, set, add or remove; `key` the GitHub id it is about."""

    kind: str  # person, team
    key: int
    subject: str  # a login or team name, as stored now (or to be created)
    what: str
    field: str = ""
    old: Any = None
    new: Any = None

    @property
    def text(self) -> str:
        if self.what == "create":
            return f"{self.kind} {self.subject}: create"
        if self.what in ("add", "remove"):
            return f"team {self.subject}: {self.what} member {self.new or self.old}"
        return f"{self.kind} {self.subject}: {self.field} {self.old!r} -> {self.new!r}"


def _person(session: Session, github_id: int, login: str) -> Person | None:
    found = session.exec(select(Person).where(Person.github_id == github_id)).first()
    if found is None:
        found = session.exec(
            select(Person).where(func.lower(Person.login) == login.lower())
        ).first()
    return found


def _team(session: Session, github_id: int, name: str) -> Team | None:
    found = session.exec(select(Team).where(Team.github_id == github_id)).first()
    if found is None:
        found = session.exec(select(Team).where(func.lower(Team.name) == name.lower())).first()
    return found


def changes(session: Session, plan: Plan) -> list[Change]:
    """Every change that writing `plan` makes, people first, then teams, then memberships."""
    found: list[Change] = []
    for wanted in plan.people:
        found += _person_changes(session, wanted)
    logins = {p.login.lower(): p.login for p in plan.people}
    renamed = {p.github_id: p.login for p in plan.people}
    for team in plan.teams:
        found += _team_changes(session, team, logins, renamed)
    return found


def _person_changes(session: Session, wanted: WantedPerson) -> list[Change]:
    person = _person(session, wanted.github_id, wanted.login)
    key = wanted.github_id
    if person is None:
        return [Change("person", key, wanted.login, "create", new=wanted)]
    result = []
    current = {"github_id": person.github_id, "login": person.login}
    desired: dict[str, Any] = {"github_id": wanted.github_id, "login": wanted.login}
    if wanted.name is not None:
        current["name"], desired["name"] = person.name, wanted.name
    if wanted.email is not None:
        current["email"], desired["email"] = person.email, wanted.email
    for name, value in desired.items():
        if current[name] != value:
            result.append(Change("person", key, person.login, "set", name, current[name], value))
    return result


def _team_changes(
    session: Session, wanted: WantedTeam, logins: dict[str, str], renamed: dict[int, str]
) -> list[Change]:
    """`renamed`: GitHub id -> login after this sync, so a renamed member is still a member."""
    team = _team(session, wanted.github_id, wanted.name)
    key = wanted.github_id
    result = []
    if team is None:
        result.append(Change("team", key, wanted.name, "create"))
        manager, members = None, set()
    else:
        if team.github_id != wanted.github_id:
            result.append(Change("team", key, team.name, "set", "github_id", team.github_id, key))
        if team.name != wanted.name:
            result.append(Change("team", key, team.name, "set", "name", team.name, wanted.name))
        boss = session.get(Person, team.manager_id) if team.manager_id else None
        manager = renamed.get(boss.github_id or 0, boss.login) if boss else None
        members = _member_logins(session, team, renamed)
    subject = wanted.name
    if (manager or "").lower() != (wanted.manager or "").lower():
        result.append(Change("team", key, subject, "set", "manager", manager, wanted.manager))
    have = {m.lower(): m for m in members}
    want = {
        m.lower(): logins.get(m.lower(), m)
        for m in wanted.members
        if m.lower() in logins or _login(session, m) is not None
    }
    for lowered in sorted(set(want) - set(have)):
        result.append(Change("team", key, subject, "add", new=want[lowered]))
    for lowered in sorted(set(have) - set(want)):
        result.append(Change("team", key, subject, "remove", old=have[lowered]))
    return result


def _member_logins(session: Session, team: Team, renamed: dict[int, str]) -> set[str]:
    rows = session.exec(
        select(Person.login, Person.github_id)
        .join(TeamMember, col(TeamMember.person_id) == col(Person.id))
        .where(TeamMember.team_id == team.id)
    )
    return {renamed.get(github_id or 0, login) for login, github_id in rows}


def apply(session: Session, found: list[Change]) -> None:
    """Write the changes, in their order (people exist before teams name them)."""
    for change in found:
        if change.kind == "person":
            _apply_person(session, change)
        else:
            _apply_team(session, change)
        session.flush()


def _apply_person(session: Session, change: Change) -> None:
    if change.what == "create":
        wanted: WantedPerson = change.new
        session.add(
            Person(
                login=wanted.login, name=wanted.name, email=wanted.email, github_id=wanted.github_id
            )
        )
        return
    person = _person(session, change.key, change.subject)
    assert person is not None
    setattr(person, change.field, change.new)
    session.add(person)
    if change.field == "login":
        session.flush()
        map_identity(session, "login", change.old, change.new)  # the PRs under the old login


def _apply_team(session: Session, change: Change) -> None:
    if change.what == "create":
        session.add(Team(name=change.subject, github_id=change.key))
        return
    team = _team(session, change.key, change.subject)
    assert team is not None and team.id is not None
    if change.what == "set" and change.field == "manager":
        manager = _login(session, change.new) if change.new else None
        team.manager_id = manager.id if manager else None
    elif change.what == "set":
        setattr(team, change.field, change.new)
    elif change.what == "add":
        person = _login(session, change.new)
        if person is not None and person.id is not None:
            session.add(TeamMember(team_id=team.id, person_id=person.id))
    else:
        person = _login(session, change.old)
        row = session.get(TeamMember, (team.id, person.id)) if person and person.id else None
        if row is not None:
            session.delete(row)
    session.add(team)


def _login(session: Session, login: str) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.login) == login.lower())).first()
