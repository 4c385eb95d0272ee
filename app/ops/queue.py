"""The task queue: Procrastinate, on the PostgreSQL a team install already has.

On PostgreSQL the queue is Procrastinate's tables (applied by migration 0016): workers on any
machine fetch with `SELECT ... FOR UPDATE SKIP LOCKED`, hear new jobs by LISTEN/NOTIFY and send
heartbeats. On SQLite (one machine) the same tasks run in-process on Procrastinate's in-memory
connector, on the same schedule. `app.ops.tasks` holds the task functions; this module only
registers them:

- one task per collector (git, pulls, CI), each deferred with `lock="repo:OWNER/REPO"` (one
  worker at a time on a repository) and `queueing_lock="SOURCE:OWNER/REPO"` (at most one
  waiting: a push during a long collect queues one more run, a second push joins it);
- failures are retried by a `RetryStrategy` with growing pauses;
- the schedule is `@app.periodic`: the sync fan-out every GEMBA_SYNC_INTERVAL_MINUTES, digests
  every 5 minutes, nudges every 10. Each tick is deferred once however many workers run the
  schedule (Procrastinate records it), and digests and nudges sit on their own queue, which a
  worker serves beside the collection queues, never behind them.
"""

from __future__ import annotations

import logging
import weakref
from datetime import UTC, datetime
from typing import Any

from procrastinate import (
    App,
    BaseRetryStrategy,
    PsycopgConnector,
    RetryDecision,
    RetryStrategy,
)
from procrastinate.connector import BaseConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.tasks import Task
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from app.ops import tasks
from app.ops.tasks import Runtime
from collectors.git.lease import LEASE, CollectRefused

log = logging.getLogger("gemba.queue")

GIT_QUEUE, GITHUB_QUEUE, NOTIFY_QUEUE = "git", "github", "notify"
COLLECT_QUEUES = (GIT_QUEUE, GITHUB_QUEUE)
SOURCES = ("git", "pulls", "ci", "delivery")
DIGEST_CRON = "*/5 * * * *"
NUDGES_CRON = "*/10 * * * *"
# 5 retries after the first run, waiting 15 s + 2^(n+1) s: 17, 19, 23, 31, 47 s. A collector
# resumes from its cursor, so a retry repeats no work; an exhausted rate limit is waited out
# before, not retried.
RETRY = RetryStrategy(max_attempts=5, wait=15, exponential_wait=2)
BUSY_WAIT = 60  # seconds between tries of a repository whose git lease another run holds


class GitRetry(BaseRetryStrategy):
    """`RETRY`, except while another run holds the repository's git lease. A worker killed on
    another machine keeps it until it expires (`collectors.git.lease.LEASE`, renewed with each
    write), far longer than `RETRY`'s pauses; the job then tries again each minute for as long
    as the lease can last, so the repository is collected once it expires instead of failing
    until the next hourly sync."""

    def __init__(self, otherwise: BaseRetryStrategy) -> None:
        self.otherwise = otherwise

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, CollectRefused):
            if job.attempts * BUSY_WAIT > LEASE.total_seconds() + 2 * BUSY_WAIT:
                return None
            return RetryDecision(retry_in={"seconds": BUSY_WAIT})
        return self.otherwise.get_retry_decision(exception=exception, job=job)


# This process's in-memory queues (SQLite), so /metrics can read their depth
# (app.ops.queue_depth); a queue that is dropped leaves the set by itself.
IN_PROCESS: weakref.WeakSet[InMemoryConnector] = weakref.WeakSet()


class JobError(ValueError):
    """A job that cannot be queued as given."""


