"""CI health, flaky builds and the time they cost: pure functions over attempt and job rows.

Definitions (also in docs/metrics.md, "CI health and flaky builds"):
- An *attempt* is one execution of a workflow run (a rerun is a new attempt of the same run).
- Success rate = successful attempts / completed attempts that were neither cancelled nor
  skipped. Cancelled and skipped are counted apart: a cancelled build is not a broken one.
- Failure means conclusion `failure`, `timed_out` or `startup_failure`.
- Duration: attempt `run_started_at → updated_at`; job `started_at → completed_at`.
  Queue time: job `created_at → started_at`.
- A *group* is one workflow (or one job name, matrix values included) on one head SHA, with all
  attempts of all its runs. It is *flaky* when it has at least one failure and one success: the
  code did not change, the result did. Flaky rate = flaky groups / groups with at least one
  completed, non-cancelled, non-skipped attempt.
- Time lost per flaky group: runner time of the failed attempts, and the developer's wait from
  the first failure's completion to the completion of the first success after it.

Every function takes its rows and an explicit `now`; "no data" is None, never -1.
The session-level entry points at the bottom load rows through `ci_queries` and call these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.core.identities import directory
from dashboards.queries.ci import (
    AttemptRow,
    JobRow,
    People,
    attempts_for,
    jobs_for,
)
from dashboards.signals.stats import percentile

FAILURE = frozenset({"failure", "timed_out", "startup_failure"})
SUCCESS = "success"
CANCELLED = "cancelled"
SKIPPED = "skipped"
NOT_COUNTED = frozenset({CANCELLED, SKIPPED})
ZERO = timedelta(0)


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class WeekStats:
    """One ISO week (Monday, UTC) of one workflow or one job."""

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


@dataclass(frozen=True)
class FlakyGroup:
    """A workflow (job is None) or one job name on one head SHA, over all attempts of its runs."""

    repo: str
    workflow_id: int | None
    workflow: str
    job: str | None
    head_sha: str
    attempts: int
    decided: int  # completed, neither cancelled nor skipped
    failures: int
    successes: int
    flaky: bool
    first_failure_at: datetime | None
    success_at: datetime | None
    wait: timedelta | None
    runner_time: timedelta
    person: str | None
    pull_numbers: tuple[int, ...]
    rerun_by: tuple[str, ...]
    last_at: datetime | None
    run_urls: tuple[str, ...]


@dataclass(frozen=True)
class FlakyJob:
    """A job name that flaked, with how often and the runs that show it."""

    repo: str
    workflow: str
    job: str
    flaky_groups: int
    groups: int
    flaky_rate: float | None
    last_seen: datetime | None
    run_urls: tuple[str, ...]


@dataclass(frozen=True)
class FlakyReport:
    groups: int
    flaky: int
    flaky_rate: float | None
    workflows: list[FlakyGroup]
    jobs: list[FlakyJob]


@dataclass(frozen=True)
class LostRow:
    """Time lost to flaky builds under one key (a person, a team or a workflow)."""

    key: str
    flaky_groups: int
    waited: timedelta
    runner_time: timedelta

    @property
    def waited_hours(self) -> float:
        return round(self.waited.total_seconds() / 3600, 2)

    @property
    def runner_minutes(self) -> float:
        return round(self.runner_time.total_seconds() / 60, 1)


@dataclass(frozen=True)
class TimeLost:
    by_person: list[LostRow]
    by_team: list[LostRow]
    by_workflow: list[LostRow]
    waited: timedelta
    runner_time: timedelta


@dataclass(frozen=True)
class FlakedPull:
    repo: str
    number: int
    workflows: tuple[str, ...]
    run_urls: tuple[str, ...]


@dataclass(frozen=True)
class PersonCI:
    """One person's CI week(s): their PRs whose checks flaked, their reruns, their waiting."""

    login: str
    flaked_pulls: list[FlakedPull] = field(default_factory=list)
    reruns: int = 0
    waited_on_ci: timedelta = ZERO
    waited_on_flaky: timedelta = ZERO


# --------------------------------------------------------------------------- helpers


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week containing `moment`."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def _span(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None or end < start:
        return None
    return end - start


def attempt_duration(row: AttemptRow) -> timedelta | None:
    return _span(row.started_at, row.updated_at) if row.status == "completed" else None


def job_duration(row: JobRow) -> timedelta | None:
    return _span(row.started_at, row.completed_at)


def job_queue(row: JobRow) -> timedelta | None:
    return _span(row.created_at, row.started_at)


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


def _union_length(intervals: list[tuple[datetime, datetime]]) -> timedelta:
    """Length of the union, so two workflows running side by side count once."""
    total, current_end = ZERO, None
    current_start = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total


