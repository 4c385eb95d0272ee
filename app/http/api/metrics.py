"""`GET /metrics` in Prometheus text format: how fresh the collected data is, and the queue.

Served at the root (not under /api/v1) because that is where scrapers look. It exposes
repository names and counts only, never people, and by default only to the same machine
(a scraper beside the app) or to an admin token; `GEMBA_METRICS_PUBLIC=true` opens it to any
address. Collection lag is "now minus the last time a
collector moved its cursor", per source and repository; the GitHub rate limit is the last one a
collector saw (any process: it is kept in the database).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, text
from sqlmodel import Session, select

from app.core.models import Commit, Job, PullRequest, SyncCursor, WorkflowRun
from app.core.models.base import as_utc
from app.http.deps import OptionalViewerDep, SessionDep, not_signed_in
from app.ops.sync import RATE_LIMIT_SOURCE

router = APIRouter()

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


class Exposition:
    """Collects metric families and renders them in the text exposition format."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self, name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]
    ) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            self.lines.append(f"{name}{_labels(labels)} {_number(value)}")

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def metrics_text(session: Session, now: datetime) -> str:
    """Every metric, read from the database in a handful of small queries."""
    out = Exposition()
    cursors = session.exec(select(SyncCursor)).all()
    syncs = [c for c in cursors if c.source != RATE_LIMIT_SOURCE]
    last = [
        ({"source": c.source, "repository": c.repository}, as_utc(c.updated_at).timestamp())
        for c in syncs
        if c.updated_at
    ]
    out.family(
        "gemba_last_sync_timestamp_seconds",
        "gauge",
        "When a collector last moved its cursor for a repository (Unix time).",
        last,
    )
    out.family(
        "gemba_collection_lag_seconds",
        "gauge",
        "Seconds since a collector last moved its cursor for a repository.",
        [(labels, max(0.0, now.timestamp() - stamp)) for labels, stamp in last],
    )
    jobs = dict.fromkeys(("todo", "doing", "failed"), 0)
    if session.get_bind().dialect.name == "postgresql":
        for status, count in session.exec(  # type: ignore[call-overload]
            text(
                "SELECT status::text, count(*) FROM procrastinate_jobs "
                "WHERE status IN ('todo', 'doing', 'failed') GROUP BY status"
            )
        ).all():
            jobs[status] = int(count)
    out.family(
        "gemba_collect_jobs",
        "gauge",
        "Jobs in the shared queue, by status (PostgreSQL; on SQLite they run in-process).",
        [({"status": s}, n) for s, n in jobs.items()],
    )
    rows = {
        "commit": Commit,
        "pull_request": PullRequest,
        "workflow_run": WorkflowRun,
        "job": Job,
    }
    out.family(
        "gemba_stored_rows",
        "gauge",
        "Rows collected so far, by table.",
        [
            ({"table": name}, int(session.exec(select(func.count()).select_from(model)).one()))
            for name, model in rows.items()
        ],
    )
    _rate_limits(out, [c for c in cursors if c.source == RATE_LIMIT_SOURCE])
    return out.render()


def _rate_limits(out: Exposition, cursors: list[SyncCursor]) -> None:
    remaining, limit, reset = [], [], []
    for cursor in cursors:
        try:
            seen = json.loads(cursor.position)
        except ValueError:
            continue
        labels = {"api": cursor.repository}
        remaining.append((labels, float(seen["remaining"])))
        limit.append((labels, float(seen["limit"])))
        reset.append((labels, float(seen["reset"])))
    out.family(
        "gemba_github_requests_remaining",
        "gauge",
        "GitHub API requests left in the current rate-limit window, as last seen by a collector.",
        remaining,
    )
    out.family(
        "gemba_github_requests_limit",
        "gauge",
        "GitHub API requests allowed per rate-limit window, as last seen.",
        limit,
    )
    out.family(
        "gemba_github_rate_limit_reset_timestamp_seconds",
        "gauge",
        "When the GitHub rate-limit window resets (Unix time), as last seen.",
        reset,
    )


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def may_scrape(request: Request, viewer: OptionalViewerDep) -> None:
    """Without `GEMBA_METRICS_PUBLIC`, only this machine or an admin token may read /metrics."""
    if request.app.state.settings.metrics_public or _loopback(request):
        return
    if viewer is None:
        raise not_signed_in()
    if not viewer.is_admin:
        raise HTTPException(403, detail="admin token required")


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    include_in_schema=False,
    dependencies=[Depends(may_scrape)],
)
def metrics(session: SessionDep) -> PlainTextResponse:
    """Prometheus scrape endpoint."""
    body = metrics_text(session, datetime.now(UTC))
    return PlainTextResponse(body, media_type=CONTENT_TYPE)
