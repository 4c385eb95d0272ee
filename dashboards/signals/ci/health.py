"""CI health per workflow and job, week by week: runs, success rate, durations, queue times and
the default branch's red time. Pure over attempt and job rows with an explicit `now`.

Success rate = successful attempts / completed attempts that were neither cancelled nor
skipped; "no data" is None, never -1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from dashboards.queries.ci_rows import (
    AttemptRow,
    JobRow,
)
from dashboards.signals.ci.outcomes import (
    CANCELLED,
    FAILURE,
    NOT_COUNTED,
    SKIPPED,
    SUCCESS,
    ZERO,
    attempt_duration,
    job_duration,
    job_queue,
    week_of,
)
from dashboards.signals.stats import percentile
from dashboards.signals.weeks import week_bounds


@dataclass(frozen=True)
class WeekStats:
    """One ISO week (from Monday 00:00 in the team's zone) of one workflow or one job."""

    week: date
    runs: int
    attempts: int
    succeeded: int
    failed: int
    cancelled: int
    skipped: int
    other: int
    in_progress: int
    success_rate: float | None
    duration_p50: timedelta | None
    duration_p90: timedelta | None
    queue_p50: timedelta | None
    queue_p90: timedelta | None
    red_time: timedelta | None = None  # workflow level only: default branch failing


@dataclass(frozen=True)
class JobHealth:
    name: str
    weeks: list[WeekStats]


@dataclass(frozen=True)
class WorkflowHealth:
    repo: str
    workflow_id: int | None
    workflow: str
    weeks: list[WeekStats]
    jobs: list[JobHealth]


def _week_stats(
    week: date,
    results: list[tuple[int, str | None, str | None]],
    durations: list[timedelta],
    queues: list[timedelta],
) -> WeekStats:
    """`results` holds (run id, status, conclusion) per attempt or job execution."""
    done = [(s, c) for _, s, c in results if s == "completed"]
    succeeded = sum(1 for _, c in done if c == SUCCESS)
    failed = sum(1 for _, c in done if c in FAILURE)
    cancelled = sum(1 for _, c in done if c == CANCELLED)
    skipped = sum(1 for _, c in done if c == SKIPPED)
    counted = [c for _, c in done if c not in NOT_COUNTED]
    return WeekStats(
        week=week,
        runs=len({run_id for run_id, _, _ in results}),
        attempts=len(results),
        succeeded=succeeded,
        failed=failed,
        cancelled=cancelled,
        skipped=skipped,
        other=len(counted) - succeeded - failed,
        in_progress=len(results) - len(done),
        success_rate=round(succeeded / len(counted), 4) if counted else None,
        duration_p50=percentile(durations, 0.5),
        duration_p90=percentile(durations, 0.9),
        queue_p50=percentile(queues, 0.5),
        queue_p90=percentile(queues, 0.9),
    )


def red_intervals(attempts: Iterable[AttemptRow], now: datetime) -> list[tuple[datetime, datetime]]:
    """When one workflow's default branch stayed failing: from a failed attempt's completion
    to the next success's completion (or `now`). Cancelled and skipped attempts change nothing.
    """
    finished = sorted(
        (a for a in attempts if a.status == "completed" and a.updated_at is not None),
        key=lambda a: a.updated_at,  # type: ignore[arg-type, return-value]
    )
    intervals: list[tuple[datetime, datetime]] = []
    red_since: datetime | None = None
    for attempt in finished:
        assert attempt.updated_at is not None
        if attempt.conclusion in FAILURE and red_since is None:
            red_since = attempt.updated_at
        elif attempt.conclusion == SUCCESS and red_since is not None:
            intervals.append((red_since, attempt.updated_at))
            red_since = None
    if red_since is not None and red_since < now:
        intervals.append((red_since, now))
    return intervals


def _overlap(
    intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> timedelta:
    total = ZERO
    for low, high in intervals:
        low, high = max(low, start), min(high, end)
        if high > low:
            total += high - low
    return total


def workflow_health(
    attempts: Sequence[AttemptRow],
    jobs: Sequence[JobRow],
    *,
    now: datetime,
    timezone: str | None = None,
) -> list[WorkflowHealth]:
    """Weekly runs, success rate, durations, queue times and red time per workflow and job.

    Attempts are placed in the week they started (run creation when not started yet); jobs in
    the week of their attempt. Workflows are keyed by id, so a renamed workflow stays one line
    under its current name.
    """
    by_workflow: dict[tuple[str, int | None, str], list[AttemptRow]] = defaultdict(list)
    names: dict[tuple[str, int | None], str] = {}
    for row in attempts:
        names[(row.repo, row.workflow_id)] = row.workflow
    for row in attempts:
        key = (row.repo, row.workflow_id, names[(row.repo, row.workflow_id)])
        by_workflow[key].append(row)
    attempt_week = {
        (a.run_id, a.attempt): week_of(a.started_at or a.created_at, timezone) for a in attempts
    }
    jobs_by_workflow: dict[tuple[str, int | None], list[JobRow]] = defaultdict(list)
    for job in jobs:
        jobs_by_workflow[(job.repo, job.workflow_id)].append(job)

    result = []
    for (repo, workflow_id, name), rows in sorted(
        by_workflow.items(), key=lambda i: (i[0][0], i[0][2])
    ):
        workflow_jobs = [
            j
            for j in jobs_by_workflow[(repo, workflow_id)]
            if (j.run_id, j.attempt) in attempt_week
        ]
        red = red_intervals([r for r in rows if r.on_default_branch], now)
        weeks: dict[date, list[AttemptRow]] = defaultdict(list)
        for row in rows:
            weeks[attempt_week[(row.run_id, row.attempt)]].append(row)
        job_weeks: dict[date, list[JobRow]] = defaultdict(list)
        for job in workflow_jobs:
            job_weeks[attempt_week[(job.run_id, job.attempt)]].append(job)
        stats = []
        for week in sorted(weeks):
            week_rows = weeks[week]
            start, _ = week_bounds(week, timezone)
            stat = _week_stats(
                week,
                [(r.run_id, r.status, r.conclusion) for r in week_rows],
                [d for d in map(attempt_duration, week_rows) if d is not None],
                [q for q in map(job_queue, job_weeks[week]) if q is not None],
            )
            red_time = _overlap(red, start, min(start + timedelta(days=7), now))
            stats.append(
                replace(stat, red_time=red_time if any(r.on_default_branch for r in rows) else None)
            )
        result.append(
            WorkflowHealth(repo, workflow_id, name, stats, _job_health(workflow_jobs, attempt_week))
        )
    return result


def _job_health(jobs: list[JobRow], attempt_week: dict[tuple[int, int], date]) -> list[JobHealth]:
    by_name: dict[str, dict[date, list[JobRow]]] = defaultdict(lambda: defaultdict(list))
    for job in jobs:
        by_name[job.name][attempt_week[(job.run_id, job.attempt)]].append(job)
    return [
        JobHealth(
            name,
            [
                _week_stats(
                    week,
                    [(j.run_id, j.status, j.conclusion) for j in rows],
                    [d for d in map(job_duration, rows) if d is not None],
                    [q for q in map(job_queue, rows) if q is not None],
                )
                for week, rows in sorted(weeks.items())
            ],
        )
        for name, weeks in sorted(by_name.items())
    ]