# --------------------------------------------------------------------------- health


def workflow_health(
    attempts: Sequence[AttemptRow], jobs: Sequence[JobRow], *, now: datetime
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
    attempt_week = {(a.run_id, a.attempt): week_of(a.started_at or a.created_at) for a in attempts}
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
            start = datetime.combine(week, datetime.min.time(), UTC)
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


# --------------------------------------------------------------------------- flaky


@dataclass
class _Try:
    """One execution inside a group: an attempt (workflow level) or a job execution."""

    run_id: int
    attempt: int
    status: str | None
    conclusion: str | None
    completed_at: datetime | None
    runner_time: timedelta
    url: str | None
    created_at: datetime


def _group(
    key: tuple[str, int | None, str, str | None, str],
    tries: list[_Try],
    attempts: dict[tuple[int, int], AttemptRow],
) -> FlakyGroup:
    repo, workflow_id, workflow, job, sha = key
    done = [t for t in tries if t.status == "completed"]
    failures = [t for t in done if t.conclusion in FAILURE]
    successes = [t for t in done if t.conclusion == SUCCESS]
    flaky = bool(failures and successes)
    first_failure_at = min((t.completed_at for t in failures if t.completed_at), default=None)
    success_at = None
    if first_failure_at is not None:
        success_at = min(
            (
                t.completed_at
                for t in successes
                if t.completed_at and t.completed_at >= first_failure_at
            ),
            default=None,
        )
    wait = success_at - first_failure_at if flaky and success_at and first_failure_at else None
    rows = [attempts[(t.run_id, t.attempt)] for t in tries if (t.run_id, t.attempt) in attempts]
    person = next((r.person for r in rows if r.person), None)
    numbers = tuple(sorted({n for r in rows for n in r.pull_numbers}))
    rerun_by = tuple(
        sorted({r.triggering_actor for r in rows if r.attempt > 1 and r.triggering_actor})
    )
    return FlakyGroup(
        repo=repo,
        workflow_id=workflow_id,
        workflow=workflow,
        job=job,
        head_sha=sha,
        attempts=len(tries),
        decided=sum(1 for t in done if t.conclusion not in NOT_COUNTED),
        failures=len(failures),
        successes=len(successes),
        flaky=flaky,
        first_failure_at=first_failure_at,
        success_at=success_at,
        wait=wait,
        runner_time=sum((t.runner_time for t in failures), ZERO) if flaky else ZERO,
        person=person,
        pull_numbers=numbers,
        rerun_by=rerun_by,
        last_at=max((t.completed_at or t.created_at for t in tries), default=None),
        run_urls=tuple(dict.fromkeys(t.url for t in tries if t.url)),
    )


def groups_by_sha(
    attempts: Sequence[AttemptRow], jobs: Sequence[JobRow]
) -> tuple[list[FlakyGroup], list[FlakyGroup]]:
    """(workflow groups, job groups): every workflow and job name on every head SHA.

    Runner time of a failed attempt is the sum of its jobs' durations (what the runners were
    busy with), or the attempt's own duration when its jobs were not collected.
    """
    names = {(a.repo, a.workflow_id): a.workflow for a in attempts}
    attempt_rows = {(a.run_id, a.attempt): a for a in attempts}
    jobs_of: dict[tuple[int, int], list[JobRow]] = defaultdict(list)
    for job in jobs:
        jobs_of[(job.run_id, job.attempt)].append(job)

    workflow_tries: dict[tuple, list[_Try]] = defaultdict(list)
    for a in attempts:
        job_time = [d for d in map(job_duration, jobs_of[(a.run_id, a.attempt)]) if d is not None]
        runner = sum(job_time, ZERO) if job_time else (attempt_duration(a) or ZERO)
        key = (a.repo, a.workflow_id, names[(a.repo, a.workflow_id)], None, a.head_sha)
        workflow_tries[key].append(
            _Try(
                a.run_id,
                a.attempt,
                a.status,
                a.conclusion,
                a.updated_at if a.status == "completed" else None,
                runner,
                a.html_url,
                a.created_at,
            )
        )
    job_tries: dict[tuple, list[_Try]] = defaultdict(list)
    for j in jobs:
        parent = attempt_rows.get((j.run_id, j.attempt))
        if parent is None:
            continue
        key = (j.repo, j.workflow_id, names[(j.repo, j.workflow_id)], j.name, j.head_sha)
        job_tries[key].append(
            _Try(
                j.run_id,
                j.attempt,
                j.status,
                j.conclusion,
                j.completed_at,
                job_duration(j) or ZERO,
                j.html_url or parent.html_url,
                j.created_at or parent.created_at,
            )
        )
    return _build_groups(workflow_tries, attempt_rows), _build_groups(job_tries, attempt_rows)


def _build_groups(
    tries: dict[tuple, list[_Try]], attempts: dict[tuple[int, int], AttemptRow]
) -> list[FlakyGroup]:
    return [
        _group(key, value, attempts)
        for key, value in sorted(tries.items(), key=lambda i: str(i[0]))
    ]


def _rate(flaky: int, groups: int) -> float | None:
    return round(flaky / groups, 4) if groups else None


def flaky_from_rows(
    attempts: Sequence[AttemptRow], jobs: Sequence[JobRow], *, top: int = 20, links: int = 5
) -> FlakyReport:
    """Flaky rate over workflow groups, the flaky workflow groups (latest first) and the top
    flaky jobs with links to their latest runs.
    """
    workflow_groups, job_groups = groups_by_sha(attempts, jobs)
    counted = [g for g in workflow_groups if _has_verdict(g)]
    flaky = [g for g in counted if g.flaky]
    per_job: dict[tuple[str, str, str], list[FlakyGroup]] = defaultdict(list)
    for group in job_groups:
        if _has_verdict(group):
            per_job[(group.repo, group.workflow, group.job or "")].append(group)
    flaky_jobs = []
    for (repo, workflow, job), groups in per_job.items():
        flaked = sorted((g for g in groups if g.flaky), key=_latest_first)
        if not flaked:
            continue
        urls = tuple(u for g in flaked[:links] for u in g.run_urls)
        flaky_jobs.append(
            FlakyJob(
                repo,
                workflow,
                job,
                len(flaked),
                len(groups),
                _rate(len(flaked), len(groups)),
                flaked[0].last_at,
                urls,
            )
        )
    flaky_jobs.sort(key=lambda j: (-j.flaky_groups, j.repo, j.workflow, j.job))
    return FlakyReport(
        groups=len(counted),
        flaky=len(flaky),
        flaky_rate=_rate(len(flaky), len(counted)),
        workflows=sorted(flaky, key=_latest_first),
        jobs=flaky_jobs[:top],
    )


def _has_verdict(group: FlakyGroup) -> bool:
    """A group counts when at least one attempt completed and was not cancelled or skipped."""
    return group.decided > 0


def _latest_first(group: FlakyGroup) -> tuple[float, str]:
    return (-(group.last_at.timestamp() if group.last_at else 0.0), group.head_sha)


# --------------------------------------------------------------------------- time lost


def _sum_rows(items: dict[str, list[FlakyGroup]]) -> list[LostRow]:
    return [
        LostRow(
            key,
            len(groups),
            sum((g.wait or ZERO for g in groups), ZERO),
            sum((g.runner_time for g in groups), ZERO),
        )
        for key, groups in sorted(items.items())
    ]


def time_lost_from_groups(
    groups: Iterable[FlakyGroup], people: People, *, logins: set[str] | None = None
) -> TimeLost:
    """Waiting and runner time of flaky workflow groups, summed per person, team and workflow.

    People and teams are listed alphabetically, never ranked. `logins` keeps only those people
    (and the teams and workflows are then summed over them only).
    """
    by_person: dict[str, list[FlakyGroup]] = defaultdict(list)
    by_team: dict[str, list[FlakyGroup]] = defaultdict(list)
    by_workflow: dict[str, list[FlakyGroup]] = defaultdict(list)
    kept = []
    for group in groups:
        if not group.flaky or group.job is not None:
            continue
        person = people.person(group.person)
        if logins is not None and person not in logins:
            continue
        kept.append(group)
        if person:
            by_person[person].append(group)
        for team in people.teams(person):
            by_team[team].append(group)
        by_workflow[f"{group.repo} · {group.workflow}"].append(group)
    workflows = sorted(_sum_rows(by_workflow), key=lambda r: (-r.waited, r.key))
    return TimeLost(
        by_person=_sum_rows(by_person),
        by_team=_sum_rows(by_team),
        by_workflow=workflows,
        waited=sum((g.wait or ZERO for g in kept), ZERO),
        runner_time=sum((g.runner_time for g in kept), ZERO),
    )


def person_ci_from_rows(
    attempts: Sequence[AttemptRow],
    groups: Iterable[FlakyGroup],
    people: People,
    *,
    logins: Iterable[str],
) -> list[PersonCI]:
    """Per person: PRs whose checks flaked, reruns they started, and hours waited on CI.

    Waiting on CI is the union of the intervals their runs were pending (created or rerun →
    completed), so two workflows running side by side count once.
    """
    wanted = sorted(set(logins))
    flaked: dict[str, dict[tuple[str, int], list[FlakyGroup]]] = defaultdict(
        lambda: defaultdict(list)
    )
    flaky_wait: dict[str, timedelta] = defaultdict(lambda: ZERO)
    for group in groups:
        if not group.flaky or group.job is not None:
            continue
        person = people.person(group.person)
        if person is None:
            continue
        flaky_wait[person] += group.wait or ZERO
        for number in group.pull_numbers:
            flaked[person][(group.repo, number)].append(group)
    intervals: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    reruns: dict[str, int] = defaultdict(int)
    for row in attempts:
        if row.attempt > 1 and row.triggering_actor:
            reruns[people.person(row.triggering_actor) or row.triggering_actor] += 1
        person = people.person(row.person)
        start = row.created_at if row.attempt == 1 else (row.started_at or row.created_at)
        if person and row.status == "completed" and row.updated_at and row.updated_at > start:
            intervals[person].append((start, row.updated_at))
    return [
        PersonCI(
            login=login,
            flaked_pulls=[
                FlakedPull(
                    repo,
                    number,
                    tuple(sorted({g.workflow for g in gs})),
                    tuple(dict.fromkeys(u for g in gs for u in g.run_urls)),
                )
                for (repo, number), gs in sorted(flaked[login].items())
            ],
            reruns=reruns[login],
            waited_on_ci=_union_length(intervals[login]),
            waited_on_flaky=flaky_wait[login],
        )
        for login in wanted
    ]


# --------------------------------------------------------------------------- session entry points


def owned_by(
    attempts: Sequence[AttemptRow], jobs: Sequence[JobRow], people: People, logins: set[str]
) -> tuple[list[AttemptRow], list[JobRow]]:
    """Only the runs whose person (PR author or pusher, mapped to people) is in `logins`."""
    kept = [a for a in attempts if people.person(a.person) in logins]
    keys = {(a.run_id, a.attempt) for a in kept}
    return kept, [j for j in jobs if (j.run_id, j.attempt) in keys]


def _rows(
    session: Session,
    repo: str | None,
    logins: Iterable[str] | None,
    since: datetime,
    until: datetime,
) -> tuple[list[AttemptRow], list[JobRow]]:
    """The runs in the window (those `logins` own, when given) and their jobs."""
    wanted = set(logins) if logins is not None else None
    attempts = attempts_for(session, repo=repo, since=since, until=until, logins=wanted)
    jobs = jobs_for(session, attempts, repo=repo, since=since, until=until, logins=wanted)
    return attempts, jobs


def ci_health(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
    now: datetime | None = None,
) -> list[WorkflowHealth]:
    """Weekly health per workflow (and its jobs) for runs created in [since, until).

    `logins` keeps the runs of those people only (a team's or one person's builds); `now`
    closes the red time of a branch still failing (defaults to `until`).
    """
    attempts, jobs = _rows(session, repo, logins, since, until)
    return workflow_health(attempts, jobs, now=now or until)


def flaky_report(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
    top: int = 20,
) -> FlakyReport:
    """Flaky rate, flaky workflow groups and the top flaky jobs for runs created in the window
    (of those people only when `logins` is given)."""
    attempts, jobs = _rows(session, repo, logins, since, until)
    return flaky_from_rows(attempts, jobs, top=top)


def flaky_groups(
    session: Session, *, repo: str | None = None, since: datetime, until: datetime
) -> list[FlakyGroup]:
    """The flaky workflow groups (latest first) in the window."""
    return flaky_report(session, repo=repo, since=since, until=until).workflows


def time_lost(
    session: Session,
    *,
    repo: str | None = None,
    logins: Iterable[str] | None = None,
    since: datetime,
    until: datetime,
) -> TimeLost:
    """Hours waited and runner minutes lost to flaky builds, per person, team and workflow."""
    attempts, jobs = _rows(session, repo, None, since, until)
    workflow_groups, _ = groups_by_sha(attempts, jobs)
    wanted = set(logins) if logins is not None else None
    return time_lost_from_groups(workflow_groups, People.of(directory(session)), logins=wanted)


def person_ci(
    session: Session,
    *,
    logins: Iterable[str],
    repo: str | None = None,
    since: datetime,
    until: datetime,
) -> list[PersonCI]:
    """For each login: PRs whose checks flaked, reruns made, hours waited on CI, over the
    builds they own (the person page's figures for the same window)."""
    wanted = set(logins)
    attempts, _ = _rows(session, repo, wanted, since, until)
    workflow_groups, _ = groups_by_sha(attempts, [])
    people = People.of(directory(session))
    return person_ci_from_rows(attempts, workflow_groups, people, logins=wanted)
