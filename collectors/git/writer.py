"""Writing a repository's history: batched executemany inserts of commits and file changes,
then what needs the whole walk (renames onto older rows, unreachable commits, files at HEAD).

`collectors.git.store` runs a collection and decides what to write; this module only writes,
in the caller's connection and transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, delete, insert, select, update
from sqlalchemy.engine import Dialect

from collectors.git import log as git_log
from collectors.git import tree as git_tree
from collectors.git.early import sqlite_time
from collectors.git.lease import Lease
from collectors.git.log import ChangeRow, CommitRow
from collectors.git.tables import change_t, commit_t, file_t

CRASH_ENV = "GEMBA_TEST_GIT_CRASH_AFTER_BATCHES"  # tests only: exit hard after K batches


COMMIT_COLUMNS = (
    "sha",
    "author_name",
    "author_email",
    "authored_at",
    "committed_at",
    "is_merge",
    "is_bot",
    "summary",
)  # the order of git_log.CommitRow
CHANGE_COLUMNS = ("commit_id", "path", "old_path", "added", "deleted", "is_binary")


def time_value_for(dialect: Dialect) -> git_log.TimeValue:
    """Unix time -> the value this database's driver takes for a UTC timestamp column.

    Computed in the worker processes with the rest of a row, so that this process hands rows
    to `executemany` as they come: no per-row conversion on the insert path.
    """
    process = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return git_log.utc_time
    if dialect.name == "sqlite":
        return sqlite_time  # SQLAlchemy's own text for it (a test holds them equal)
    return lambda timestamp: process(git_log.utc_time(timestamp))


class Statements:
    """The collector's hot statements as plain SQL for `exec_driver_sql` (DBAPI executemany).

    Core's executemany spends ~25 us a row building parameters; at 10^5-10^6 rows that is
    longer than `git log` itself. The repository id is an integer we read, so it is written
    into the SQL, which lets a worker's `CommitRow` go to the driver unchanged.
    """

    def __init__(self, dialect: Dialect, repo_id: int) -> None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        commit, change = quote(commit_t.name), quote(change_t.name)
        marks = ", ".join([mark] * len(COMMIT_COLUMNS))
        self.mark = mark
        self.insert_commits = (
            f"INSERT INTO {commit} (repository_id, {', '.join(map(quote, COMMIT_COLUMNS))}) "
            f"VALUES ({int(repo_id)}, {marks})"
        )
        self.update_commit = (
            f"UPDATE {commit} SET {', '.join(f'{quote(c)} = {mark}' for c in COMMIT_COLUMNS)} "
            f"WHERE id = {mark}"
        )
        self.insert_changes = (
            f"INSERT INTO {change} ({', '.join(map(quote, CHANGE_COLUMNS))}) "
            f"VALUES ({', '.join([mark] * len(CHANGE_COLUMNS))})"
        )
        self.select_ids = (
            f"SELECT sha, id FROM {commit} WHERE repository_id = {int(repo_id)} AND sha IN "
        )

    def commit_ids(self, conn: Connection, shas: list[str]) -> dict[str, int]:
        """Ids of commits just inserted, by sha: one plain SELECT ... IN per batch.

        Written as SQL text: SQLAlchemy renders each bound IN value through its compiler
        (~10 us each), which at 100,000 commits costs more than the query.
        """
        sql = f"{self.select_ids}({', '.join([self.mark] * len(shas))})"
        return dict(conn.exec_driver_sql(sql, tuple(shas)).all())  # type: ignore[arg-type]


class Writer:
    """Buffers rows and writes them `batch` commits per transaction."""

    def __init__(
        self,
        lease: Lease,
        statements: Statements,
        stored: dict[str, int],
        boundary: int,
        batch: int,
    ) -> None:
        self.lease = lease
        self.sql = statements
        self.batch = batch
        self.stored = stored
        self.boundary = boundary
        self.commits: list[tuple[int | None, CommitRow]] = []  # (stored id to rewrite, row)
        self.changes: list[ChangeRow] = []
        self.batches = 0
        self.read = 0
        self.added = 0
        self.written_changes = 0
        self.crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)

    def add(self, batch: git_log.Batch) -> None:
        """Queue a batch's commits (but those a crashed run already stored) with their changes."""
        changes, end, count = batch.changes, 0, len(batch.changes)
        for row in batch.commits:
            sha, start = row[0], end
            while end < count and changes[end][0] == sha:
                end += 1
            self.read += 1
            known = self.stored.get(sha)
            if known is not None and known > self.boundary:
                continue  # stored by the crashed run this one resumes
            self.commits.append((known, row))
            self.changes.extend(changes[start:end])
            if len(self.commits) >= self.batch:
                self.flush()

    def flush(self) -> None:
        if not self.commits:
            return
        new = [row for known, row in self.commits if known is None]
        rewrite = [(known, row) for known, row in self.commits if known is not None]
        with self.lease.engine.begin() as conn:
            self.lease.renew(conn)
            ids: dict[str, int] = {}
            if new:
                conn.exec_driver_sql(self.sql.insert_commits, new)  # type: ignore[arg-type]
                ids = self.sql.commit_ids(conn, [row[0] for row in new])
            if rewrite:
                kept = [known for known, _ in rewrite]
                conn.execute(delete(change_t).where(change_t.c.commit_id.in_(kept)))
                updates = [(*row, known) for known, row in rewrite]
                conn.exec_driver_sql(self.sql.update_commit, updates)  # type: ignore[arg-type]
                ids.update((row[0], known) for known, row in rewrite)
            rows = [(ids[sha], *rest) for sha, *rest in self.changes]
            if rows:
                conn.exec_driver_sql(self.sql.insert_changes, rows)  # type: ignore[arg-type]
        self.added += len(new)
        self.written_changes += len(rows)
        self.commits, self.changes = [], []
        self.batches += 1
        if self.crash_after and self.batches >= self.crash_after:
            os._exit(75)


