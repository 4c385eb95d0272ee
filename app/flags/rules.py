"""Friction flags: a developer says "this hurts" in ten seconds, and can trust it.

Anonymity is structural, not a display rule:
- an anonymous flag gets no `FlagAuthor` row, so no query, export or digest can join back to
  its author;
- its `created_at` is coarsened to the start of its UTC day, so it cannot be matched to the
  author's other activity (or an access log) by the second it was raised;
- its idempotency key is stored as SHA-256 of (a hash of the token secret, the key): the token
  secret is never stored, so even someone holding the database cannot link the key to a token;
- nothing here logs who posted what.

Who sees a flag (`visible_flags`): its named author; the managers above the author or the
flag's team; admins. An anonymous flag is shown one by one only in teams of at least
`ANONYMITY_THRESHOLD` members (to the team and its managers); below that, managers see counts
per category, never the flag itself.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.access import Viewer, all_reports, managed_teams, team_sizes, teams_of
from app.core.models import (
    FlagAuthor,
    FrictionFlag,
    IdempotencyKey,
    Person,
    Team,
    TeamMember,
)
from app.core.models.base import as_utc, utcnow
from app.flags.schemas import FlagCreate, FlagView, TeamFlags

ANONYMITY_THRESHOLD = 3


class FlagError(ValueError):
    """A flag that does not exist for this viewer, or an action they may not take."""


def idempotency_hash(scope: str, key: str) -> str:
    """`scope` is derived from the caller's token secret (see `app.http.deps.idempotency_scope`)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


# The hot path's statements are built once; each batch only binds its values.
_TEAMS_AS_MEMBER = (
    select(TeamMember.person_id, Team.id, Team.name)
    .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
    .where(col(TeamMember.person_id).in_(bindparam("person_ids", expanding=True)))
    .order_by(col(Team.id))
)
_TEAMS_AS_MANAGER = (
    select(Team.manager_id, Team.id, Team.name)
    .where(col(Team.manager_id).in_(bindparam("person_ids", expanding=True)))
    .order_by(col(Team.id))
)
_FLAGS_FOR_KEYS = select(IdempotencyKey.key_hash, IdempotencyKey.flag_id).where(
    col(IdempotencyKey.key_hash).in_(bindparam("key_hashes", expanding=True))
)
_FLAG_TABLE: Table = FrictionFlag.__table__  # type: ignore[attr-defined]
# One INSERT for many rows (insertmanyvalues), ids returned in the order of the rows.
_INSERT_FLAGS = _FLAG_TABLE.insert().returning(_FLAG_TABLE.c.id, sort_by_parameter_order=True)
_INSERT_AUTHOR = FlagAuthor.__table__.insert()  # type: ignore[attr-defined]
_INSERT_KEY = IdempotencyKey.__table__.insert()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewFlag:
    """One flag to store: who raises it, what they sent, and the hash of its key (if any)."""

    viewer: Viewer
    data: FlagCreate
    key_hash: str | None = None


