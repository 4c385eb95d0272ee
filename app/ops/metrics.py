"""What /metrics reports about collection, as a prometheus-client collector read at each scrape.

- queue depth per queue and status (`app.ops.queue_depth`);
- per source and repository, when a collector last finished (or moved its cursor) and the lag
  since: `mark_synced` stamps the cursor at every successful run, so a repository with nothing
  new still reads as fresh;
- the shared GitHub budget of each token (`githubbudget`): what is left, of how many, until when;
- rows stored in the large tables, from the planner's estimate on PostgreSQL (`pg_class`,
  never `count(*)`, which reads the whole table at every scrape) and from the highest row id
  on SQLite (one step down the table's b-tree).

Repository names and counts only, never people.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from app.core.models import Commit, GithubBudget, Job, PullRequest, SyncCursor, WorkflowRun
from app.core.models.base import as_utc
from app.ops.queue_depth import depth
from app.ops.sync import SOURCES

TABLES = {
    "commit": Commit,
    "pull_request": PullRequest,
    "workflow_run": WorkflowRun,
    "job": Job,
}
# reltuples is -1 until the table was first analysed: then the statistics' live rows answer.
_ESTIMATES = text(
    "SELECT c.relname AS name, CASE WHEN c.reltuples >= 0 THEN c.reltuples "
    "ELSE coalesce(s.n_live_tup, 0) END AS n "
    "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
    "WHERE c.relkind = 'r' AND c.relname = ANY(:names) "
    "AND c.relnamespace = to_regnamespace(current_schema())::oid"
)


class CollectionCollector(Collector):
    """Reads the database at each scrape: a handful of small queries, none over a large table."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = time.time()
        with self.engine().connect() as conn:
            yield from _queue(conn)
            yield from _lag(conn, now)
            yield from _budget(conn)
            yield _rows(conn)


def _queue(conn: Connection) -> Iterator[GaugeMetricFamily]:
    jobs = GaugeMetricFamily(
        "gemba_queue_jobs",
        "Jobs in the task queue by queue and status (todo: waiting, doing: running, failed: "
        "given up); on SQLite only this process's in-memory queue.",
        labels=["queue", "status"],
    )
    for (queue, status), count in sorted(depth(conn).items()):
        jobs.add_metric([queue, status], count)
    yield jobs


def _lag(conn: Connection, now: float) -> Iterator[GaugeMetricFamily]:
    labels = ["source", "repository"]
    last = GaugeMetricFamily(
        "gemba_last_sync_timestamp_seconds",
        "When a collector last finished, or moved its cursor, for a repository (Unix time).",
        labels=labels,
    )
    lag = GaugeMetricFamily(
        "gemba_collection_lag_seconds",
        "Seconds since a collector last finished, or moved its cursor, for a repository.",
        labels=labels,
    )
    cursors = conn.execute(
        select(SyncCursor.source, SyncCursor.repository, SyncCursor.updated_at)  # type: ignore[call-overload]
        .where(SyncCursor.source.in_(SOURCES))  # type: ignore[attr-defined]
        .order_by(SyncCursor.source, SyncCursor.repository)
    ).all()
    for source, repository, updated_at in cursors:
        stamp = as_utc(updated_at).timestamp()
        last.add_metric([source, repository], stamp)
        lag.add_metric([source, repository], max(0.0, now - stamp))
    yield last
    yield lag


def _budget(conn: Connection) -> Iterator[GaugeMetricFamily]:
    labels = ["api", "account", "resource"]
    remaining = GaugeMetricFamily(
        "gemba_github_requests_remaining",
        "GitHub requests left in the rate-limit window, shared by every worker on the token.",
        labels=labels,
    )
    limit = GaugeMetricFamily(
        "gemba_github_requests_limit",
        "GitHub requests allowed per rate-limit window, as GitHub last reported.",
        labels=labels,
    )
    reset = GaugeMetricFamily(
        "gemba_github_rate_limit_reset_timestamp_seconds",
        "When the GitHub rate-limit window resets (Unix time).",
        labels=labels,
    )
    rows = conn.execute(
        select(  # type: ignore[call-overload]
            GithubBudget.key, GithubBudget.remaining, GithubBudget.quota, GithubBudget.reset_epoch
        ).order_by(GithubBudget.key)
    ).all()
    for key, left, quota, reset_epoch in rows:
        names = _budget_labels(key)
        remaining.add_metric(names, left)
        limit.add_metric(names, quota)
        reset.add_metric(names, reset_epoch)
    yield remaining
    yield limit
    yield reset


def _budget_labels(key: str) -> list[str]:
    """ "HOST token:HASH core" (collectors.github_budget) as [api, account, resource]."""
    who, _, resource = key.rpartition(" ")
    host, _, account = who.partition(" ")
    return [host, account, resource]


def _rows(conn: Connection) -> GaugeMetricFamily:
    rows = GaugeMetricFamily(
        "gemba_stored_rows",
        "Rows collected, by table: the planner's estimate on PostgreSQL (exact after ANALYZE), "
        "the highest row id on SQLite.",
        labels=["table"],
    )
    names = {model.__tablename__: label for label, model in TABLES.items()}  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        found = {
            str(name): float(n)
            for name, n in conn.execute(_ESTIMATES, {"names": list(names)}).all()
        }
    else:
        found = {
            table: float(
                conn.execute(text(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')).scalar_one()
            )
            for table in names
        }
    for table, label in names.items():
        rows.add_metric([label], round(found.get(table, 0.0)))
    return rows
