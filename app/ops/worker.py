"""Collection work shared by any number of `gemba worker` processes on any machines.

The queue is the `CollectJob` table; there is no coordinator. A worker claims the oldest job
that is pending (or whose lease ran out) in one statement: on PostgreSQL the candidate row is
picked `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on or take the same row; on
SQLite (one writer at a time) a plain conditional UPDATE is already atomic. The claim sets
`lease_until`; a heartbeat thread renews it while the job runs. A worker that dies stops
renewing, its lease expires, and the next claim takes the job over. Collectors are idempotent
and resume from their cursors, so a job redone after a crash leaves no gap and no duplicate.

Job sources: `repo` (OWNER/REPO: clone or fetch, git history, pull requests, CI), `git`
(NAME=PATH-or-URL: git history only), `pulls` and `ci` (OWNER/REPO, one collector).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, TextClause, bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from app.core.settings import Settings
from app.ops import sync

log = logging.getLogger("gemba.worker")

SOURCES = ("repo", "git", "pulls", "ci")
MAX_ATTEMPTS = 5
REFUSED_RETRY = timedelta(seconds=30)

_CANDIDATE = """
    SELECT id FROM collectjob
    WHERE (status = 'pending' AND (lease_until IS NULL OR lease_until < :now))
       OR (status = 'running' AND lease_until < :now)
    ORDER BY id LIMIT 1
"""
_CLAIM_SET = """
    SET status = 'running', worker = :worker, lease_until = :until, attempts = attempts + 1
"""
CLAIM_POSTGRES = f"""
    WITH next AS ({_CANDIDATE} FOR UPDATE SKIP LOCKED)
    UPDATE collectjob {_CLAIM_SET} FROM next WHERE collectjob.id = next.id
    RETURNING collectjob.id, collectjob.source, collectjob.target, collectjob.attempts
"""
CLAIM_SQLITE = f"""
    UPDATE collectjob {_CLAIM_SET} WHERE id = ({_CANDIDATE})
    RETURNING id, source, target, attempts
