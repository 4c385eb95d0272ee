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
- two runs at once: the lease (collectors/git/lease.py) is claimed with one conditional
  UPDATE; the loser gets CollectRefused. A lease held by a dead process on this host is taken
  over at once, so a killed run never blocks the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, delete, insert, select, update
from sqlalchemy.engine import Dialect, Engine

from app.core.models import Commit, FileChange, RepoFile, Repository
from collectors.git import history as git_history
from collectors.git import log as git_log
from collectors.git import tree as git_tree
from collectors.git.lease import SOURCE, Lease, cursor_t, ensure_row
from collectors.git.lineage import Lineage
from collectors.git.log import ChangeRow, CommitRow

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
        return _sqlite_text  # SQLAlchemy's own text for it (a test holds them equal), 3x faster
    return lambda timestamp: process(git_log.utc_time(timestamp))


def _sqlite_text(timestamp: int) -> str:
    """`YYYY-MM-DD HH:MM:SS.ffffff` in UTC: how SQLAlchemy stores a DateTime in SQLite."""
    return (
        datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    )


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


def _apply_renames(conn: Connection, repo_id: int, boundary: int, renames: dict[str, str]) -> None:
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


def _remove_unreachable(conn: Connection, stored: dict[str, int], reachable: set[str]) -> int:
    gone = [commit_id for sha, commit_id in stored.items() if sha not in reachable]
    for start in range(0, len(gone), 500):
        part = gone[start : start + 500]
        conn.execute(delete(change_t).where(change_t.c.commit_id.in_(part)))
        conn.execute(delete(commit_t).where(commit_t.c.id.in_(part)))
    return len(gone)


def _refresh_files(conn: Connection, repo_id: int, files: Iterable[git_tree.HeadFileRecord]) -> int:
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
    """One worker process (`git log` plus its parse) per core.

    This process only inserts (a fifth of the CPU of a full collect), so it shares a core
    with a worker; more workers than cores only adds switching.
    """
    return os.cpu_count() or 1


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


def _read_head_files(repo: Any, head: str) -> list[git_tree.HeadFileRecord]:
    """Files at HEAD with their line counts: read while the history is stored, off its path."""
    return list(git_tree.head_files(repo, head))


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
    history = git_log.History(repo, head, exclude=old_head)  # walked while we read
    lineage = Lineage(history.parents)
    # In an incremental run, commits in the range are never rewritten, only added or skipped.
    writer = Writer(
        lease,
        Statements(engine.dialect, repo_id),
        stored,
        -1 if mode == "incremental" else boundary,
        batch_commits,
    )
    batches = git_history.iter_batches(
        repo,
        history,
        lineage=lineage,
        bot_logins=bot_logins,
        jobs=jobs or default_jobs(),
        time_value=time_value_for(engine.dialect),
    )
    with ThreadPoolExecutor(max_workers=1) as background:
        files_at_head: Future[list[git_tree.HeadFileRecord]] | None = None
        for batch in batches:
            if files_at_head is None:  # only now: the workers are forked, so fork saw no thread
                files_at_head = background.submit(_read_head_files, repo, head)
            writer.add(batch)
            if progress is not None:
                progress(writer.read, len(history.shas))
        writer.flush()
        read = writer.read
        if progress is not None:
            progress(read, len(history.shas))
        files = files_at_head.result() if files_at_head else _read_head_files(repo, head)
    with engine.begin() as conn:
        lease.renew(conn)
        removed = 0
        if mode == "incremental":
            assert old_head is not None
            _apply_renames(conn, repo_id, boundary, lineage.renames_at(old_head))
        else:
            removed = _remove_unreachable(conn, stored, set(history.shas))
        count = _refresh_files(conn, repo_id, files)
        lease.renew(conn, position=json.dumps({"head": head}))
    return CollectResult(
        name, mode, head, read, writer.added, removed, writer.written_changes, count
    )


def stored_head(engine: Engine, name: str) -> str | None:
    """The HEAD whose history is completely stored for `name`, if any."""
    with engine.connect() as conn:
        raw = conn.execute(
            select(cursor_t.c.position).where(
                cursor_t.c.source == SOURCE, cursor_t.c.repository == name
            )
        ).scalar()
    return json.loads(raw).get("head") if raw else None