def author_teams(session: Session, person_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """The team each person's flags belong to: their first team as a member, else the first
    they manage. People in no team are left out."""
    missing = set(person_ids)
    found: dict[int, tuple[int, str]] = {}
    connection = session.connection()  # Core rows: these statements load no ORM objects
    for statement in (_TEAMS_AS_MEMBER, _TEAMS_AS_MANAGER):
        if not missing:
            break
        for person_id, team_id, name in connection.execute(
            statement, {"person_ids": sorted(missing)}
        ):
            found.setdefault(person_id, (team_id, name))
        missing -= found.keys()
    return found


def create_flag(
    session: Session,
    viewer: Viewer,
    data: FlagCreate,
    *,
    idempotency_key: str | None = None,
    idempotency_scope: str | None = None,
) -> tuple[FlagView, bool]:
    """Store a flag; returns (flag, created). A repeated key returns the first flag instead.

    Two concurrent transactions with the same key race on the key's primary key: the loser
    rolls back its transaction and returns the winner's flag, so a key never makes two flags.
    """
    key_hash = None
    if idempotency_key:
        scope = idempotency_scope or f"viewer:{viewer.person_id}"
        key_hash = idempotency_hash(scope, idempotency_key)
    try:
        [result] = create_flags(session, [NewFlag(viewer, data, key_hash)])
    except IntegrityError:
        if key_hash is None:
            raise
        session.rollback()
        stored = session.execute(_FLAGS_FOR_KEYS, {"key_hashes": [key_hash]}).first()
        if stored is None:
            raise
        return _stored_views(session, {stored[1]})[stored[1]], False
    return result


def create_flags(session: Session, new: list[NewFlag]) -> list[tuple[FlagView, bool]]:
    """Store many flags in the caller's transaction; returns (flag, created) for each.

    A key already stored, or repeated within `new`, returns the first flag with created
    False, so a key never makes two flags. The whole batch costs a fixed handful of
    statements, whatever its size: this is the API's hot path (benchmarks/flags_load.py),
    and the answer is built from what was written rather than read back. A key inserted
    meanwhile by another transaction raises IntegrityError; the caller rolls back and
    tries again, when the key is found stored.
    """
    connection = session.connection()  # Core statements, without the ORM's per-call overhead
    keys = sorted({n.key_hash for n in new if n.key_hash})
    stored = dict(connection.execute(_FLAGS_FOR_KEYS, {"key_hashes": keys}).all()) if keys else {}
    replays = _stored_views(session, set(stored.values()))
    teams = author_teams(session, {n.viewer.person_id for n in new if n.key_hash not in stored})
    now = utcnow()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows: list[dict[str, object]] = []
    first_row_of_key: dict[str, int] = {}
    plan: list[int] = []  # per item: its row in `rows`, or -1 when its key is stored
    for item in new:
        if item.key_hash in stored:
            plan.append(-1)
        elif item.key_hash in first_row_of_key:
            plan.append(first_row_of_key[item.key_hash])
        else:
            team = teams.get(item.viewer.person_id)
            values = item.data.model_dump() | {"team_id": team[0] if team else None}
            values |= {"created_at": day if item.data.anonymous else now, "status": "open"}
            if item.key_hash is not None:
                first_row_of_key[item.key_hash] = len(rows)
            plan.append(len(rows))
            rows.append(values)
    ids = list(connection.execute(_INSERT_FLAGS, rows).scalars()) if rows else []
    row_items: dict[int, NewFlag] = {}  # each new row and the first item that asked for it
    for item, row in zip(new, plan, strict=True):
        if row >= 0:
            row_items.setdefault(row, item)
    authors = [
        {"flag_id": ids[row], "person_id": item.viewer.person_id}
        for row, item in row_items.items()
        if not item.data.anonymous
    ]
    if authors:
        connection.execute(_INSERT_AUTHOR, authors)
    key_rows = [
        {"key_hash": key, "flag_id": ids[row], "created_at": rows[row]["created_at"]}
        for key, row in first_row_of_key.items()
    ]
    if key_rows:
        connection.execute(_INSERT_KEY, key_rows)
    created = [_new_view(ids[row], rows[row], item, teams) for row, item in row_items.items()]
    seen: set[int] = set()
    results: list[tuple[FlagView, bool]] = []
    for item, row in zip(new, plan, strict=True):
        if row < 0:
            results.append((replays[stored[item.key_hash]], False))  # type: ignore[index]
        else:
            results.append((created[row], row not in seen))
            seen.add(row)
    return results


def _new_view(
    flag_id: int, values: dict[str, object], item: NewFlag, teams: dict[int, tuple[int, str]]
) -> FlagView:
    team = teams.get(item.viewer.person_id)
    return FlagView(
        id=flag_id,
        team_name=team[1] if team else None,
        author_login=None if item.data.anonymous else item.viewer.login,
        answer=None,
        answered_by_login=None,
        answered_at=None,
        **values,  # type: ignore[arg-type]
    )


def _stored_views(session: Session, flag_ids: set[int]) -> dict[int, FlagView]:
    if not flag_ids:
        return {}
    flags = session.exec(select(FrictionFlag).where(col(FrictionFlag.id).in_(flag_ids))).all()
    return {view.id: view for view in _views(session, list(flags))}


# --- who may see which flag ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    viewer: Viewer
    reports: set[int]
    managed: set[int]
    own_teams: set[int]
    sizes: dict[int, int]

    def may_see(self, flag: FrictionFlag, author_id: int | None) -> bool:
        if flag.anonymous:
            if flag.team_id is None:
                return self.viewer.is_admin
            big_enough = self.sizes.get(flag.team_id, 0) >= ANONYMITY_THRESHOLD
            return big_enough and flag.team_id in (self.managed | self.own_teams)
        if self.viewer.is_admin or author_id == self.viewer.person_id:
            return True
        return author_id in self.reports or flag.team_id in self.managed


def _scope(session: Session, viewer: Viewer) -> _Scope:
    return _Scope(
        viewer=viewer,
        reports=all_reports(session, viewer.person_id),
        managed=managed_teams(session, viewer),
        own_teams=teams_of(session, viewer.person_id),
        sizes=team_sizes(session),
    )


def _authors(session: Session, flag_ids: list[int]) -> dict[int, int]:
    if not flag_ids:
        return {}
    rows = session.exec(
        select(FlagAuthor.flag_id, FlagAuthor.person_id).where(
            col(FlagAuthor.flag_id).in_(flag_ids)
        )
    )
    return dict(rows.all())


def visible_flags(
    session: Session,
    viewer: Viewer,
    *,
    repo: str | None = None,
    pull_number: int | None = None,
    path: str | None = None,
    workflow: str | None = None,
    run_id: int | None = None,
    status: str | None = None,
    limit: int = 500,
) -> list[FlagView]:
    """Flags this viewer may see, newest first, optionally only those tied to one item."""
    query = select(FrictionFlag)
    for column, value in (
        (FrictionFlag.repo, repo),
        (FrictionFlag.pull_number, pull_number),
        (FrictionFlag.path, path),
        (FrictionFlag.workflow, workflow),
        (FrictionFlag.run_id, run_id),
        (FrictionFlag.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    flags = list(session.exec(query.order_by(col(FrictionFlag.id).desc())))
    authors = _authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    shown = [f for f in flags if scope.may_see(f, authors.get(f.id or 0))][:limit]
    return _views(session, shown, authors)


def flags_for_item(
    session: Session,
    viewer: Viewer,
    *,
    repo: str | None = None,
    pull_number: int | None = None,
    path: str | None = None,
    workflow: str | None = None,
    run_id: int | None = None,
) -> list[FlagView]:
    """Flags to show beside a PR, file, workflow or run, for this viewer."""
    if not any(v is not None for v in (repo, pull_number, path, workflow, run_id)):
        return []
    return visible_flags(
        session,
        viewer,
        repo=repo,
        pull_number=pull_number,
        path=path,
        workflow=workflow,
        run_id=run_id,
    )


def flags_for_items(
    session: Session,
    viewer: Viewer,
    *,
    pulls: Iterable[tuple[str, int]] = (),
    paths: Iterable[tuple[str, str]] = (),
    workflows: Iterable[tuple[str, str]] = (),
) -> list[FlagView]:
    """Flags to show beside many PRs, files and workflows of a page, for this viewer.

    One query for all of a page's items (not one a row), then the same visibility rule as
    every other listing; a page showing no flagged item costs that one query only.
    """
    wanted = {
        "pull": set(pulls),
        "path": set(paths),
        "workflow": set(workflows),
    }
    repos = {repo for items in wanted.values() for repo, _ in items}
    if not repos:
        return []
    query = select(FrictionFlag).where(
        col(FrictionFlag.repo).in_(sorted(repos)),
        or_(
            col(FrictionFlag.pull_number).in_(sorted({n for _, n in wanted["pull"]})),
            col(FrictionFlag.path).in_(sorted({p for _, p in wanted["path"]})),
            col(FrictionFlag.workflow).in_(sorted({w for _, w in wanted["workflow"]})),
        ),
    )
    flags = [
        f
        for f in session.exec(query.order_by(col(FrictionFlag.id).desc()))
        if (f.repo, f.pull_number) in wanted["pull"]
        or (f.repo, f.path) in wanted["path"]
        or (f.repo, f.workflow) in wanted["workflow"]
    ]
    if not flags:
        return []
    authors = _authors(session, [f.id for f in flags if f.id is not None])
    scope = _scope(session, viewer)
    shown = [f for f in flags if scope.may_see(f, authors.get(f.id or 0))]
    return _views(session, shown, authors)


def list_own(session: Session, viewer: Viewer) -> list[FlagView]:
    """Flags the viewer raised under their name (anonymous ones have no author to find)."""
    flags = list(
        session.exec(
            select(FrictionFlag)
            .join(FlagAuthor, col(FlagAuthor.flag_id) == col(FrictionFlag.id))
            .where(FlagAuthor.person_id == viewer.person_id)
            .order_by(col(FrictionFlag.id).desc())
        )
    )
    return _views(session, flags, {f.id or 0: viewer.person_id for f in flags})


def list_for_manager(session: Session, viewer: Viewer) -> list[TeamFlags]:
    """Per managed team: the flags the viewer may see, and anonymous counts below the threshold.

    Named flags of reports who are in no managed team come under a pseudo-team with id 0.
    """
    scope = _scope(session, viewer)
    flags = list(session.exec(select(FrictionFlag).order_by(col(FrictionFlag.id).desc())))
    authors = _authors(session, [f.id for f in flags if f.id is not None])
    names = {t.id: t.name for t in session.exec(select(Team)) if t.id is not None}
    result: dict[int, TeamFlags] = {
        tid: TeamFlags(team_id=tid, team_name=names[tid], members=scope.sizes.get(tid, 0))
        for tid in sorted(scope.managed)
        if tid in names
    }
    hidden: dict[int, Counter[str]] = {}
    for flag in flags:
        author = authors.get(flag.id or 0)
        if author == viewer.person_id and not viewer.is_admin:
            continue  # your own flags are under "mine", not under the team you manage
        if scope.may_see(flag, author):
            team_id = flag.team_id if flag.team_id in result else 0
            if team_id == 0 and 0 not in result:
                result[0] = TeamFlags(team_id=0, team_name="(no team)", members=0)
            result[team_id].flags.append(_views(session, [flag], authors)[0])
        elif flag.anonymous and flag.team_id in result:
            hidden.setdefault(flag.team_id, Counter())[flag.category] += 1
    for team_id, counts in hidden.items():
        result[team_id].anonymous_counts = dict(sorted(counts.items()))
    return list(result.values())


def get_flag(session: Session, viewer: Viewer, flag_id: int) -> FlagView:
    flag = _visible_flag(session, viewer, flag_id)
    return _views(session, [flag])[0]


def _visible_flag(session: Session, viewer: Viewer, flag_id: int) -> FrictionFlag:
    flag = session.get(FrictionFlag, flag_id)
    if flag is None:
        raise FlagError("no such flag")
    author = _authors(session, [flag_id]).get(flag_id)
    if not _scope(session, viewer).may_see(flag, author):
        raise FlagError("no such flag")  # the same answer, so existence does not leak
    return flag


def _may_answer(session: Session, viewer: Viewer, flag: FrictionFlag) -> bool:
    """Managers of the flag's team or of its named author, and admins; not the author."""
    if viewer.is_admin:
        return True
    author = _authors(session, [flag.id or 0]).get(flag.id or 0)
    if author is not None and author in all_reports(session, viewer.person_id):
        return True
    return flag.team_id is not None and flag.team_id in managed_teams(session, viewer)


def acknowledge(session: Session, viewer: Viewer, flag_id: int) -> FlagView:
    """Say "seen, we are on it"; an answered flag stays answered."""
    flag = _visible_flag(session, viewer, flag_id)
    if not _may_answer(session, viewer, flag):
        raise PermissionError("only a manager of the author or of the team can acknowledge")
    if flag.status == "open":
        flag.status = "acknowledged"
        session.add(flag)
        session.flush()
    return _views(session, [flag])[0]


def answer(session: Session, viewer: Viewer, flag_id: int, note: str) -> FlagView:
    """Close the loop: the note is shown to the author (and to the team for anonymous flags)."""
    flag = _visible_flag(session, viewer, flag_id)
    if not _may_answer(session, viewer, flag):
        raise PermissionError("only a manager of the author or of the team can answer")
    flag.status = "answered"
    flag.answer = note
    flag.answered_by_id = viewer.person_id
    flag.answered_at = utcnow()
    session.add(flag)
    session.flush()
    return _views(session, [flag])[0]


def _views(
    session: Session, flags: list[FrictionFlag], authors: dict[int, int] | None = None
) -> list[FlagView]:
    if authors is None:
        authors = _authors(session, [f.id for f in flags if f.id is not None])
    person_ids = set(authors.values()) | {f.answered_by_id for f in flags if f.answered_by_id}
    logins = (
        dict(
            session.exec(
                select(Person.id, Person.login).where(col(Person.id).in_(person_ids))
            ).all()
        )
        if person_ids
        else {}
    )
    team_ids = {f.team_id for f in flags if f.team_id is not None}
    teams = (
        dict(session.exec(select(Team.id, Team.name).where(col(Team.id).in_(team_ids))).all())
        if team_ids
        else {}
    )
    return [
        FlagView(
            id=f.id or 0,
            team_id=f.team_id,
            team_name=teams.get(f.team_id) if f.team_id is not None else None,
            category=f.category,
            summary=f.summary,
            details=f.details,
            anonymous=f.anonymous,
            author_login=None if f.anonymous else logins.get(authors.get(f.id or 0, -1)),
            repo=f.repo,
            pull_number=f.pull_number,
            path=f.path,
            workflow=f.workflow,
            run_id=f.run_id,
            created_at=as_utc(f.created_at) or f.created_at,
            status=f.status,
            answer=f.answer,
            answered_by_login=logins.get(f.answered_by_id) if f.answered_by_id else None,
            answered_at=as_utc(f.answered_at),
        )
        for f in flags
    ]
