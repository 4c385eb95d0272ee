"""`gemba worker`: Procrastinate workers for Gemba Walk's queues, in one process.

Two lanes, so a digest never waits behind a collect: one Procrastinate worker serves the
collection queues (git and GitHub, `concurrency` jobs at a time), another the notification
queue (digests, nudges). Both send heartbeats. A worker that dies (SIGKILL, a lost machine)
stops sending them; every live worker looks for jobs held by workers silent for three
heartbeats and hands them back to the queue, where the next worker resumes from the
collectors' cursors: no gap, no duplicate. Procrastinate only records such jobs as stalled;
handing them back is ours (`rescue_stalled`), in one statement that also takes them from
nobody who is still alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from procrastinate.worker import Worker

from app.ops.queue import COLLECT_QUEUES, NOTIFY_QUEUE, Queue

log = logging.getLogger("gemba.worker")

# One statement, so two workers never both hand back a job, and a job a live worker took in
# the meantime is not taken from it (the row is re-checked under its lock).
RESCUE = """
WITH gate AS (SELECT pg_try_advisory_xact_lock(4370017) AS won),
stalled AS (
    SELECT job.id FROM procrastinate_jobs job, gate
     WHERE gate.won AND job.status = 'doing'
       AND (job.worker_id IS NULL OR job.worker_id IN (
            SELECT id FROM procrastinate_workers
             WHERE last_heartbeat < now() - %(seconds)s * interval '1 second'))
       FOR UPDATE OF job SKIP LOCKED
)
SELECT id, procrastinate_retry_job_v2(id, now(), NULL, NULL, NULL) FROM stalled
"""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Outcome:
    """What this process's workers did: jobs done, failed for good, and to be retried."""

    done: int = 0
    failed: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def jobs(self) -> int:
        return self.done + self.failed


class _Counter(logging.Handler):
    """Counts job outcomes from the `action` Procrastinate puts on each outcome's log line."""

    def __init__(self, outcome: Outcome, on_job: Callable[[], None]) -> None:
        super().__init__(logging.INFO)
        self.outcome, self.on_job = outcome, on_job

    def emit(self, record: logging.LogRecord) -> None:
        action = getattr(record, "action", "")
        if action == "job_success":
            self.outcome.done += 1
        elif action == "job_error":
            self.outcome.failed += 1
            self.outcome.errors.append(record.getMessage()[:500])
        elif action == "job_error_retry":
            self.outcome.retried += 1
            return
        else:
            return
        self.on_job()


@dataclass
class Options:
    until_empty: bool = False
    concurrency: int = 1
    poll_seconds: float = 5.0
    max_jobs: int | None = None
    name: str = field(default_factory=worker_name)


UNFINISHED = (
    "SELECT count(*) AS unfinished FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
)


async def _waiting(queue: Queue) -> int:
    """Jobs not finished yet (waiting, scheduled for a retry, or running). On PostgreSQL one
    statement: read as two, a job handed back from a dead worker between them (doing, then
    todo) would be counted in neither, and the worker would stop with work left."""
    if queue.postgres:
        row = await queue.app.connector.execute_query_one_async(UNFINISHED)
        return int(row["unfinished"])
    manager = queue.app.job_manager  # in-process: one thread, nothing moves between the reads
    todo = await manager.list_jobs_async(status="todo")
    doing = await manager.list_jobs_async(status="doing")
    return len(list(todo)) + len(list(doing))


async def rescue_stalled(queue: Queue, silent_seconds: float) -> list[int]:
    """Hand back to the queue the jobs of workers silent for `silent_seconds` (PostgreSQL)."""
    if not queue.postgres:
        return []  # in-process: a dead worker is a dead process, and its queue died with it
    rows = await queue.app.connector.execute_query_all_async(RESCUE, seconds=silent_seconds)
    ids = [int(row["id"]) for row in rows]
    if ids:
        log.warning("stalled jobs handed back to the queue", extra={"jobs": ids})
    return ids


async def run(queue: Queue, options: Options, stop: asyncio.Event | None = None) -> Outcome:
    """Serve the queues until `stop` is set, or (until_empty) until nothing is left to do."""
    outcome = Outcome()
    stop = stop or asyncio.Event()
    heartbeat = float(queue.runtime.settings.worker_heartbeat_seconds)

    def counted() -> None:
        if options.max_jobs is not None and outcome.jobs >= options.max_jobs:
            stop.set()

    def lane(name: str, queues: tuple[str, ...], concurrency: int) -> Worker:
        return Worker(
            queue.app,
            queues=list(queues),
            name=f"{options.name}/{name}",
            concurrency=concurrency,
            fetch_job_polling_interval=options.poll_seconds,
            listen_notify=queue.postgres,
            install_signal_handlers=False,
            update_heartbeat_interval=heartbeat,
            stalled_worker_timeout=3 * heartbeat,
            delete_jobs="successful",
        )

    counter = _Counter(outcome, counted)
    procrastinate_log = logging.getLogger("procrastinate.worker")
    procrastinate_log.addHandler(counter)
    if procrastinate_log.level == logging.NOTSET or procrastinate_log.level > logging.INFO:
        procrastinate_log.setLevel(logging.INFO)
    async with queue.app.open_async():
        lanes = [
            lane("collect", COLLECT_QUEUES, options.concurrency),
            lane("notify", (NOTIFY_QUEUE,), 1),
        ]
        running = [asyncio.create_task(w.run(), name=f"lane {w.worker_name}") for w in lanes]
        try:
            while not stop.is_set() and not any(t.done() for t in running):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), min(options.poll_seconds, heartbeat))
                await rescue_stalled(queue, 3 * heartbeat)
                if options.until_empty and await _waiting(queue) == 0:
                    break
        finally:
            for worker in lanes:
                worker.stop()
            await asyncio.gather(*running, return_exceptions=True)
            procrastinate_log.removeHandler(counter)
    for task in running:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return outcome


def run_blocking(queue: Queue, options: Options) -> Outcome:
    """`run` on this thread's own event loop; SIGTERM and SIGINT finish the jobs in hand."""

    async def main() -> Outcome:
        stop = asyncio.Event()
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
        return await run(queue, options, stop)

    return asyncio.run(main())


class Background:
    """The workers on a thread of another process (`gemba serve --schedule`)."""

    def __init__(self, queue: Queue, options: Options) -> None:
        self.queue, self.options = queue, options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="gemba-worker", daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            try:
                await run(self.queue, self.options, self._stop)
            except Exception:
                log.exception("background worker stopped")

        asyncio.run(main())

    def start(self) -> Background:
        self._thread.start()
        self._ready.wait(10)
        log.info("worker started in this process", extra={"worker": self.options.name})
        return self

    def stop(self, timeout: float = 60) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
