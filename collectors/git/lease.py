"""One collect at a time per repository: a lease on its SyncCursor row.

The lease (`locked_by` = "host:pid", `locked_until`) is claimed with one conditional UPDATE,
renewed inside every write transaction, and released at the end. A lease whose holder is a
dead process on this host is taken over at once, so a killed run never blocks the next one;
a holder on another host blocks until `locked_until` passes.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from collectors.git.tables import cursor_t

SOURCE = "git"
LEASE = timedelta(minutes=10)


class CollectRefused(RuntimeError):
    """Another run holds the lease on this repository."""


def _now() -> datetime:
    return datetime.now(UTC)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _stale(locked_by: str | None) -> bool:
    """True when the lease holder is a process on this host that no longer exists."""
    if not locked_by or ":" not in locked_by:
        return False
    host, _, pid = locked_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# --- repository row, cursor and lease ---------------------------------------------------------


def ensure_row(conn: Connection, table: Any, where: dict[str, Any], values: dict[str, Any]) -> int:
    """Id (or presence) of a row, inserting it when missing; a racing insert is tolerated."""
    query = select(table.c.id).where(*(table.c[k] == v for k, v in where.items()))
    found = conn.execute(query).scalar()
    if found is not None:
        return int(found)
    try:
        with conn.begin_nested():
            conn.execute(insert(table).values(**where, **values))
    except IntegrityError:
        pass
    return int(conn.execute(query).scalar_one())


class Lease:
    """The cursor row of one repository, held by this process while it writes."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.owner = _owner()
        with engine.begin() as conn:
            self.cursor_id = ensure_row(
                conn,
                cursor_t,
                {"source": SOURCE, "repository": name},
                {"position": "", "updated_at": _now()},
            )

    def claim(self) -> None:
        now = _now()
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(cursor_t)
                .where(
                    cursor_t.c.id == self.cursor_id,
                    or_(cursor_t.c.locked_until.is_(None), cursor_t.c.locked_until < now),
                )
                .values(locked_by=self.owner, locked_until=now + LEASE)
            ).rowcount
            if claimed:
                return
            holder = conn.execute(
                select(cursor_t.c.locked_by).where(cursor_t.c.id == self.cursor_id)
            ).scalar()
            if _stale(holder):
                taken = conn.execute(
                    update(cursor_t)
                    .where(cursor_t.c.id == self.cursor_id, cursor_t.c.locked_by == holder)
                    .values(locked_by=self.owner, locked_until=now + LEASE)
                ).rowcount
                if taken:
                    return
        raise CollectRefused(
            f"another `gemba collect git` is running for {self.name!r} ({holder}); "
            "wait for it to finish and run again"
        )

    def renew(self, conn: Connection, **values: Any) -> None:
        """Extend the lease inside the caller's transaction; fail if someone took it."""
        done = conn.execute(
            update(cursor_t)
            .where(cursor_t.c.id == self.cursor_id, cursor_t.c.locked_by == self.owner)
            .values(locked_until=_now() + LEASE, updated_at=_now(), **values)
        ).rowcount
        if not done:
            raise CollectRefused(f"lost the lease on {self.name!r} to another run")

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(cursor_t)
                .where(cursor_t.c.id == self.cursor_id, cursor_t.c.locked_by == self.owner)
                .values(locked_by=None, locked_until=None)
            )

    def position(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(cursor_t.c.position).where(cursor_t.c.id == self.cursor_id)
            ).scalar()
        return json.loads(raw) if raw else {}
