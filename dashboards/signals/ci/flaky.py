"""Flaky builds: the same workflow (or job) on the same commit failed, then passed.

A *group* is one workflow (or one job name, matrix values included) on one head SHA, with all
attempts of all its runs. It is *flaky* when it has at least one failure and one success.
Flaky rate = flaky groups / groups with at least one completed, non-cancelled, non-skipped
attempt. Time lost per flaky group: runner time of the failed attempts, and the developer's
wait from the first failure's completion to the completion of the first success after it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboards.queries.ci_rows import (
    AttemptRow,
    CiAttempt,
    JobRow,
)
from dashboards.signals.ci.outcomes import (
    FAILURE,
    NOT_COUNTED,
    SUCCESS,
    ZERO,
    attempt_duration,
    job_duration,
)


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


def verdict(done: Sequence[str | None]) -> tuple[bool, bool]:
    """(counted, flaky) for one group, from the conclusions of its completed attempts: it counts
    when one of them was neither cancelled nor skipped, and is flaky when one failed and one
    succeeded. Every flaky rate (`gemba ci flaky`, the pages, the agreements) reads this."""
    counted = any(c not in NOT_COUNTED for c in done)
    return counted, any(c in FAILURE for c in done) and SUCCESS in done


def _group(
    key: tuple[str, int | None, str, str | None, str],
    tries: list[_Try],
    attempts: dict[tuple[int, int], AttemptRow],
) -> FlakyGroup:
    repo, workflow_id, workflow, job, sha = key
    done = [t for t in tries if t.status == "completed"]
    failures = [t for t in done if t.conclusion in FAILURE]
    successes = [t for t in done if t.conclusion == SUCCESS]
    _, flaky = verdict([t.conclusion for t in done])
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
        decided=sum(1 for t in done if t.conclusion not in NOT_COUNTED),  # > 0: `verdict` counts
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


def workflow_flaky_rate(attempts: Sequence[CiAttempt]) -> tuple[float | None, str | None]:
    """The flaky rate `flaky_from_rows(attempts, [])` gives (the same `verdict` per group),
    and the first run link of its flaky groups latest first, without building every group:
    what an agreement on the rate reads for each workflow and week."""
    tries: dict[tuple[str, int | None, str], list[CiAttempt]] = defaultdict(list)
    for a in attempts:
        tries[(a.repo, a.workflow_id, a.head_sha)].append(a)
    counted, flaky = 0, []
    for (_, _, sha), rows in tries.items():
        has_verdict, flaked = verdict([r.conclusion for r in rows if r.status == "completed"])
        if not has_verdict:
            continue
        counted += 1
        if flaked:
            last = max(
                (r.updated_at if r.status == "completed" else None) or r.created_at for r in rows
            )
            urls = [r.html_url for r in rows if r.html_url]
            flaky.append(((-last.timestamp(), sha), urls[0] if urls else None))
    linked = sorted((key, url) for key, url in flaky if url)
    return _rate(len(flaky), counted), linked[0][1] if linked else None
