"""The scheduler inside `gemba serve --schedule`: collection every GEMBA_SYNC_INTERVAL_MINUTES
and due digests every few minutes, Slack nudges every ten (when GEMBA_SLACK_BOT_TOKEN is set),
on one background thread.

One thread in the serve process (the uvicorn supervisor when there are several web workers),
so there is one scheduler however many web processes serve pages. For several machines, run
`gemba sync` or `gemba jobs enqueue --configured` from cron instead (docs/operate.md). Every
task is idempotent, so an overlap with a manual run does no harm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from app.core.db import make_engine
from app.core.settings import Settings
from app.flags.lookup import lookup
from app.nudges.send import send_nudges
from app.nudges.slack import web_client
from app.ops import sync
from dashboards.digest.delivery import send_due

log = logging.getLogger("gemba.scheduler")

DIGEST_EVERY = timedelta(minutes=5)
NUDGES_EVERY = timedelta(minutes=10)
TICK_SECONDS = 30.0


def _now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Decides what is due at each tick and runs it; `tick(now)` is what tests drive."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.sync_every = timedelta(minutes=settings.sync_interval_minutes)
        self.last_sync: datetime | None = None
        self.last_digest: datetime | None = None
        self.last_nudges: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: datetime) -> list[str]:
        """Run whatever is due at `now`; returns the names of the tasks that ran."""
        ran = []
        if self.settings.repo_entries and (
            self.last_sync is None or now - self.last_sync >= self.sync_every
        ):
            self.last_sync = now
            self._guard("sync", self._sync)
            ran.append("sync")
        if self.last_digest is None or now - self.last_digest >= DIGEST_EVERY:
            self.last_digest = now
            self._guard("digest", lambda: self._digest(now))
            ran.append("digest")
        if self.settings.slack_bot_token is not None and (
            self.last_nudges is None or now - self.last_nudges >= NUDGES_EVERY
        ):
            self.last_nudges = now
            self._guard("nudges", lambda: self._nudges(now))
            ran.append("nudges")
        return ran

    def _guard(self, name: str, task: Callable[[], object]) -> None:
        try:
            task()
        except Exception:  # a failing task must not stop the schedule
            log.exception("scheduled task failed", extra={"task": name})

    def _sync(self) -> None:
        from collectors.github_client import make_github

        reports = sync.sync_all(self.engine, self.settings, make_github(self.settings), log.info)
        failed = [r.repository for r in reports if not r.ok]
        log.info("scheduled sync done", extra={"repositories": len(reports), "failed": failed})

    def _digest(self, now: datetime) -> None:
        report = send_due(self.engine, self.settings, now, flags=lookup)
        if report.sent or report.pending:
            log.info("digests", extra={"sent": len(report.sent), "pending": len(report.pending)})

    def _nudges(self, now: datetime) -> None:
        token = self.settings.slack_bot_token
        assert token is not None
        client = web_client(token.get_secret_value(), self.settings.slack_api_url)
        report = send_nudges(self.engine, client, now, self.settings)
        if report.sent or report.failed or report.updated:
            log.info(
                "nudges",
                extra={"sent": len(report.sent), "failed": len(report.failed)},
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick(_now())
            self._stop.wait(TICK_SECONDS)

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._run, name="gemba-scheduler", daemon=True)
        self._thread.start()
        log.info(
            "scheduler started",
            extra={"sync_every_minutes": self.settings.sync_interval_minutes},
        )
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        self.engine.dispose()
