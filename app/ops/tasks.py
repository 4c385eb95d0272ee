"""The work itself, one function per task: git, pull requests and CI of one repository, the
hourly fan-out, due digests and Slack nudges.

These are the only task functions. `app.ops.queue` registers them with Procrastinate (the
queue on PostgreSQL, in memory on SQLite), so a worker on any machine, `gemba serve
--schedule` and `gemba jobs enqueue` all run the same code. Each raises on failure, so the
library's retry strategy sees it; each is idempotent, because the collectors resume from their
cursors and digests and nudges are recorded as sent before the next one goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.ops import sync

log = logging.getLogger("gemba.tasks")

Defer = Callable[[str, str, str | None], str]


@dataclass(frozen=True)
class Runtime:
    """What every task needs: the settings and one engine per process."""

    settings: Settings
    engine: Engine


def collect_git(
    runtime: Runtime,
    repository: str,
    location: str | None = None,
    clone_from: str | None = None,
) -> str:
    """Read the repository's new git history.

    `location` is a local path or a clone URL given by hand (`gemba jobs enqueue --source git
    NAME=...`); without it the bare clone under DATA_DIR is fetched first, from the configured
    clone URL (GEMBA_CLONE_URL_TEMPLATE, else `clone_from`, the URL GitHub reported).
    """
    settings = runtime.settings
    if location is not None and "://" not in location and not location.startswith("git@"):
        return sync.collect_git_path(runtime.engine, settings, location, repository)
    if location is None:
        url = sync.clone_url(settings, repository, clone_from)
        token = sync.token_of(sync.github(settings))
    else:
        url, token = location, None
    path = sync.update_clone(settings, repository, url, token)
    return sync.collect_git_path(runtime.engine, settings, path, repository)


def collect_pulls(runtime: Runtime, repository: str) -> str:
    return sync.collect_source(runtime.engine, runtime.settings, repository, "pulls")


def collect_ci(runtime: Runtime, repository: str) -> str:
    return sync.collect_source(runtime.engine, runtime.settings, repository, "ci")


def collect_delivery(runtime: Runtime, repository: str) -> str:
    return sync.collect_source(runtime.engine, runtime.settings, repository, "delivery")


def sync_configured(runtime: Runtime, defer: Defer) -> str:
    """The hourly schedule: queue git, pulls, CI and delivery for every configured repository.

    `defer(source, repository, clone_from)` queues one task and says what happened (queued, or
    waiting: one of the same is already queued). Listing an organisation is one request; the
    collecting happens in the tasks, spread over the workers.
    """
    settings = runtime.settings
    if not settings.repo_entries:
        return "no repositories configured (GEMBA_REPOS)"
    targets = sync.discover(settings, sync.github(settings))
    outcomes: dict[str, int] = {}
    for repository, reported in targets:
        for source in sync.SOURCES:
            outcome = defer(source, repository, reported if source == "git" else None)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log.info("sync queued", extra={"repositories": len(targets), **outcomes})
    return f"{len(targets)} repositories: " + ", ".join(f"{n} {o}" for o, n in outcomes.items())


def send_digests(runtime: Runtime, now: datetime) -> str:
    """Every weekly digest due at `now` (each recipient once a week, however often this runs)."""
    from app.flags.lookup import lookup
    from dashboards.digest.delivery import send_due

    report = send_due(runtime.engine, runtime.settings, now, flags=lookup)
    if report.sent or report.pending:
        log.info("digests", extra={"sent": len(report.sent), "pending": len(report.pending)})
    return f"{len(report.sent)} sent, {len(report.pending)} pending"


def send_nudges(runtime: Runtime, now: datetime) -> str:
    """Due Slack nudges, when a bot token is set; each nudge is claimed before it is posted."""
    from app.nudges.send import send_nudges as send
    from app.nudges.slack import web_client

    token = runtime.settings.slack_bot_token
    if token is None:
        return "no Slack bot token"
    client = web_client(token.get_secret_value(), runtime.settings.slack_api_url)
    report = send(runtime.engine, client, now, runtime.settings)
    if report.sent or report.failed or report.updated:
        log.info("nudges", extra={"sent": len(report.sent), "failed": len(report.failed)})
    return f"{len(report.sent)} sent, {len(report.failed)} failed"