def apply_renames(conn: Connection, repo_id: int, boundary: int, renames: dict[str, str]) -> None:
    """Move rows stored before this run onto the paths their files have now (`renames` maps
    the old HEAD's paths; a file deleted since has its lineage ended)."""
    if not renames:
        return
    keys = list(renames)
    moves: list[dict[str, Any]] = []
    for start in range(0, len(keys), 500):
        rows = conn.execute(
            select(change_t.c.id, change_t.c.path)
            .join(commit_t, commit_t.c.id == change_t.c.commit_id)
            .where(
                commit_t.c.repository_id == repo_id,
                commit_t.c.id <= boundary,
                change_t.c.path.in_(keys[start : start + 500]),
            )
        )
        moves.extend({"cid": cid, "new_path": renames[path]} for cid, path in rows)
    if moves:
        conn.execute(
            update(change_t)
            .where(change_t.c.id == bindparam("cid"))
            .values(path=bindparam("new_path")),
            moves,
        )


def remove_unreachable(conn: Connection, stored: dict[str, int], reachable: set[str]) -> int:
    gone = [commit_id for sha, commit_id in stored.items() if sha not in reachable]
    for start in range(0, len(gone), 500):
        part = gone[start : start + 500]
        conn.execute(delete(change_t).where(change_t.c.commit_id.in_(part)))
        conn.execute(delete(commit_t).where(commit_t.c.id.in_(part)))
    return len(gone)


def refresh_files(conn: Connection, repo_id: int, files: Iterable[git_tree.HeadFileRecord]) -> int:
    """Make RepoFile equal to the files at HEAD, touching only rows that changed."""
    current = {
        path: (loc, binary, size)
        for path, loc, binary, size in conn.execute(
            select(file_t.c.path, file_t.c.loc, file_t.c.is_binary, file_t.c.size_bytes).where(
                file_t.c.repository_id == repo_id
            )
        )
    }
    wanted = {f.path: (f.loc, f.is_binary, f.size_bytes) for f in files}
    gone = [{"p": p} for p in current if p not in wanted]
    fresh = [
        {"repository_id": repo_id, "path": p, "loc": loc, "is_binary": binary, "size_bytes": size}
        for p, (loc, binary, size) in wanted.items()
        if p not in current
    ]
    changed = [
        {"p": p, "new_loc": loc, "new_binary": binary, "new_size": size}
        for p, (loc, binary, size) in wanted.items()
        if p in current and current[p] != (loc, binary, size)
    ]
    here = file_t.c.repository_id == repo_id
    if gone:
        conn.execute(delete(file_t).where(here, file_t.c.path == bindparam("p")), gone)
    if fresh:
        conn.execute(insert(file_t), fresh)
    if changed:
        conn.execute(
            update(file_t)
            .where(here, file_t.c.path == bindparam("p"))
            .values(
                loc=bindparam("new_loc"),
                is_binary=bindparam("new_binary"),
                size_bytes=bindparam("new_size"),
            ),
            changed,
        )
    return len(wanted)
