"""The queue's rules, on Procrastinate: one waiting beside one running, one worker per
repository, each schedule tick deferred once, stalled jobs handed back, digests beside collects."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from procrastinate.jobs import Job
from procrastinate.periodic import PeriodicDeferrer
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.ops import tasks, worker
from app.ops.queue import BUSY_WAIT, GitRetry, JobError, Queue, sync_cron
from app.ops.tasks import Runtime
from collectors.git.lease import LEASE, CollectRefused
from tests.app.ops.queue_db import empty_queue, queue

__all__ = ["queue"]


async def _fetch(q: Queue, worker_id: int) -> Any:
    return await q.app.job_manager.fetch_job(queues=None, worker_id=worker_id)


def test_an_enqueue_while_the_same_job_runs_waits_beside_it(queue: Queue) -> None:
    with queue.app.open():
        assert queue.defer("git", "acme/api") == "queued"
        assert queue.defer("git", "acme/api") == "waiting"

    async def take() -> Any:
        async with queue.app.open_async():
            worker_id = await queue.app.job_manager.register_worker()
            return await _fetch(queue, worker_id)

    running = asyncio.run(take())
    assert running.task_kwargs == {"repository": "acme/api", "location": None, "clone_from": None}
    with queue.app.open():
        assert queue.defer("git", "acme/api") == "queued"  # a push during the collect
        assert queue.defer("git", "acme/api") == "waiting"  # joins the one waiting
        statuses = sorted(job.status for job in queue.app.job_manager.list_jobs())
    assert statuses == ["doing", "todo"]


def test_a_repository_is_collected_by_one_worker_at_a_time(queue: Queue) -> None:
    with queue.app.open():
        assert [o for _, o in queue.enqueue("repo", "acme/api")] == ["queued"] * 4  # + delivery
        assert queue.enqueue("git", "acme/web") == [("git", "queued")]

    async def take_all() -> list[tuple[str, str]]:
        async with queue.app.open_async():
            worker_id = await queue.app.job_manager.register_worker()
            taken = []
            while (job := await _fetch(queue, worker_id)) is not None:
                taken.append((job.task_name, job.task_kwargs["repository"]))
            return taken

    # acme/api's git holds the repository's lock: its pulls and CI wait, acme/web goes on
    assert asyncio.run(take_all()) == [
        ("gemba.collect_git", "acme/api"),
        ("gemba.collect_git", "acme/web"),
    ]


def test_targets_are_checked_before_anything_is_queued(queue: Queue) -> None:
    with queue.app.open():
        with pytest.raises(JobError, match="OWNER/REPO"):
            queue.enqueue("repo", "not-a-repo")
        with pytest.raises(JobError, match="unknown source"):
            queue.enqueue("svn", "acme/api")
        with pytest.raises(JobError, match="NAME=PATH"):
            queue.enqueue("git", "=nowhere")
        assert queue.enqueue("git", "legacy=/srv/legacy.git") == [("git", "queued")]
        (job,) = queue.app.job_manager.list_jobs()
    assert job.task_kwargs["location"] == "/srv/legacy.git"
    assert job.lock == "repo:legacy" and job.queueing_lock == "git:legacy"


def test_the_schedule_follows_the_sync_interval() -> None:
    assert sync_cron(60) == "0 * * * *"
    assert sync_cron(15) == "*/15 * * * *"
    assert sync_cron(180) == "0 */3 * * *"
    assert sync_cron(2880) == "0 0 * * *"


def test_two_schedulers_defer_each_tick_once(settings: Settings, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("two schedulers share a queue only on PostgreSQL")
    empty_queue(engine)
    config = settings.model_copy(update={"repos": "acme/api"})
    schedulers = [Queue(Runtime(config, engine)) for _ in range(2)]
    at = datetime(2026, 12, 7, 9, 0, 30, tzinfo=UTC).timestamp()

    async def tick(q: Queue) -> None:
        async with q.app.open_async():
            deferrer = PeriodicDeferrer(registry=q.app.periodic_registry)
            await deferrer.defer_jobs(deferrer.get_previous_tasks(at))

    for scheduler in schedulers:
        asyncio.run(tick(scheduler))
    with schedulers[0].app.open():
        names = sorted(job.task_name for job in schedulers[0].app.job_manager.list_jobs())
    empty_queue(engine)
    assert names == ["gemba.digests", "gemba.nudges", "gemba.sync"]


def test_a_silent_workers_job_goes_back_to_the_queue(queue: Queue, engine: Engine) -> None:
    if not queue.postgres:
        pytest.skip("on SQLite the queue lives and dies with its one process")
    with queue.app.open():
        queue.defer("pulls", "acme/dead")
        queue.defer("pulls", "acme/alive")

    async def scenario() -> tuple[list[int], list[int]]:
        async with queue.app.open_async():
            manager = queue.app.job_manager
            dead, alive = await manager.register_worker(), await manager.register_worker()
            lost, kept = await _fetch(queue, dead), await _fetch(queue, alive)
            await queue.app.connector.execute_query_async(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute' "
                "WHERE id = %(id)s",
                id=dead,
            )
            first = await worker.rescue_stalled(queue, 30)
            again = await worker.rescue_stalled(queue, 30)
            assert kept.id not in first
            return [lost.id], first + again

    lost, rescued = asyncio.run(scenario())
    assert rescued == lost
    with queue.app.open():
        jobs = {job.task_kwargs["repository"]: job for job in queue.app.job_manager.list_jobs()}
    assert (jobs["acme/dead"].status, jobs["acme/dead"].attempts) == ("todo", 1)
    assert jobs["acme/alive"].status == "doing"


def test_digests_do_not_wait_behind_a_collect(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collect that takes its time (a rate-limit wait, say) holds its lane only."""
    release, digests_ran = threading.Event(), threading.Event()

    def slow_collect(_runtime: Runtime, repository: str, *_where: str | None) -> str:
        assert release.wait(20), "the digests never ran beside the collect"
        return "collected"

    def digests(_runtime: Runtime, _now: datetime) -> str:
        digests_ran.set()
        release.set()
        return "0 sent"

    monkeypatch.setattr(tasks, "collect_git", slow_collect)
    monkeypatch.setattr(tasks, "send_digests", digests)
    with queue.app.open():
        queue.defer("git", "acme/slow")
        queue.digests.defer(timestamp=0)
    outcome = worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.1))
    assert digests_ran.is_set()
    assert (outcome.done, outcome.failed) == (2, 0)


def test_a_repository_whose_git_lease_another_run_holds_is_tried_each_minute_until_it_expires(
    queue: Queue,
) -> None:
    """A worker killed on another machine keeps the git lease for `LEASE`: the git job waits a
    minute at a time past that instead of spending `RETRY`'s five short pauses and failing;
    other errors keep `RETRY`'s pauses."""
    strategy = queue.collectors["git"].retry_strategy
    assert isinstance(strategy, GitRetry)
    busy = CollectRefused("another run holds acme/api")
    waits = []
    for attempts in range(30):
        job = Job(queue="git", lock=None, queueing_lock=None, task_name="t", attempts=attempts)
        decision = strategy.get_retry_decision(exception=busy, job=job)
        if decision is None:
            break
        waits.append(decision.retry_at)
    assert len(waits) * BUSY_WAIT > LEASE.total_seconds()  # tried until the lease has expired
    assert len(waits) < 30  # and then given up, to the next schedule
    job = Job(queue="git", lock=None, queueing_lock=None, task_name="t", attempts=5)
    assert strategy.get_retry_decision(exception=OSError("disk"), job=job) is None  # RETRY's 5
