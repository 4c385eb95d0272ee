"""Store a repository's history: batched executemany inserts, a resumable cursor, one run at a time.

How a run stays correct whatever happens to it:
- the `SyncCursor(source="git")` row holds JSON `{"head": sha, "pending": {...}}`: `head` is
  the last HEAD stored completely; `pending` names the HEAD being stored and `boundary`, the
  highest commit id that existed before that run began;
- each batch of commits is one transaction that also renews the lease on the cursor row, so
  a crash loses at most the batch in flight; a rerun towards the same HEAD skips commits the
  crashed run stored (ids above `boundary`) and redoes the rest;
- the last transaction applies what needs the whole walk (renames onto older rows, removal of
  commits no longer reachable, files at HEAD) and sets `head`, so the data only ever says it is
  complete when it is;
- a fast-forward reads only `old_head..HEAD`; anything else (first run, `--full`, a rewritten
  history, a crashed run whose HEAD has since moved) re-reads the whole history, keeps the
  commits still reachable (rewriting their file rows), adds new ones and deletes the rest;
- two runs at once: the lease (collectors/git_lease.py) is claimed with one conditional
  UPDATE; the loser gets CollectRefused. A lease held by a dead process on this host is taken
  over at once, so a killed run never blocks the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Connection, bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine

from app.models import Commit, FileChange, RepoFile, Repository
from collectors import git_log
from collectors.git_lease import SOURCE, Lease, cursor_t, ensure_row
from collectors.git_log import CommitRecord, PathMap

BATCH_COMMITS = 5000
CRASH_ENV = "GEMBA_TEST_GIT_CRASH_AFTER_BATCHES"  # tests only: exit hard after K batches

commit_t = Commit.__table__  # type: ignore[attr-defined]
change_t = FileChange.__table__  # type: ignore[attr-defined]
file_t = RepoFile.__table__  # type: ignore[attr-defined]
repo_t = Repository.__table__  # type: ignore[attr-defined]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CollectResult:
    repository: str
    mode: str  # "full", "incremental" or "unchanged"
    head: str
    commits_read: int
    commits_added: int
    commits_removed: int
    file_changes_written: int
    files_at_head: int | None  # None when nothing was read (HEAD unchanged)


# --- writing ----------------------------------------------------------------------------------


COMMIT_COLUMNS = (
    "repository_id",
    "sha",
    "author_name",
    "author_email",
    "authored_at",
    "committed_at",
    "is_merge",
    "is_bot",
    "summary",
)
CHANGE_COLUMNS = ("commit_id", "path", "old_path", "added", "deleted", "is_binary")


def _commit_row(repo_id: int, record: CommitRecord) -> tuple[Any, ...]:
    return (
        repo_id,
        record.sha,
        record.author_name[:300],
        record.author_email[:320],
        record.authored_at,
        record.committed_at,
        record.is_merge,
        record.is_bot,
        record.summary,
    )


def _change_rows(commit_id: int, record: CommitRecord) -> Iterator[tuple[Any, ...]]:
    for change in record.changes:
        yield (
            commit_id,
            change.path,
            change.old_path,
            change.added,
            change.deleted,
            change.is_binary,
        )


def bulk_insert(
    conn: Connection, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """DBAPI executemany with the column types' own conversions, minus per-row Core overhead.

    Core's executemany spends ~25 us a row building parameters; at 10^5-10^6 rows that is
    longer than `git log` itself, and this path is the collector's hot loop.
    """
    if not rows:
        return
    dialect = conn.dialect
    types = [table.c[name].type for name in columns]
    processors = [
        None if isinstance(kind, Boolean) else kind.dialect_impl(dialect).bind_processor(dialect)
        for kind in types
    ]  # Python bools are valid parameters for sqlite3 and psycopg alike
    active = [(i, f) for i, f in enumerate(processors) if f is not None]
    if active:
        converted = []
        for row in rows:
            values = list(row)
            for index, function in active:
                values[index] = function(values[index])
            converted.append(tuple(values))
        rows = converted
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    preparer = dialect.identifier_preparer
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        preparer.format_table(table),
        ", ".join(preparer.quote(name) for name in columns),
        ", ".join(mark for _ in columns),
    )
    conn.exec_driver_sql(sql, rows)  # type: ignore[arg-type]


def _commit_ids(conn: Connection, repo_id: int, shas: list[str]) -> dict[str, int]:
    """Ids of commits just inserted, by sha: one plain SELECT ... IN per batch.

    Written as SQL text: SQLAlchemy renders each bound IN value through its compiler
    (~10 us each), which at 100,000 commits costs more than the query.
    """
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    preparer = conn.dialect.identifier_preparer
    sql = "SELECT sha, id FROM {} WHERE repository_id = {} AND sha IN ({})".format(
        preparer.format_table(commit_t), mark, ", ".join([mark] * len(shas))
    )
    return dict(conn.exec_driver_sql(sql, (repo_id, *shas)).all())  # type: ignore[arg-type]


class Writer:
    """Buffers records and writes them a batch per transaction."""

    def __init__(
        self, lease: Lease, repo_id: int, stored: dict[str, int], boundary: int, batch: int
    ) -> None:
        self.lease = lease
        self.batch = batch
        self.repo_id = repo_id
        self.stored = stored
        self.boundary = boundary
        self.new: list[CommitRecord] = []
        self.rewrite: list[tuple[int, CommitRecord]] = []
        self.batches = 0
        self.added = 0
        self.changes = 0
        self.crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)

    def add(self, record: CommitRecord) -> None:
        known = self.stored.get(record.sha)
        if known is None:
            self.new.append(record)
        elif known <= self.boundary:
            self.rewrite.append((known, record))
        if len(self.new) + len(self.rewrite) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.new and not self.rewrite:
            return
        with self.lease.engine.begin() as conn:
            self.lease.renew(conn)
            changes: list[tuple[Any, ...]] = []
            if self.new:
                bulk_insert(
                    conn,
                    commit_t,
                    COMMIT_COLUMNS,
                    [_commit_row(self.repo_id, r) for r in self.new],
                )
                ids = _commit_ids(conn, self.repo_id, [r.sha for r in self.new])
                for record in self.new:
                    changes.extend(_change_rows(ids[record.sha], record))
            if self.rewrite:
                ids_ = [commit_id for commit_id, _ in self.rewrite]
                conn.execute(delete(change_t).where(change_t.c.commit_id.in_(ids_)))
                conn.execute(
                    update(commit_t).where(commit_t.c.id == bindparam("cid")),
                    [
                        {
                            "cid": cid,
                            **dict(zip(COMMIT_COLUMNS, _commit_row(self.repo_id, r), strict=True)),
                        }
                        for cid, r in self.rewrite
                    ],
                )
                for commit_id, record in self.rewrite:
                    changes.extend(_change_rows(commit_id, record))
            bulk_insert(conn, change_t, CHANGE_COLUMNS, changes)
        self.added += len(self.new)
        self.changes += len(changes)
        self.new, self.rewrite = [], []
        self.batches += 1
        if self.crash_after and self.batches >= self.crash_after:
            os._exit(75)


def _apply_renames(conn: Connection, repo_id: int, boundary: int, renames: dict[str, str]) -> None:
    """Move rows stored before this run onto the paths their files have now."""
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


def _remove_unreachable(conn: Connection, stored: dict[str, int], reachable: set[str]) -> int:
    gone = [commit_id for sha, commit_id in stored.items() if sha not in reachable]
    for start in range(0, len(gone), 500):
        part = gone[start : start + 500]
        conn.execute(delete(change_t).where(change_t.c.commit_id.in_(part)))
        conn.execute(delete(commit_t).where(commit_t.c.id.in_(part)))
    return len(gone)


def _refresh_files(conn: Connection, repo_id: int, files: Iterable[git_log.HeadFileRecord]) -> int:
    """Make RepoFile equal to the files at HEAD, touching only rows that changed."""
    current = {
        path: (loc, binary)
        for path, loc, binary in conn.execute(
            select(file_t.c.path, file_t.c.loc, file_t.c.is_binary).where(
                file_t.c.repository_id == repo_id
            )
        )
    }
    wanted = {f.path: (f.loc, f.is_binary) for f in files}
    gone = [{"p": p} for p in current if p not in wanted]
    fresh = [
        {"repository_id": repo_id, "path": p, "loc": loc, "is_binary": binary}
        for p, (loc, binary) in wanted.items()
        if p not in current
    ]
    changed = [
        {"p": p, "new_loc": loc, "new_binary": binary}
        for p, (loc, binary) in wanted.items()
        if p in current and current[p] != (loc, binary)
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
            .values(loc=bindparam("new_loc"), is_binary=bindparam("new_binary")),
            changed,
        )
    return len(wanted)


# --- the run ----------------------------------------------------------------------------------


def default_jobs() -> int:
    """One `git log` per core for the older slices, plus the newest one this process streams.

    This process spends its time inserting and only parses the newest slice, so a slice per
    core besides its own keeps every core busy (measured: 3 slices beat 2 on 2 cores).
    """
    return (os.cpu_count() or 1) + 1


def _repository_id(engine: Engine, name: str, path: Path, branch: str | None) -> int:
    with engine.begin() as conn:
        repo_id = ensure_row(conn, repo_t, {"name": name}, {"path": str(path)})
        conn.execute(
            update(repo_t)
            .where(repo_t.c.id == repo_id)
            .values(path=str(path), default_branch=branch)
        )
    return repo_id


def _stored_commits(engine: Engine, repo_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(commit_t.c.sha, commit_t.c.id).where(commit_t.c.repository_id == repo_id)
        )
        return {sha: int(commit_id) for sha, commit_id in rows}


def _plan(position: dict[str, Any], head: str, full: bool, repo: Any) -> tuple[str, int | None]:
    """Which mode this run uses, and the boundary it inherits from a crashed run (if any)."""
    pending = position.get("pending")
    if pending and pending.get("target") == head and not full:
        return pending["mode"], int(pending["boundary"])
    old = position.get("head")
    if pending or full or not old:
        return "full", None
    if old == head:
        return "unchanged", None
    return ("incremental" if git_log.is_ancestor(repo, old, head) else "full"), None


def collect_git(
    engine: Engine,
    path: str | Path,
    *,
    name: str | None = None,
    full: bool = False,
    bot_logins: Sequence[str] = (),
    jobs: int | None = None,
    batch_commits: int = BATCH_COMMITS,
    progress: Progress | None = None,
) -> CollectResult:
    """Bring the stored history of the repository at `path` up to its HEAD.

    Raises GitInputError for a path that cannot be collected and CollectRefused when another
    run holds this repository.
    """
    repo = git_log.open_repository(path)
    root = Path(repo.working_tree_dir or repo.git_dir).resolve()
    name = name or root.name
    head = git_log.head_sha(repo)
    lease = Lease(engine, name)
    lease.claim()
    try:
        return _run(
            engine, repo, root, name, head, lease, full, bot_logins, jobs, batch_commits, progress
        )
    finally:
        lease.release()


def _run(
    engine: Engine,
    repo: Any,
    root: Path,
    name: str,
    head: str,
    lease: Lease,
    full: bool,
    bot_logins: Sequence[str],
    jobs: int | None,
    batch_commits: int,
    progress: Progress | None,
) -> CollectResult:
    position = lease.position()
    mode, boundary = _plan(position, head, full, repo)
    if mode == "unchanged":
        return CollectResult(name, mode, head, 0, 0, 0, 0, None)
    branch = None if repo.head.is_detached else repo.active_branch.name
    repo_id = _repository_id(engine, name, root, branch)
    stored = _stored_commits(engine, repo_id)
    if boundary is None:
        boundary = max(stored.values(), default=0)
        pending = {"target": head, "mode": mode, "boundary": boundary}
        with engine.begin() as conn:
            lease.renew(conn, position=json.dumps({**position, "pending": pending}))
    old_head = position.get("head") if mode == "incremental" else None
    shas = git_log.rev_list(repo, head, exclude=old_head)
    path_map = PathMap()
    writer = Writer(lease, repo_id, stored, boundary, batch_commits)
    if mode == "incremental":
        writer.boundary = -1  # commits in the range are never rewritten, only added or skipped
    read = 0
    records = git_log.iter_commits(
        repo, shas, path_map=path_map, bot_logins=bot_logins, jobs=jobs or default_jobs()
    )
    for record in records:
        writer.add(record)
        read += 1
        if progress is not None and read % 500 == 0:
            progress(read, len(shas))
    writer.flush()
    if progress is not None:
        progress(read, len(shas))
    files = list(git_log.head_files(repo, head))
    with engine.begin() as conn:
        lease.renew(conn)
        removed = 0
        if mode == "incremental":
            _apply_renames(conn, repo_id, boundary, path_map.renames)
        else:
            removed = _remove_unreachable(conn, stored, set(shas))
        count = _refresh_files(conn, repo_id, files)
        lease.renew(conn, position=json.dumps({"head": head}))
    return CollectResult(name, mode, head, read, writer.added, removed, writer.changes, count)


def stored_head(engine: Engine, name: str) -> str | None:
    """The HEAD whose history is completely stored for `name`, if any."""
    with engine.connect() as conn:
        raw = conn.execute(
            select(cursor_t.c.position).where(
                cursor_t.c.source == SOURCE, cursor_t.c.repository == name
            )
        ).scalar()
    return json.loads(raw).get("head") if raw else None
