"""CI as the pages show it: builds that hit a person's PRs, hours waited, workflow health.

The one place the pages call `dashboards.signals.ci`; it returns None when there are no
runs, and the page shows an empty state naming the command that collects them.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.identities import directory
from dashboards.pages.baseline import (
    USUAL_PERIODS,
    cached_baseline,
    day_window,
    team_window,
)
from dashboards.pages.weekly import Weekly, week_counts
from dashboards.periods import Period, iso_week, weeks_between
from dashboards.queries.ci import People, attempts_for, jobs_for
from dashboards.signals.ci.flaky import flaky_from_rows, groups_by_sha
from dashboards.signals.ci.health import workflow_health
from dashboards.signals.ci.lost import PersonCI, person_ci_from_rows
from dashboards.signals.weeks import monday_label
from dashboards.talking_points import CiHit


@dataclass
class CiWaits:
    """Hours waited on CI, and the part of it spent on flaky builds."""

    on_ci: float | None = None
    on_flaky: float | None = None


@dataclass
class PersonCi:
    hits: list[CiHit]
    reruns: int
    waits: CiWaits
    usual: CiWaits
    team: CiWaits
    usual_hits: float | None = None  # their PRs hit by flaky builds, per period, as usual


@dataclass
class FlakyJob:
    repo: str
    workflow: str
    job: str
    flaky_runs: int
    url: str | None


@dataclass
class WorkflowHealth:
    repo: str
    workflow: str
    runs: int
    failure_rate: float | None
    flaky_runs: int
    median_minutes: float | None


@dataclass
class GroupCi:
    weekly: Weekly  # runs, failed, flaky per week
    flaky_jobs: list[FlakyJob]
    wait_hours: Weekly  # hours waited on CI per week
    workflows: list[WorkflowHealth]


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _run_id(url: str) -> int | None:
    match = re.search(r"/runs/(\d+)", url)
    return int(match.group(1)) if match else None


def person_ci(
    session: Session,
    *,
    logins: set[str],
    team_logins: set[str],
    period: Period,
    now: datetime,
    usual_days: float | None = None,
) -> PersonCi | None:
    """Flaky builds that hit their PRs and hours waited on CI, against their usual and the team.

    The usual is per period over `usual_days` before this one (the days the person's data
    covers; by default the three periods)."""
    usual_window = period.previous(USUAL_PERIODS)
    rows = attempts_for(session, since=usual_window.start, until=now, logins=logins)
    if not rows:
        return None
    people = People.of(directory(session))
    attempts = [a for a in rows if a.created_at >= period.start]
    before = [a for a in rows if a.created_at < period.start]
    groups, _ = groups_by_sha(attempts, [])  # runner time is not shown on this page
    mine = person_ci_from_rows(attempts, groups, people, logins=logins)
    before_groups, _ = groups_by_sha(before, [])
    usual = person_ci_from_rows(before, before_groups, people, logins=logins)
    weekly_team = team_ci_waits(session, team_logins=team_logins, period=period)
    start, end = team_window(period)
    scale = period.days / ((end - start).total_seconds() / 86400)  # totals: same length as ours
    team = CiWaits(
        *(
            None if v is None else round(v * scale, 2)
            for v in (weekly_team.on_ci, weekly_team.on_flaky)
        )
    )
    hits = [
        CiHit(
            repo=pull.repo,
            run_id=_run_id(pull.run_urls[0]) if pull.run_urls else None,
            workflow=", ".join(pull.workflows),
            job=None,
            url=pull.run_urls[0] if pull.run_urls else None,
            pull_number=pull.number,
        )
        for p in mine
        for pull in p.flaked_pulls
    ]

    def total(items: list[PersonCI], attr: str) -> float | None:
        if not items:
            return None
        return _hours(sum((getattr(i, attr) for i in items), timedelta()))

    periods = usual_days / period.days if usual_days and period.days else USUAL_PERIODS

    def per_period(items: list[PersonCI], attr: str) -> float | None:
        value = total(items, attr)
        return None if value is None else round(value / periods, 2)

    return PersonCi(
        hits=hits,
        reruns=sum(p.reruns for p in mine),
        waits=CiWaits(total(mine, "waited_on_ci"), total(mine, "waited_on_flaky")),
        usual=CiWaits(per_period(usual, "waited_on_ci"), per_period(usual, "waited_on_flaky")),
        team=team,
        usual_hits=round(sum(len(p.flaked_pulls) for p in usual) / periods, 2) if usual else None,
    )


def team_ci_waits(session: Session, *, team_logins: set[str], period: Period) -> CiWaits:
    """The median member's hours waited on CI (and on flaky builds) in the period's weeks."""
    start, end = team_window(period)

    def compute() -> CiWaits:
        attempts = attempts_for(session, since=start, until=end, logins=team_logins)
        groups, _ = groups_by_sha(attempts, [])
        rows = person_ci_from_rows(
            attempts, groups, People.of(directory(session)), logins=team_logins
        )
        if not rows:
            return CiWaits()
        return CiWaits(
            round(statistics.median(_hours(r.waited_on_ci) or 0.0 for r in rows), 2),
            round(statistics.median(_hours(r.waited_on_flaky) or 0.0 for r in rows), 2),
        )

    return cached_baseline(session, ("ci", frozenset(team_logins), start, end), compute)


def group_ci(
    session: Session,
    *,
    team_logins: set[str] | None,
    repository: str | None,
    period: Period,
    now: datetime,
    timezone: str | None = None,
) -> GroupCi | None:
    """CI health per week (in `timezone`, the team's), the flakiest jobs, hours waited on flaky
    builds, per workflow.

    A team baseline: computed over the period's whole days, cached per days and data version.
    """
    start, end = day_window(period)
    actors = frozenset(team_logins) if team_logins is not None else None

    def compute() -> GroupCi | None:
        return _group_ci(
            session, actors=actors, repository=repository, period=period, timezone=timezone
        )

    key = ("group_ci", actors, repository, timezone, start, end)
    return cached_baseline(session, key, compute)


def _group_ci(
    session: Session,
    *,
    actors: frozenset[str] | None,
    repository: str | None,
    period: Period,
    timezone: str | None,
) -> GroupCi | None:
    start, end = day_window(period)
    attempts = attempts_for(session, since=start, until=end, logins=actors, repo=repository)
    if not attempts:
        return None
    jobs = jobs_for(session, attempts, since=start, until=end, logins=actors, repo=repository)
    health = workflow_health(attempts, jobs, now=end, timezone=timezone)
    report = flaky_from_rows(attempts, jobs, top=10)
    weeks = weeks_between(period.start, period.end, timezone)
    runs: dict[str, float] = {}
    failed: dict[str, float] = {}
    for flow in health:
        for stats in flow.weeks:
            week = monday_label(stats.week)
            runs[week] = runs.get(week, 0.0) + stats.runs
            failed[week] = failed.get(week, 0.0) + stats.failed
    flaky: dict[str, float] = {}
    waited: dict[str, float] = {}
    flaky_by_workflow: dict[tuple[str, str], int] = {}
    for group in report.workflows:
        moment = group.first_failure_at or group.last_at
        if moment is None:
            continue
        week = iso_week(moment, timezone)
        flaky[week] = flaky.get(week, 0.0) + 1
        waited[week] = waited.get(week, 0.0) + (_hours(group.wait) or 0.0)
        key = (group.repo, group.workflow)
        flaky_by_workflow[key] = flaky_by_workflow.get(key, 0) + 1
    workflows = []
    for flow in health:
        total_runs = sum(w.runs for w in flow.weeks)
        decided = sum(w.succeeded + w.failed for w in flow.weeks)
        durations = [
            w.duration_p50.total_seconds() / 60 for w in flow.weeks if w.duration_p50 is not None
        ]
        workflows.append(
            WorkflowHealth(
                repo=flow.repo,
                workflow=flow.workflow,
                runs=total_runs,
                failure_rate=round(sum(w.failed for w in flow.weeks) / decided, 3)
                if decided
                else None,
                flaky_runs=flaky_by_workflow.get((flow.repo, flow.workflow), 0),
                median_minutes=round(statistics.median(durations), 1) if durations else None,
            )
        )
    return GroupCi(
        weekly=Weekly(
            weeks,
            {
                "Runs": week_counts(weeks, runs),
                "Failed runs": week_counts(weeks, failed),
                "Flaky runs": week_counts(weeks, flaky),
            },
        ),
        flaky_jobs=[
            FlakyJob(
                j.repo, j.workflow, j.job, j.flaky_groups, j.run_urls[0] if j.run_urls else None
            )
            for j in report.jobs
        ],
        wait_hours=Weekly(weeks, {"Waiting on flaky builds": week_counts(weeks, waited)}),
        workflows=workflows,
    )