def libpq_url(database_url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://...` as the plain URL psycopg's pool takes."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def connector_for(database_url: str, *, pool_size: int = 4) -> BaseConnector:
    """PostgreSQL's connector, or the in-memory one for the embedded SQLite install."""
    if database_url.startswith("postgresql"):
        return PsycopgConnector(
            conninfo=libpq_url(database_url),
            min_size=1,
            max_size=pool_size,
            kwargs={"application_name": "gemba-worker"},
        )
    connector = InMemoryConnector()
    IN_PROCESS.add(connector)
    return connector


def sync_cron(minutes: int) -> str:
    """GEMBA_SYNC_INTERVAL_MINUTES as a cron line (hourly by default)."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    if hours == 1:
        return "0 * * * *"
    return "0 0 * * *" if hours >= 24 else f"0 */{hours} * * *"


def validate(source: str, target: str) -> None:
    """`OWNER/REPO`, or `NAME=PATH-or-URL` for git history only."""
    if source not in SOURCES:
        raise JobError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    name = target.partition("=")[0] if source == "git" and "=" in target else target
    if source == "git" and "=" in target:
        if not name or not target.partition("=")[2]:
            raise JobError(f"a git job's target is NAME=PATH-or-URL, got {target!r}")
        return
    owner, _, repo = name.partition("/")
    if not owner or not repo or "/" in repo:
        shape = "OWNER/REPO or NAME=PATH-or-URL" if source == "git" else "OWNER/REPO"
        raise JobError(f"a {source} job's target is {shape}, got {target!r}")


class Queue:
    """Procrastinate's App with Gemba Walk's tasks bound to one runtime.

    `schedule=False` leaves the periodic tasks out (a worker draining the queue with
    --until-empty must not start the next hour's work).
    """

    def __init__(self, runtime: Runtime, *, schedule: bool = True, pool_size: int = 4) -> None:
        self.runtime = runtime
        self.postgres = runtime.settings.database_url.startswith("postgresql")
        self.app = App(connector=connector_for(runtime.settings.database_url, pool_size=pool_size))
        self.collectors: dict[str, Task[Any, Any, Any]] = {}
        self._register(schedule)

    def _register(self, schedule: bool) -> None:
        app, runtime = self.app, self.runtime
        git_retry = GitRetry(RETRY) if isinstance(RETRY, BaseRetryStrategy) else RETRY

        @app.task(name="gemba.collect_git", queue=GIT_QUEUE, retry=git_retry)
        def collect_git(
            repository: str, location: str | None = None, clone_from: str | None = None
        ) -> str:
            return tasks.collect_git(runtime, repository, location, clone_from)

        @app.task(name="gemba.collect_pulls", queue=GITHUB_QUEUE, retry=RETRY)
        def collect_pulls(repository: str) -> str:
            return tasks.collect_pulls(runtime, repository)

        @app.task(name="gemba.collect_ci", queue=GITHUB_QUEUE, retry=RETRY)
        def collect_ci(repository: str) -> str:
            return tasks.collect_ci(runtime, repository)

        @app.task(name="gemba.collect_delivery", queue=GITHUB_QUEUE, retry=RETRY)
        def collect_delivery(repository: str) -> str:
            return tasks.collect_delivery(runtime, repository)

        self.collectors = {
            "git": collect_git,
            "pulls": collect_pulls,
            "ci": collect_ci,
            "delivery": collect_delivery,
        }

        def sync(timestamp: int) -> str:
            return tasks.sync_configured(runtime, self.defer)

        # A periodic task's `timestamp` is its tick: what is due is what was due at the tick.
        def digests(timestamp: int) -> str:
            return tasks.send_digests(runtime, datetime.fromtimestamp(timestamp, UTC))

        def nudges(timestamp: int) -> str:
            return tasks.send_nudges(runtime, datetime.fromtimestamp(timestamp, UTC))

        self.sync = app.task(name="gemba.sync", queue=GITHUB_QUEUE, priority=10)(sync)
        self.digests = app.task(name="gemba.digests", queue=NOTIFY_QUEUE)(digests)
        self.nudges = app.task(name="gemba.nudges", queue=NOTIFY_QUEUE)(nudges)
        if schedule:
            every = sync_cron(runtime.settings.sync_interval_minutes)
            app.periodic(cron=every, periodic_id="sync", queueing_lock="sync")(self.sync)
            app.periodic(cron=DIGEST_CRON, periodic_id="digests", queueing_lock="digests")(
                self.digests
            )
            app.periodic(cron=NUDGES_CRON, periodic_id="nudges", queueing_lock="nudges")(
                self.nudges
            )

    def defer(
        self,
        source: str,
        repository: str,
        clone_from: str | None = None,
        *,
        location: str | None = None,
    ) -> str:
        """Queue one collector for one repository: "queued", or "waiting" when one is already
        queued (a running one does not count: a change during a long collect is not lost).

        git only: `clone_from` is the clone URL GitHub reported, `location` a path or URL given
        by hand (see `tasks.collect_git`)."""
        kwargs: dict[str, Any] = {"repository": repository}
        if source == "git":
            kwargs.update(location=location, clone_from=clone_from)
        task = self.collectors[source].configure(
            lock=f"repo:{repository}", queueing_lock=f"{source}:{repository}"
        )
        try:
            task.defer(**kwargs)
        except AlreadyEnqueued:
            return "waiting"
        return "queued"

    def enqueue(self, source: str, target: str) -> list[tuple[str, str]]:
        """`gemba jobs enqueue`: one target, as (source, outcome) per task queued.

        Source "repo" is every collector; `git` takes NAME=PATH-or-URL too."""
        if source == "repo":
            validate("pulls", target)
            return [(s, self.defer(s, target)) for s in SOURCES]
        validate(source, target)
        if source == "git" and "=" in target:
            name, _, location = target.partition("=")
            return [(source, self.defer(source, name, location=location))]
        return [(source, self.defer(source, target))]