"""


def _sql(statement: str) -> TextClause:
    """Raw SQL whose timestamps go through the same type handling as the ORM's columns, so
    SQLite stores them in the one format it compares and parses back."""
    clause = text(statement)
    stamps = [
        name for name in ("now", "until", "not_before", "finished") if f":{name}" in statement
    ]
    return clause.bindparams(*(bindparam(n, type_=DateTime(timezone=True)) for n in stamps))


class JobError(ValueError):
    """A job that cannot be queued as given."""


@dataclass(frozen=True)
class Claimed:
    id: int
    source: str
    target: str
    attempts: int


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> datetime:
    return datetime.now(UTC)


def validate(source: str, target: str) -> None:
    if source not in SOURCES:
        raise JobError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    if source == "git":
        name, _, location = target.partition("=")
        if not name or not location:
            raise JobError(f"a git job's target is NAME=PATH-or-URL, got {target!r}")
    else:
        owner, _, repo = target.partition("/")
        if not owner or not repo or "/" in repo:
            raise JobError(f"a {source} job's target is OWNER/REPO, got {target!r}")


def enqueue(engine: Engine, source: str, target: str) -> str:
    """Queue a job; a finished one is queued again. Returns queued, requeued or waiting."""
    validate(source, target)
    now = _now()
    try:
        with engine.begin() as conn:
            conn.execute(
                _sql(
                    "INSERT INTO collectjob (source, target, status, attempts, created_at) "
                    "VALUES (:source, :target, 'pending', 0, :now)"
                ),
                {"source": source, "target": target, "now": now},
            )
        return "queued"
    except IntegrityError:
        pass
    with engine.begin() as conn:
        again = conn.execute(
            _sql(
                "UPDATE collectjob SET status = 'pending', attempts = 0, lease_until = NULL, "
                "last_error = NULL, worker = NULL WHERE source = :source AND target = :target "
                "AND status IN ('done', 'failed')"
            ),
            {"source": source, "target": target},
        ).rowcount
    return "requeued" if again else "waiting"


def claim(engine: Engine, worker: str, lease: timedelta) -> Claimed | None:
    """The next job for `worker`, or None when nothing is claimable right now."""
    now = _now()
    statement = CLAIM_POSTGRES if engine.dialect.name == "postgresql" else CLAIM_SQLITE
    with engine.begin() as conn:
        row = conn.execute(
            _sql(statement), {"now": now, "until": now + lease, "worker": worker}
        ).first()
    return Claimed(int(row[0]), row[1], row[2], int(row[3])) if row else None


def renew(engine: Engine, job_id: int, worker: str, lease: timedelta) -> bool:
    """Extend the lease; False when another worker has taken the job over."""
    with engine.begin() as conn:
        return bool(
            conn.execute(
                _sql(
                    "UPDATE collectjob SET lease_until = :until WHERE id = :id "
                    "AND worker = :worker AND status = 'running'"
                ),
                {"until": _now() + lease, "id": job_id, "worker": worker},
            ).rowcount
        )


def finish(
    engine: Engine,
    job: Claimed,
    worker: str,
    *,
    error: str | None = None,
    retry_after: timedelta | None = None,
    counts: bool = True,
) -> str:
    """Record the outcome: done, pending again (retry after a pause) or failed for good.

    `counts=False` gives the attempt back: the job did not fail, it had to wait (another
    process held the repository), so waiting never uses up its attempts.
    """
    now = _now()
    if error is None:
        status, not_before = "done", None
    elif not counts or job.attempts < MAX_ATTEMPTS:
        backoff = timedelta(seconds=min(600, 15 * 2 ** (job.attempts - 1)))
        delay = backoff if retry_after is None else retry_after
        status, not_before = "pending", now + delay
    else:
        status, not_before = "failed", None
    with engine.begin() as conn:
        conn.execute(
            _sql(
                "UPDATE collectjob SET status = :status, lease_until = :not_before, "
                "last_error = :error, finished_at = :finished, attempts = attempts - :give_back "
                "WHERE id = :id AND worker = :worker AND status = 'running'"
            ),
            {
                "give_back": 0 if counts else 1,
                "status": status,
                "not_before": not_before,
                "error": error[:4000] if error else None,
                "finished": now if status == "done" else None,
                "id": job.id,
                "worker": worker,
            },
        )
    return status


def remaining(engine: Engine) -> int:
    """Jobs not yet finished (pending or running)."""
    with engine.connect() as conn:
        query = "SELECT count(*) FROM collectjob WHERE status IN ('pending', 'running')"
        return int(conn.execute(_sql(query)).scalar_one())


class Heartbeat:
    """Renews a job's lease every third of its length until stopped."""

    def __init__(self, engine: Engine, job: Claimed, worker: str, lease: timedelta) -> None:
        self.engine, self.job, self.worker, self.lease = engine, job, worker, lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{job.id}")

    def _run(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                if not renew(self.engine, self.job.id, self.worker, self.lease):
                    self.lost = True
                    log.warning("lease lost", extra={"job": self.job.id})
                    return
            except Exception:  # a database blip: try again at the next beat
                log.exception("lease renewal failed", extra={"job": self.job.id})

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_job(engine: Engine, settings: Settings, job: Claimed) -> str:
    """Do one job with the same collectors `gemba sync` uses; raises on failure."""
    if job.source == "git":
        name, _, location = job.target.partition("=")
        path = location
        if "://" in location or location.startswith("git@"):
            path = str(sync.update_clone(settings, name, location))
        return sync.collect_git_path(engine, settings, path, name)
    from collectors.github_client import make_github

    gh = make_github(settings)
    sources = sync.SOURCES if job.source == "repo" else (job.source,)
    report = sync.collect_repository(engine, settings, gh, job.target, sources=sources)
    if report.errors:
        raise sync.SyncError("; ".join(f"{s}: {e}" for s, e in report.errors.items()))
    return "; ".join(f"{s}: {d}" for s, d in report.done.items())


def _refused(error: Exception) -> bool:
    """Another process holds the collector's own lease on this repository: retry later."""
    return type(error).__name__ == "CollectRefused"


def work(
    engine: Engine,
    settings: Settings,
    *,
    worker: str | None = None,
    until_empty: bool = False,
    poll_seconds: float = 5.0,
    max_jobs: int | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> int:
    """Claim and run jobs until stopped (or, with `until_empty`, until none is left)."""
    worker = worker or worker_name()
    lease = timedelta(seconds=settings.worker_lease_seconds)
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set() and (max_jobs is None or done < max_jobs):
        job = claim(engine, worker, lease)
        if job is None:
            if until_empty and remaining(engine) == 0:
                break
            stop.wait(poll_seconds)
            continue
        say(f"job {job.id}: {job.source} {job.target} (attempt {job.attempts})")
        started = time.perf_counter()
        with Heartbeat(engine, job, worker, lease):
            try:
                summary = run_job(engine, settings, job)
            except Exception as error:
                refused = _refused(error)
                status = finish(
                    engine,
                    job,
                    worker,
                    error=str(error),
                    retry_after=REFUSED_RETRY if refused else None,
                    counts=not refused,
                )
                log.warning(
                    "job failed",
                    extra={
                        "job": job.id,
                        "target": job.target,
                        "status": status,
                        "error": str(error),
                    },
                )
                say(f"job {job.id}: {status}: {error}")
            else:
                finish(engine, job, worker)
                seconds = round(time.perf_counter() - started, 2)
                log.info(
                    "job done", extra={"job": job.id, "target": job.target, "seconds": seconds}
                )
                say(f"job {job.id}: done in {seconds} s: {summary}")
        done += 1
    return done
