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

import contextlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from collectors.git import history as git_history
from collectors.git import log as git_log
from collectors.git import tree as git_tree
from collectors.git.early import StartedRead, default_jobs, open_target
from collectors.git.lease import SOURCE, Lease, cursor_t, ensure_row
from collectors.git.lineage import Lineage
from collectors.git.tables import repo_t
from collectors.git.writer import (
    Statements,
    Writer,
    apply_renames,
    commit_t,
    refresh_files,
    remove_unreachable,
    time_value_for,
)

BATCH_COMMITS = 5000

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
    started: StartedRead | None = None,
) -> CollectResult:
    """Bring the stored history of the repository at `path` up to its HEAD.

    `started` is a whole-history read begun before the database was opened (a first collect,
    collectors/git/early.py): used when this run reads the whole history with the same
    options, closed otherwise. Raises GitInputError for a path that cannot be collected and
    CollectRefused when another run holds this repository.
    """
    try:
        if started is not None and started.name == (name or started.root.name):
            repo, root, name, head = started.repo, started.root, started.name, started.head
        else:
            repo, root, name, head = open_target(path, name)
        jobs = jobs or default_jobs()
        if started is not None and not _fits(started, engine, name, bot_logins, jobs):
            started.close()
            started = None
        lease = Lease(engine, name)
        lease.claim()
        try:
            return _run(
                engine, repo, root, name, head, lease, full, bot_logins, jobs, batch_commits,
                progress, started,
            )  # fmt: skip
        finally:
            lease.release()
    finally:
        if started is not None:
            started.close()


def _fits(
    started: StartedRead, engine: Engine, name: str, bot_logins: Sequence[str], jobs: int
) -> bool:
    """Whether a started read gives what this run would read itself (its plan aside)."""
    return (
        started.name == name
        and started.time_value is time_value_for(engine.dialect)
        and started.bot_logins == tuple(bot_logins)
        and started.jobs == jobs
    )


def _run(
    engine: Engine,
    repo: Any,
    root: Path,
    name: str,
    head: str,
    lease: Lease,
    full: bool,
    bot_logins: Sequence[str],
    jobs: int,
    batch_commits: int,
    progress: Progress | None,
    started: StartedRead | None,
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
    if started is not None and mode == "full" and started.head == head:
        history, lineage = started.history, started.lineage
        batches = started.batches
    else:
        history = git_log.History(repo, head, exclude=old_head)  # walked while we read
        lineage = Lineage(history.parents)
        batches = git_history.iter_batches(
            repo,
            history,
            lineage=lineage,
            bot_logins=bot_logins,
            jobs=jobs,
            time_value=time_value_for(engine.dialect),
        )
    # In an incremental run, commits in the range are never rewritten, only added or skipped.
    writer = Writer(
        lease,
        Statements(engine.dialect, repo_id),
        stored,
        -1 if mode == "incremental" else boundary,
        batch_commits,
    )
    with ThreadPoolExecutor(max_workers=1) as background, contextlib.closing(batches):
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
            apply_renames(conn, repo_id, boundary, lineage.renames_at(old_head))
        else:
            removed = remove_unreachable(conn, stored, set(history.shas))
        count = refresh_files(conn, repo_id, files)
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
