"""A first collect starts reading the history before the database layer is loaded.

Into a new SQLite file there is nothing stored to plan against: the run will read the whole
history to HEAD. So `gemba collect git` opens the repository, starts `git rev-list` and the
worker processes with their chunks (collectors/git/history.py), and only then imports
SQLAlchemy and the table models and builds the schema, which on a history of a few thousand
commits take about as long as the reading itself; the two overlap instead of adding up.

Nothing here imports SQLAlchemy. The store uses a started read only when its own plan says
"full" and the timestamps are in the database's form (`collectors.git.store.collect_git`);
otherwise it closes it and reads as usual.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collectors.git import log as git_log
from collectors.git.history import Reading, iter_batches
from collectors.git.lineage import Lineage


def sqlite_time(timestamp: int) -> str:
    """`YYYY-MM-DD HH:MM:SS.ffffff` in UTC: how SQLAlchemy stores a DateTime in SQLite (a test
    holds the two equal), written without SQLAlchemy so the workers can start before it loads."""
    return (
        datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    )


def default_jobs() -> int:
    """One worker process (`git log` plus its parse) per core.

    The collect process only inserts (a fifth of the CPU of a full collect), so it shares a core
    with a worker; more workers than cores only adds switching.
    """
    return os.cpu_count() or 1


def open_target(path: str | Path, name: str | None) -> tuple[Any, Path, str, str]:
    """(repository, its top folder, the name to store it under, HEAD), or GitInputError."""
    repo = git_log.open_repository(path)
    root = Path(repo.working_tree_dir or repo.git_dir).resolve()
    return repo, root, name or root.name, git_log.head_sha(repo)


@dataclass
class StartedRead:
    """A whole-history read to `head`, begun: its workers already run git."""

    repo: Any
    root: Path
    name: str
    head: str
    history: git_log.History
    lineage: Lineage
    batches: Reading
    time_value: git_log.TimeValue
    bot_logins: tuple[str, ...]
    jobs: int

    def close(self) -> None:
        self.batches.close()


def start_reading(
    path: str | Path,
    name: str | None,
    *,
    bot_logins: Sequence[str] = (),
    jobs: int | None = None,
    time_value: git_log.TimeValue = sqlite_time,
) -> StartedRead:
    """Open the repository at `path` and start reading its whole history (GitInputError for
    a path that cannot be collected). The default `time_value` is SQLite's."""
    repo, root, name, head = open_target(path, name)
    history = git_log.History(repo, head)
    lineage = Lineage(history.parents)
    jobs = jobs or default_jobs()
    batches = iter_batches(
        repo,
        history,
        lineage=lineage,
        bot_logins=bot_logins,
        jobs=jobs,
        time_value=time_value,
        now=True,
    )
    return StartedRead(
        repo, root, name, head, history, lineage, batches, time_value, tuple(bot_logins), jobs
    )
