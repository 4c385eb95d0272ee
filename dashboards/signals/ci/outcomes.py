"""What one attempt or job says: its result, how long it ran and waited, and its week.

Definitions (also in docs/metrics.md, "CI health and flaky builds"): failure means conclusion
`failure`, `timed_out` or `startup_failure`; cancelled and skipped are counted apart, never
as failures. Duration: attempt `run_started_at -> updated_at`; job `started_at -> completed_at`.
Queue time: job `created_at -> started_at`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboards.queries.ci_rows import (
    CiAttempt,
    JobRow,
)
from dashboards.signals import weeks

FAILURE = frozenset({"failure", "timed_out", "startup_failure"})


SUCCESS = "success"


CANCELLED = "cancelled"


SKIPPED = "skipped"


NOT_COUNTED = frozenset({CANCELLED, SKIPPED})


ZERO = timedelta(0)


def week_of(moment: datetime, timezone: str | None = None) -> date:
    """The Monday of the ISO week containing `moment` in `timezone` (UTC when None)."""
    return weeks.week_start(moment, timezone)


def span(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None or end < start:
        return None
    return end - start


def attempt_duration(row: CiAttempt) -> timedelta | None:
    return span(row.started_at, row.updated_at) if row.status == "completed" else None


def job_duration(row: JobRow) -> timedelta | None:
    return span(row.started_at, row.completed_at)


def job_queue(row: JobRow) -> timedelta | None:
    return span(row.created_at, row.started_at)
