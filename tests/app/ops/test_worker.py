"""Workers share the CollectJob queue: claims never overlap, leases expire, a killed worker's
job is taken over, and every repository ends up collected once with complete data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.ops import worker
from tests.app.ops.repos import git_counts, make_repo

LEASE = timedelta(seconds=30)


def _jobs(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT target, status, attempts, worker FROM collectjob"))
        return {row.target: dict(row._mapping) for row in rows}


def test_claims_never_overlap_and_an_expired_lease_is_taken_over(engine: Engine) -> None:
    for n in range(3):
        assert worker.enqueue(engine, "git", f"r{n}=/nowhere/{n}") == "queued"
    first = worker.claim(engine, "w1", LEASE)
    second = worker.claim(engine, "w2", LEASE)
    assert first is not None and second is not None
    assert first.id != second.id
    assert worker.renew(engine, first.id, "w1", timedelta(seconds=-1))  # w1 stops renewing
    taken = worker.claim(engine, "w3", LEASE)
    assert taken is not None and taken.id == first.id and taken.attempts == 2
    assert not worker.renew(engine, first.id, "w1", LEASE)  # w1 lost it
    worker.finish(engine, first, "w1")  # a late finish from the old holder changes nothing
    assert _jobs(engine)["r0=/nowhere/0"]["status"] == "running"
    assert worker.renew(engine, taken.id, "w3", LEASE)
    assert worker.finish(engine, taken, "w3") == "done"
    last = worker.claim(engine, "w1", LEASE)
    assert last is not None and last.target == "r2=/nowhere/2"
    assert worker.claim(engine, "w1", LEASE) is None
    assert worker.remaining(engine) == 2


def test_enqueue_requeues_a_finished_job_and_refuses_bad_targets(engine: Engine) -> None:
    assert worker.enqueue(engine, "repo", "acme/api") == "queued"
    assert worker.enqueue(engine, "repo", "acme/api") == "waiting"
    job = worker.claim(engine, "w", LEASE)
    assert job is not None
    worker.finish(engine, job, "w")
    assert worker.enqueue(engine, "repo", "acme/api") == "requeued"
    with pytest.raises(worker.JobError, match="OWNER/REPO"):
        worker.enqueue(engine, "repo", "not-a-repo")
    with pytest.raises(worker.JobError, match="unknown source"):
        worker.enqueue(engine, "svn", "acme/api")


def test_a_failed_job_is_retried_later_then_given_up(engine: Engine) -> None:
    worker.enqueue(engine, "git", "x=/nowhere")
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        job = worker.claim(engine, "w", LEASE)
        assert job is not None and job.attempts == attempt
        expected = "failed" if attempt == worker.MAX_ATTEMPTS else "pending"
        assert worker.finish(engine, job, "w", error="boom", retry_after=timedelta(0)) == expected
    assert worker.claim(engine, "w", LEASE) is None
    assert _jobs(engine)["x=/nowhere"]["status"] == "failed"


def _start(db_url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_DATABASE_URL=db_url,
        GEMBA_DATA_DIR=str(data_dir),
        GEMBA_WORKER_LEASE_SECONDS="6",
        GEMBA_GIT_BATCH_COMMITS="5",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "app", "worker", "--until-empty", "--poll", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stored(engine: Engine, name: str) -> dict[str, int]:
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


def _kill_one_mid_job(engine: Engine, workers: list[subprocess.Popen[str]], deadline: float) -> str:
    """SIGKILL the first worker seen holding a job whose commits are only partly stored."""
    by_pid = {str(p.pid): p for p in workers}
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            running = conn.execute(
                text("SELECT target, worker FROM collectjob WHERE status = 'running'")
            ).all()
        for target, holder in running:
            name = target.partition("=")[0]
            stored = _stored(engine, name)["commits"] if holder else 0
            pid = (holder or "").rpartition(":")[2]
            if stored > 0 and pid in by_pid:
                by_pid[pid].send_signal(signal.SIGKILL)
                by_pid[pid].wait()
                return target
        time.sleep(0.02)
    pytest.fail("no worker was caught in the middle of a job")


def test_workers_share_the_queue_and_a_killed_workers_job_is_taken_over(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    postgres = db_url.startswith("postgresql")
    repos, workers_wanted = (20, 4) if postgres else (4, 1)
    expected = {}
    for n in range(repos):
        path = make_repo(tmp_path / f"repo{n}", commits=150, seed=n)
        expected[f"repo{n}"] = git_counts(path)
        worker.enqueue(engine, "git", f"repo{n}={path}")
    workers = [_start(db_url, tmp_path / "data") for _ in range(workers_wanted)]
    killed = _kill_one_mid_job(engine, workers, time.monotonic() + 120)
    survivors = [p for p in workers if p.returncode is None]
    if not survivors:  # on SQLite the only worker was killed: start the next one
        survivors = [_start(db_url, tmp_path / "data")]
    for process in survivors:
        output, _ = process.communicate(timeout=240)
        assert process.returncode == 0, output
    jobs = _jobs(engine)
    assert {job["status"] for job in jobs.values()} == {"done"}
    assert int(jobs[killed]["attempts"]) >= 2  # taken over after the kill
    for name, counts in expected.items():
        stored = _stored(engine, name)
        assert stored["distinct"] == stored["commits"], name
        assert {k: stored[k] for k in counts} == counts, name


def test_waiting_for_another_process_does_not_use_up_attempts(engine: Engine) -> None:
    worker.enqueue(engine, "git", "busy=/somewhere")
    for _ in range(worker.MAX_ATTEMPTS + 2):
        job = worker.claim(engine, "w", LEASE)
        assert job is not None and job.attempts == 1
        status = worker.finish(
            engine, job, "w", error="held by another run", retry_after=timedelta(0), counts=False
        )
        assert status == "pending"
