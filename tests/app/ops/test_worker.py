"""Workers share the queue: a killed worker's job is handed to another, and every repository
ends up collected once with complete data. On PostgreSQL 4 worker processes share 20
repositories; on SQLite (no shared queue) a killed process's repository is finished by the
next run in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.ops import worker
from app.ops.queue import Queue
from app.ops.tasks import Runtime
from tests.app.ops.queue_db import empty_queue
from tests.app.ops.repos import git_counts, make_repo


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_DATABASE_URL=db_url,
        GEMBA_DATA_DIR=str(data_dir),
        GEMBA_WORKER_HEARTBEAT_SECONDS="1",
        GEMBA_GIT_BATCH_COMMITS="5",
    )
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stored(engine: Engine, name: str) -> dict[str, int]:
    with engine.connect() as conn:
        repo_id = conn.execute(
            text("SELECT id FROM repository WHERE name = :n"), {"n": name}
        ).scalar()

        def count(sql: str) -> int:
            return int(conn.execute(text(sql), {"r": repo_id}).scalar_one())

        return {
            "commits": count('SELECT count(*) FROM "commit" WHERE repository_id = :r'),
            "changes": count(
                'SELECT count(*) FROM filechange JOIN "commit" c ON c.id = filechange.commit_id '
                "WHERE c.repository_id = :r"
            ),
            "files": count("SELECT count(*) FROM repofile WHERE repository_id = :r"),
            "distinct": count('SELECT count(DISTINCT sha) FROM "commit" WHERE repository_id = :r'),
        }


def kill_one_mid_collect(
    engine: Engine, processes: list[subprocess.Popen[str]], deadline: float
) -> str:
    """SIGKILL the first process seen holding a repository whose commits are partly stored
    (the git collector's own lease names the holder's pid)."""
    by_pid = {str(p.pid): p for p in processes}
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            held = conn.execute(
                text(
                    "SELECT repository, locked_by FROM synccursor "
                    "WHERE source = 'git' AND locked_by IS NOT NULL"
                )
            ).all()
        for name, holder in held:
            pid = holder.rpartition(":")[2]
            if pid in by_pid and stored(engine, name)["commits"] > 0:
                by_pid[pid].send_signal(signal.SIGKILL)
                by_pid[pid].wait()
                return str(name)
        time.sleep(0.02)
    pytest.fail("no worker was caught in the middle of a collect")


def test_a_killed_workers_repository_is_finished_by_another(
    settings: Settings, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    postgres = engine.dialect.name == "postgresql"
    repos = 20 if postgres else 4
    expected, targets = {}, []
    for n in range(repos):
        path = make_repo(tmp_path / f"repo{n}", commits=30, seed=n)
        expected[f"repo{n}"] = git_counts(path)
        targets.append(f"repo{n}={path}")
    env = _env(db_url, tmp_path / "data")
    empty_queue(engine)
    queue = Queue(Runtime(settings, engine), schedule=False)
    if postgres:
        with queue.app.open():
            for target in targets:
                queue.enqueue("git", target)
        processes = [_start(env, "worker", "--until-empty", "--poll", "0.2") for _ in range(4)]
    else:  # the queue lives in the process that queues: kill that one
        processes = [_start(env, "jobs", "enqueue", "--source", "git", *targets)]
    killed = kill_one_mid_collect(engine, processes, time.monotonic() + 60)
    assert stored(engine, killed)["commits"] < expected[killed]["commits"]
    for process in processes:
        if process.returncode is None:
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 0, output
    if not postgres:  # the next run in-process picks up where the killed one stopped
        with queue.app.open():
            for target in targets:
                queue.enqueue("git", target)
        outcome = worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.1))
        assert (outcome.done, outcome.failed) == (repos, 0)
    with queue.app.open():
        left = list(queue.app.job_manager.list_jobs())
    empty_queue(engine)
    assert left == []  # done jobs are deleted; nothing waits, runs or failed
    for name, counts in expected.items():
        got = stored(engine, name)
        assert got["distinct"] == got["commits"], name
        assert {k: got[k] for k in counts} == counts, name
