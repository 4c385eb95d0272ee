"""CI health and flaky builds as the API and `gemba ci health|flaky --json` both print them.

One shape for both front doors, as `dashboards.reports.ci_lost` does for time lost: pipeline and
queue
durations are in minutes (what a CI page shows), red time and waiting in hours (time lost is
hours of waiting), and each unit is in the field's name and its OpenAPI description. Every
workflow and job row carries `flags` (`FlagsBeside`), from the one lookup the caller made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from dashboards.item_flags import FlagsBeside, ItemFlag, PageItems, beside, workflow_key
from dashboards.reports.ci_lost import hours, minutes
from dashboards.signals.ci.flaky import FlakyGroup, FlakyJob, FlakyReport
from dashboards.signals.ci.health import JobHealth, WeekStats, WorkflowHealth

Keyed = dict[str, list[ItemFlag]]
FLAGS = "Friction flags tied to this workflow that the viewer may see"


def same_names(source: object, model: type[BaseModel], **given: Any) -> dict[str, Any]:
    """The model's fields that `source` has under the same name and unit, then `given`: the
    renamed (unit-bearing) and nested ones, which are never copied as they are."""
    same = {
        name: getattr(source, name)
        for name in model.model_fields
        if name not in given and hasattr(source, name)
    }
    return {**same, **given}


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else minutes(value)


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else hours(value)


class WeekOut(BaseModel):
    """One ISO week of one workflow or job (`dashboards.signals.weeks`: the team's zone)."""

    week: date = Field(
        description="The Monday the ISO week starts on, in the team's time zone with `team=` or "
        "`person=` (a person's first team), else GEMBA_DEFAULT_TIMEZONE"
    )
    runs: int
    attempts: int = Field(description="Runs plus their reruns")
    succeeded: int
    failed: int
    cancelled: int
    skipped: int
    other: int
    in_progress: int
    success_rate: float | None = Field(
        description="Succeeded over completed attempts, cancelled and skipped left out (0 to 1)"
    )
    duration_p50_minutes: float | None = Field(description="Median run (or job) time, minutes")
    duration_p90_minutes: float | None = Field(description="90th percentile run time, minutes")
    queue_p50_minutes: float | None = Field(description="Median job wait for a runner, minutes")
    queue_p90_minutes: float | None = Field(description="90th percentile runner wait, minutes")
    red_hours: float | None = Field(
        default=None,
        description="Hours the default branch stayed failing this week (workflows only)",
    )

    @classmethod
    def of(cls, week: WeekStats) -> WeekOut:
        return cls.model_validate(
            same_names(
                week,
                cls,
                duration_p50_minutes=_minutes(week.duration_p50),
                duration_p90_minutes=_minutes(week.duration_p90),
                queue_p50_minutes=_minutes(week.queue_p50),
                queue_p90_minutes=_minutes(week.queue_p90),
                red_hours=_hours(week.red_time),
            )
        )


class JobHealthOut(BaseModel):
    name: str
    weeks: list[WeekOut]

    @classmethod
    def of(cls, job: JobHealth) -> JobHealthOut:
        return cls(name=job.name, weeks=[WeekOut.of(w) for w in job.weeks])


class WorkflowHealthOut(BaseModel):
    repo: str
    workflow_id: int | None
    workflow: str
    weeks: list[WeekOut]
    jobs: list[JobHealthOut]
    flags: FlagsBeside = Field(description=FLAGS)

    @classmethod
    def of(cls, health: WorkflowHealth, keyed: Keyed) -> WorkflowHealthOut:
        return cls.model_validate(
            same_names(
                health,
                cls,
                weeks=[WeekOut.of(w) for w in health.weeks],
                jobs=[JobHealthOut.of(j) for j in health.jobs],
                flags=beside(keyed, workflow_key(health.repo, health.workflow)),
            )
        )


class CiHealthOut(BaseModel):
    """Per workflow and job, weekly, for runs created in [since, until)."""

    since: datetime
    until: datetime
    repo: str | None = Field(description="OWNER/REPO, or null for every repository")
    workflows: list[WorkflowHealthOut]

    @classmethod
    def of(
        cls,
        health: Sequence[WorkflowHealth],
        keyed: Keyed,
        *,
        since: datetime,
        until: datetime,
        repo: str | None,
    ) -> CiHealthOut:
        return cls(
            since=since,
            until=until,
            repo=repo,
            workflows=[WorkflowHealthOut.of(h, keyed) for h in health],
        )


class FlakyGroupOut(BaseModel):
    """A workflow (`job` null) or one job on one commit, over all attempts of its runs."""

    repo: str
    workflow_id: int | None
    workflow: str
    job: str | None
    head_sha: str
    attempts: int
    decided: int = Field(description="Attempts completed, neither cancelled nor skipped")
    failures: int
    successes: int
    flaky: bool = Field(description="Failed and passed on the same commit")
    first_failure_at: datetime | None
    success_at: datetime | None
    waited_hours: float | None = Field(
        description="Hours from the first failure to the passing rerun (flaky groups only)"
    )
    runner_minutes: float = Field(description="Runner minutes spent on the failed attempts")
    person: str | None = Field(description="Whose build it was; null when hidden from you")
    pull_numbers: list[int]
    rerun_by: list[str] = Field(description="Who reran it, among people you may see")
    last_at: datetime | None
    run_urls: list[str]
    flags: FlagsBeside = Field(description=FLAGS)

    @classmethod
    def of(cls, group: FlakyGroup, keyed: Keyed) -> FlakyGroupOut:
        return cls.model_validate(
            same_names(
                group,
                cls,
                waited_hours=_hours(group.wait),
                runner_minutes=minutes(group.runner_time),
                flags=beside(keyed, workflow_key(group.repo, group.workflow)),
            )
        )


class FlakyJobOut(BaseModel):
    """A job name that flaked, how often, and the runs that show it."""

    repo: str
    workflow: str
    job: str
    flaky_groups: int = Field(description="Commits on which this job failed and passed")
    groups: int = Field(description="Commits on which this job ran")
    flaky_rate: float | None = Field(description="flaky_groups over groups (0 to 1)")
    last_seen: datetime | None
    run_urls: list[str]
    flags: FlagsBeside = Field(description=FLAGS)

    @classmethod
    def of(cls, job: FlakyJob, keyed: Keyed) -> FlakyJobOut:
        flags = beside(keyed, workflow_key(job.repo, job.workflow))
        return cls.model_validate(same_names(job, cls, flags=flags))


class FlakyOut(BaseModel):
    """Flaky rate, flaky workflow groups and the top flaky jobs in [since, until)."""

    since: datetime
    until: datetime
    repo: str | None = Field(description="OWNER/REPO, or null for every repository")
    groups: int = Field(description="Workflow/commit groups with a decided attempt")
    flaky: int = Field(description="Groups that failed and passed on the same commit")
    flaky_rate: float | None = Field(description="flaky over groups (0 to 1)")
    workflows: list[FlakyGroupOut]
    jobs: list[FlakyJobOut]

    @classmethod
    def of(
        cls,
        report: FlakyReport,
        keyed: Keyed,
        *,
        since: datetime,
        until: datetime,
        repo: str | None,
    ) -> FlakyOut:
        return cls.model_validate(
            same_names(
                report,
                cls,
                since=since,
                until=until,
                repo=repo,
                workflows=[FlakyGroupOut.of(g, keyed) for g in report.workflows],
                jobs=[FlakyJobOut.of(j, keyed) for j in report.jobs],
            )
        )


def workflow_items(rows: Iterable[WorkflowHealth | FlakyGroup | FlakyJob]) -> PageItems:
    """The workflows to look flags up for, once per answer."""
    return PageItems(workflows={(row.repo, row.workflow) for row in rows})
