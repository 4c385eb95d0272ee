"""Workers share the queue: a killed worker's job is handed to another, and every repository
ends up collected once with complete data, within the token's budget. On PostgreSQL 4 worker
processes share 20 repositories served by the GitHub stand-in (git from clones in tmp, pull
requests, CI and deployments over HTTP); on SQLite (no shared queue) a killed process's
repositories are finished by the next run of the in-process task runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.ops import worker
from app.ops.queue import Queue
from app.ops.tasks import Runtime
from app.sandbox.actions_objects import iso
from app.sandbox.objects import make_pull
from tests.app.ops.queue_db import empty_queue
from tests.world.ci import CiScenario
from tests.world.git import git_counts, linear_history
from tests.world.github_api import GithubApi


def _env(db_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_DATABASE_URL=db_url,
        GEMBA_DATA_DIR=str(data_dir),
        GEMBA_WORKER_HEARTBEAT_SECONDS="1",
        GEMBA_GIT_BATCH_COMMITS="1",  # a transaction a commit: a long window to kill in
        **{f"GEMBA_{name.upper()}": value for name, value in settings.items()},
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
    engine: Engine,
    processes: list[subprocess.Popen[str]],
    deadline: float,
    commits: dict[str, int] | None = None,
) -> str:
    """SIGKILL the first process seen holding a repository whose commits are partly stored
    (the git collector's own lease names the holder's pid). With `commits` (each repository's
    total), only while at most half are stored, so the kill lands before the collect ends."""
    by_pid = {str(p.pid): p for p in processes}
    while time.monotonic() < deadline:
        with engine.connect() as conn:  # one cheap statement, so a short collect is not missed
            held = conn.execute(
                text(
                    'SELECT s.repository, s.locked_by, (SELECT count(*) FROM "commit" c '
                    "JOIN repository r ON r.id = c.repository_id WHERE r.name = s.repository) "
                    "FROM synccursor s WHERE s.source = 'git' AND s.locked_by IS NOT NULL"
                )
            ).all()
        for name, holder, have in held:
            pid = holder.rpartition(":")[2]
            if pid in by_pid and have > 0 and (commits is None or have <= commits[name] // 2):
                by_pid[pid].send_signal(signal.SIGKILL)
                by_pid[pid].wait()
                return str(name)
        if all(p.poll() is not None for p in processes):
            break  # every process finished first: nothing left to catch
        time.sleep(0.02)
    pytest.fail("no worker was caught in the middle of a collect")


OWNER = "acme"
PULLS, RUNS = 3, 4  # per repository: small, so 20 of them collect in seconds
# Requests per window of the stand-in's budget: less than the 20 repositories need, so the
# workers must share it and wait for the reset (GitHub would answer 403 past it).
BUDGET, WINDOW = 150, 2


def serve_repositories(github_api: GithubApi, tmp_path: Path, count: int) -> dict[str, dict]:
    """`count` repositories: a git history in tmp (cloned through GEMBA_CLONE_URL_TEMPLATE)
    and, on the stand-in, a few merged pull requests and CI runs with a job each. Returns
    what each must end up with."""
    expected: dict[str, dict] = {}
    for n in range(count):
        name = f"repo{n}"
        path = linear_history(tmp_path / "origin" / name, commits=40, seed=n)
        start = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=n)
        pulls = [
            make_pull(
                OWNER,
                name,
                number,
                created_at=iso(start),
                merged_at=iso(start + timedelta(hours=number)),
            )
            for number in range(1, PULLS + 1)
        ]
        ci = CiScenario(OWNER, name, first_job_id=10_000 * (n + 1))
        ci.workflow(100 + n, "CI")
        for k in range(RUNS):
            ci.run(1_000 * (n + 1) + k, 100 + n, start + timedelta(hours=k))
        github_api.write_repo(OWNER, name, pulls=pulls, **ci.files())
        expected[f"{OWNER}/{name}"] = {
            **git_counts(path),
            "pulls": PULLS,
            "runs": RUNS,
            "jobs": RUNS,
            "collectors": 4,
        }
    return expected


# What makes a row one thing: a constraint enforces the first two, only the collectors the rest.
NATURAL_KEYS = {
    "commit": "repository_id, sha",
    "filechange": "commit_id, path",
    "pullrequest": "repository_id, number",
    "workflowrun": "repository_id, workflow_id, run_number",
    "job": "run_id, run_attempt, name",
}


def duplicates(engine: Engine) -> dict[str, int]:
    """Keys stored more than once, per table: 0 everywhere when nothing was stored twice."""
    with engine.connect() as conn:
        return {
            table: int(
                conn.execute(
                    text(
                        f'SELECT count(*) FROM (SELECT {key} FROM "{table}" GROUP BY {key} '
                        "HAVING count(*) > 1) AS twice"
                    )
                ).scalar_one()
            )
            for table, key in NATURAL_KEYS.items()
        }


def collected(engine: Engine, name: str) -> dict[str, int]:
    """What one repository has: git counts, pull requests, runs, jobs, finished collectors."""
    got = stored(engine, name)
    with engine.connect() as conn:
        repo_id = conn.execute(text("SELECT id FROM repository WHERE name = :n"), {"n": name})
        params = {"r": repo_id.scalar(), "n": name}

        def count(sql: str) -> int:
            return int(conn.execute(text(sql), params).scalar_one())

        got["pulls"] = count("SELECT count(*) FROM pullrequest WHERE repository_id = :r")
        got["runs"] = count("SELECT count(*) FROM workflowrun WHERE repository_id = :r")
        got["jobs"] = count(
            "SELECT count(*) FROM job JOIN workflowrun w ON w.id = job.run_id "
            "WHERE w.repository_id = :r"
        )
        got["collectors"] = count(  # every collector ran: each keeps a cursor per repository
            "SELECT count(*) FROM synccursor WHERE repository = :n "
            "AND source IN ('git', 'pulls', 'ci', 'delivery')"
        )
    return got


@dataclass
class Fleet:
    """20 repositories on the stand-in and what every process shares to collect them: the
    settings (here) and the same as GEMBA_* variables (for `gemba` subprocesses)."""

    expected: dict[str, dict]
    config: Settings
    env: dict[str, str]

    def kill_one(self, engine: Engine, processes: list[subprocess.Popen[str]]) -> str:
        """SIGKILL a process mid-collect; its repository is then partly stored."""
        totals = {name: counts["commits"] for name, counts in self.expected.items()}
        killed = kill_one_mid_collect(engine, processes, time.monotonic() + 60, totals)
        assert stored(engine, killed)["commits"] < totals[killed]
        return killed


def _fleet(settings: Settings, github_api: GithubApi, tmp_path: Path) -> Fleet:
    expected = serve_repositories(github_api, tmp_path, 20)
    github_api.set_rate_limit(limit=BUDGET, remaining=BUDGET, reset_in=WINDOW)
    shared = {
        "github_api_url": github_api.url,
        "github_token": "fleet-token",
        "clone_url_template": f"{tmp_path}/origin/{{name}}",
        "github_budget_reserve": "5",
        "github_seconds_between_requests": "0",
    }
    config = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=settings.database_url, data_dir=settings.data_dir, **shared
    )
    return Fleet(expected, config, _env(settings.database_url, settings.data_dir, **shared))


def _assert_complete(engine: Engine, github_api: GithubApi, expected: dict[str, dict]) -> None:
    for name, counts in expected.items():
        got = collected(engine, name)
        assert {k: got[k] for k in counts} == counts, name
    assert duplicates(engine) == dict.fromkeys(NATURAL_KEYS, 0)
    statuses = Counter(r.status for r in github_api.requests)
    assert statuses[200] > BUDGET  # more than one window's budget was spent, none refused
    assert statuses[403] == statuses[429] == 0, statuses


def test_four_workers_over_twenty_repositories_survive_a_kill_within_the_budget(
    settings: Settings, engine: Engine, tmp_path: Path, github_api: GithubApi
) -> None:
    """4 `gemba worker` processes; one is SIGKILLed in the middle of a collect. Its job is
    handed back and finished elsewhere from the cursors: every repository complete, no row
    twice, and the shared budget kept the fleet from a single 403 or 429."""
    if engine.dialect.name != "postgresql":
        pytest.skip("worker processes share a queue only on PostgreSQL: GEMBA_TEST_DATABASE_URL")
    fleet = _fleet(settings, github_api, tmp_path)
    empty_queue(engine)
    queue = Queue(Runtime(fleet.config, engine), schedule=False)
    with queue.app.open():
        for name in fleet.expected:
            queue.enqueue("repo", name)  # git, pulls, CI and delivery
    processes = [_start(fleet.env, "worker", "--until-empty", "--poll", "0.2") for _ in range(4)]
    outputs: list[str] = []
    try:
        fleet.kill_one(engine, processes)
        for process in processes:
            if process.returncode is None:
                output, _ = process.communicate(timeout=120)
                assert process.returncode == 0, output
                outputs.append(output[-3000:])
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                process.wait()
    with queue.app.open():
        left = [
            (j.id, j.task_name, j.status, j.attempts) for j in queue.app.job_manager.list_jobs()
        ]
    empty_queue(engine)
    assert left == [], outputs  # done jobs are deleted; nothing waits, runs or failed
    _assert_complete(engine, github_api, fleet.expected)


def test_in_process_the_next_run_finishes_a_killed_collect_within_the_budget(
    settings: Settings, engine: Engine, tmp_path: Path, github_api: GithubApi
) -> None:
    """SQLite: the queue lives in the process that queues (`gemba jobs enqueue`), so that is
    the process killed mid-collect; the in-process task runner then finishes every repository
    from the cursors, with the same tasks, within the same budget."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the in-process task runner is SQLite's; PostgreSQL has worker processes")
    fleet = _fleet(settings, github_api, tmp_path)
    process = _start(fleet.env, "jobs", "enqueue", "--source", "repo", *fleet.expected)
    try:
        fleet.kill_one(engine, [process])
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    queue = Queue(Runtime(fleet.config, engine), schedule=False)
    with queue.app.open():
        for name in fleet.expected:
            queue.enqueue("repo", name)
    outcome = worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.1))
    assert (outcome.done, outcome.failed) == (4 * len(fleet.expected), 0)
    _assert_complete(engine, github_api, fleet.expected)
