"""Raising friction flags: the write path, built so a flag's author cannot be recovered.

- an anonymous flag gets no `FlagAuthor` row, so no query, export or digest can join back to
  its author;
- its `created_at` is coarsened to the start of its UTC day, so it cannot be matched to the
  author's other activity (or an access log) by the second it was raised;
- it is known outside the database only by a random public id (the row id counts up, and
  would place it between its neighbours);
- its author follows its answers with a key whose hash alone is stored (`app.flags.follow`);
- its idempotency key is stored as SHA-256 of (a hash of the token secret, the key): the token
  secret is never stored, so even someone holding the database cannot link the key to a token;
- nothing here logs who posted what.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.access import Viewer
from app.core.models import (
    FlagAuthor,
    FrictionFlag,
    IdempotencyKey,
    Repository,
    Team,
    TeamMember,
)
from app.core.models.base import utcnow
from app.core.models.flags import new_public_id
from app.flags.schemas import FlagCreate, FlagView
from app.flags.views import stored_views
from dashboards.reports.repositories import known_repositories, unknown_repository_message


class UnknownRepositoryError(ValueError):
    """A flag names a repository that was never collected (a typo, most likely); `str()` is
    the sentence every front door gives for that, naming the known ones."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(unknown_repository_message(name, known))


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
_KNOWN_REPOS = select(Repository.name).where(
    col(Repository.name).in_(bindparam("names", expanding=True))
)
_INSERT_FLAGS = _FLAG_TABLE.insert().returning(_FLAG_TABLE.c.id, sort_by_parameter_order=True)
_INSERT_AUTHOR = FlagAuthor.__table__.insert()  # type: ignore[attr-defined]
_INSERT_KEY = IdempotencyKey.__table__.insert()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewFlag:
    """One flag to store: who raises it, what they sent, the hash of its Idempotency-Key and
    (anonymous flags) the hash of its follow key."""

    viewer: Viewer
    data: FlagCreate
    key_hash: str | None = None
    follow_hash: str | None = None


def unknown_repositories(session: Session, names: Iterable[str | None]) -> set[str]:
    """Which of `names` no collect has stored (one query, whatever their number)."""
    wanted = {name for name in names if name is not None}
    if not wanted:
        return set()
    known = session.connection().execute(_KNOWN_REPOS, {"names": sorted(wanted)}).scalars()
    return wanted - set(known)


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
    follow_hash: str | None = None,
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
        [result] = create_flags(session, [NewFlag(viewer, data, key_hash, follow_hash)])
    except IntegrityError:
        if key_hash is None:
            raise
        session.rollback()
        stored = session.execute(_FLAGS_FOR_KEYS, {"key_hashes": [key_hash]}).first()
        if stored is None:
            raise
        return stored_views(session, {stored[1]})[stored[1]], False
    return result


def create_flags(session: Session, new: list[NewFlag]) -> list[tuple[FlagView, bool]]:
    """Store many flags in the caller's transaction; returns (flag, created) for each.

    A key already stored, or repeated within `new`, returns the first flag with created
    False, so a key never makes two flags. The whole batch costs a fixed handful of
    statements, whatever its size: this is the API's hot path (benchmarks/flags_load.py),
    and the answer is built from what was written rather than read back. A key inserted
    meanwhile by another transaction raises IntegrityError; the caller rolls back and
    tries again, when the key is found stored. A repository that was never collected raises
    UnknownRepositoryError before anything is written (the writer sorts those out first).
    """
    unknown = unknown_repositories(session, (n.data.repo for n in new))
    if unknown:
        raise UnknownRepositoryError(min(unknown), known_repositories(session))
    connection = session.connection()  # Core statements, without the ORM's per-call overhead
    keys = sorted({n.key_hash for n in new if n.key_hash})
    stored = dict(connection.execute(_FLAGS_FOR_KEYS, {"key_hashes": keys}).all()) if keys else {}
    replays = stored_views(session, set(stored.values()))
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
            values |= {
                "created_at": day if item.data.anonymous else now,
                "status": "open",
                "public_id": new_public_id(),
                "follow_hash": item.follow_hash if item.data.anonymous else None,
            }
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
    created = [_new_view(rows[row], item, teams) for row, item in row_items.items()]
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
    values: dict[str, object], item: NewFlag, teams: dict[int, tuple[int, str]]
) -> FlagView:
    team = teams.get(item.viewer.person_id)
    shown = {k: v for k, v in values.items() if k not in ("public_id", "follow_hash")}
    return FlagView(
        id=str(values["public_id"]),
        team_name=team[1] if team else None,
        author_login=None if item.data.anonymous else item.viewer.login,
        answer=None,
        answered_by_login=None,
        answered_at=None,
        **shown,  # type: ignore[arg-type]
    )
