"""Who is who: every GitHub login and git email of every person, in one `Directory`.

The one rule for "which logins and emails are this person", used by pages, digests, CI and git
queries alike: a person's own login and email, every identity mapped to them
(`app.core.people.map_identity`, the YAML import), and every spelling of those that appears in
the data when compared case-insensitively (`Bob@Example.com` in a commit is bob's). Queries
can then match with a plain, indexed `column.in_(...)`.

A `Directory` is loaded once per request or run (`directory(session)` keeps it for the
session's transaction): people, identities and teams in three small queries. The spellings in
commits, PRs and reviews are looked up for the people a caller asks about (one query per
column), or all at once for a digest run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.core.models import Commit, Identity, Person, PullRequest, Review, Team, TeamMember

KINDS = ("login", "email")
_SESSION_KEY = "gemba_directory"


@dataclass(frozen=True)
class Member:
    """A person as the read side names them."""

    id: int
    login: str
    name: str | None
    email: str | None
    is_bot: bool

    @property
    def display_name(self) -> str:
        return self.name or self.login


@dataclass
class Directory:
    """Every person's logins and emails, and the reverse: which person a login or email is."""

    people: dict[int, Member]
    claimed: dict[tuple[str, int], set[str]]  # (kind, person id) -> own value and identities
    owner: dict[tuple[str, str], int]  # (kind, lower-cased value) -> person id
    teams: dict[int, tuple[str, ...]]  # person id -> team names, sorted
    session: Session | None = None  # where spellings not yet seen are looked up
    seen: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    complete: set[str] = field(default_factory=set)  # kinds whose every spelling is in `seen`

    @classmethod
    def load(cls, session: Session, *, every_spelling: bool = False) -> Directory:
        """People, identities and teams; the spellings in the data are read when a login or
        an email is first asked for, or at once with `every_spelling` (a digest run)."""
        people: dict[int, Member] = {}
        claimed: dict[tuple[str, int], set[str]] = defaultdict(set)
        owner: dict[tuple[str, str], int] = {}
        for pid, login, name, email, is_bot in session.exec(
            select(Person.id, Person.login, Person.name, Person.email, Person.is_bot).order_by(
                col(Person.id)
            )
        ):
            assert pid is not None
            people[pid] = Member(pid, login, name, email, is_bot)
            claimed[("login", pid)].add(login)
            owner[("login", login.lower())] = pid
            if email:
                claimed[("email", pid)].add(email)
                owner.setdefault(("email", email.lower()), pid)
        mapped = session.exec(
            select(Identity.kind, Identity.value, Identity.person_id)
            .where(col(Identity.person_id).is_not(None))
            .order_by(col(Identity.id))
        )
        for kind, value, pid in mapped:
            if pid in people and kind in KINDS:
                claimed[(kind, pid)].add(value)
                if kind == "email" or ("login", value.lower()) not in owner:
                    owner[(kind, value.lower())] = pid  # a mapped email wins over Person.email
        teams: dict[int, list[str]] = defaultdict(list)
        for pid, team in session.exec(
            select(TeamMember.person_id, Team.name).join(Team, Team.id == TeamMember.team_id)  # type: ignore[arg-type]
        ):
            teams[pid].append(team)
        loaded = cls(
            people=people,
            claimed=dict(claimed),
            owner=owner,
            teams={pid: tuple(sorted(names)) for pid, names in teams.items()},
            session=session,
        )
        if every_spelling:
            for kind in KINDS:
                loaded._read_spellings(kind)
        return loaded

    def spellings(self, kind: str, values: Iterable[str]) -> set[str]:
        """Every spelling in the data of these values, any case: an exact `IN` over them uses
        the column's index, where `lower(column) IN (...)` reads the whole column."""
        self._read_spellings(kind)
        found: set[str] = set()
        for value in values:
            found |= self.seen.get((kind, value.lower()), set())
        return found

    # --- a person's identities ----------------------------------------------------------------

    def _of(self, kind: str, person_ids: Iterable[int]) -> set[str]:
        claimed = {v for pid in person_ids for v in self.claimed.get((kind, pid), ())}
        if claimed:
            self._read_spellings(kind)
        found = set(claimed)
        for value in claimed:
            found |= self.seen.get((kind, value.lower()), set())
        return found

    def _read_spellings(self, kind: str) -> None:
        """Every spelling of this kind in the data, read once. Reading them all is one
        index-only DISTINCT per column (under a millisecond on SQLite for 100,000 commits);
        asking for a few by `lower(column) IN (...)` scans the whole column each time
        (about 30 ms there), and a page asks for several people."""
        if kind in self.complete or self.session is None:
            return
        self.seen.update(_spellings(self.session, kind))
        self.complete.add(kind)

    def every_email(self) -> set[str]:
        """Every commit email, lower-cased (for the reverse of person keys)."""
        self._read_spellings("email")
        return {value for kind, value in self.seen if kind == "email"}

    def logins_of(self, *person_ids: int) -> set[str]:
        """Every login spelling of these people, as it appears in PRs and reviews."""
        return self._of("login", person_ids)

    def emails_of(self, *person_ids: int) -> set[str]:
        """Every email spelling of these people, as it appears in commits."""
        return self._of("email", person_ids)

    def login(self, person_id: int) -> str | None:
        """The person's own login: how the CI figures and the digest name them."""
        member = self.people.get(person_id)
        return member.login if member else None

    def teams_of(self, person_id: int) -> tuple[str, ...]:
        return self.teams.get(person_id, ())

    # --- the reverse: whose is this login or email --------------------------------------------

    def person_of_login(self, login: str | None) -> int | None:
        return None if login is None else self.owner.get(("login", login.lower()))

    def person_of_email(self, email: str | None) -> int | None:
        return None if email is None else self.owner.get(("email", email.lower()))

    def own_login(self, login: str | None) -> str | None:
        """The person's own login for any of their logins; an unknown login stands for itself."""
        if login is None:
            return None
        pid = self.person_of_login(login)
        return self.people[pid].login if pid is not None else login


def directory(session: Session) -> Directory:
    """The directory for this session's transaction: loaded on first use, so a request (or a
    run that shares `session.info`) reads people and identities once."""
    found = session.info.get(_SESSION_KEY)
    if isinstance(found, Directory):
        return found
    loaded = Directory.load(session)
    session.info[_SESSION_KEY] = loaded
    return loaded


@sa_event.listens_for(OrmSession, "after_commit")
@sa_event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    """A new transaction may see a new mapping: the next `directory` call loads again."""
    session.info.pop(_SESSION_KEY, None)


_WHO_IS_WHO = (Person, Identity, Team, TeamMember)


@sa_event.listens_for(OrmSession, "after_flush")
def _forget_changed(session: OrmSession, _context: object) -> None:
    """A flush that changes people, identities or teams makes the next `directory` reload."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _WHO_IS_WHO) for row in changed):
        session.info.pop(_SESSION_KEY, None)


_COLUMNS = {
    "login": (PullRequest.author_login, Review.reviewer_login),
    "email": (Commit.author_email,),
}


def _spellings(session: Session, kind: str) -> dict[tuple[str, str], set[str]]:
    """(kind, lower-cased value) -> every spelling of it in the data: one query per column
    that holds that kind."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for column in _COLUMNS[kind]:
        for value in session.exec(select(column).distinct()):
            if value:
                found[(kind, value.lower())].add(value)
    return found
