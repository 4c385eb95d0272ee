"""Time lost to flaky builds as the API and `gemba ci lost --json` both print it.

One shape for both front doors, so they cannot drift: waiting is in hours (what the pages and
the terminal show; time lost is hours of waiting, never a score), runner time in minutes, and
each unit is in the field's name and its OpenAPI description.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from dashboards.signals.ci.lost import LostRow, PersonCI, TimeLost


def hours(value: timedelta) -> float:
    """Hours, rounded as `LostRow.waited_hours` rounds them."""
    return round(value.total_seconds() / 3600, 2)


def minutes(value: timedelta) -> float:
    """Minutes, rounded as `LostRow.runner_minutes` rounds them."""
    return round(value.total_seconds() / 60, 1)


class LostRowOut(BaseModel):
    """Time lost under one person, team or workflow."""

    key: str = Field(description="The login, team name or workflow name")
    flaky_groups: int = Field(description="Commits whose checks failed, then passed on a rerun")
    waited_hours: float = Field(
        description="Hours from each flaky failure to the passing rerun, summed"
    )
    runner_minutes: float = Field(
        description="Runner minutes spent on the failed attempts of those commits"
    )

    @classmethod
    def of(cls, row: LostRow) -> LostRowOut:
        return cls(
            key=row.key,
            flaky_groups=row.flaky_groups,
            waited_hours=row.waited_hours,
            runner_minutes=row.runner_minutes,
        )


class FlakedPullOut(BaseModel):
    repo: str
    number: int
    workflows: list[str]
    run_urls: list[str]


class PersonCiOut(BaseModel):
    """One person's CI in the window (only with `person=`)."""

    login: str
    flaked_pulls: list[FlakedPullOut] = Field(description="Their PRs whose checks flaked")
    reruns: int = Field(description="Reruns they started")
    waited_on_ci_hours: float = Field(description="Hours their PRs waited on CI")
    waited_on_flaky_hours: float = Field(
        description="Hours their PRs waited from a flaky failure to the passing rerun"
    )

    @classmethod
    def of(cls, person: PersonCI) -> PersonCiOut:
        return cls(
            login=person.login,
            flaked_pulls=[
                FlakedPullOut(
                    repo=p.repo,
                    number=p.number,
                    workflows=list(p.workflows),
                    run_urls=list(p.run_urls),
                )
                for p in person.flaked_pulls
            ],
            reruns=person.reruns,
            waited_on_ci_hours=hours(person.waited_on_ci),
            waited_on_flaky_hours=hours(person.waited_on_flaky),
        )


class TimeLostOut(BaseModel):
    """Hours waited and runner minutes lost to flaky builds in [since, until)."""

    since: datetime
    until: datetime
    repo: str | None = Field(description="OWNER/REPO, or null for every repository")
    waited_hours: float = Field(
        description="Hours from each flaky failure to the passing rerun, over every build "
        "in scope (people hidden from the viewer included)"
    )
    runner_minutes: float = Field(description="Runner minutes spent on the failed attempts")
    by_person: list[LostRowOut] = Field(description="People the viewer may see, by login")
    by_team: list[LostRowOut]
    by_workflow: list[LostRowOut]
    hidden_people: int = Field(description="People with lost time the viewer may not see")
    person: PersonCiOut | None = Field(default=None, description="Only with `person=`")

    @classmethod
    def of(
        cls,
        lost: TimeLost,
        *,
        since: datetime,
        until: datetime,
        repo: str | None,
        people: list[LostRow] | None = None,
        teams: list[LostRow] | None = None,
        hidden_people: int = 0,
        person: PersonCI | None = None,
    ) -> TimeLostOut:
        """`people` and `teams` default to every row (the terminal is the operator's)."""
        return cls(
            since=since,
            until=until,
            repo=repo,
            waited_hours=hours(lost.waited),
            runner_minutes=minutes(lost.runner_time),
            by_person=[LostRowOut.of(r) for r in (lost.by_person if people is None else people)],
            by_team=[LostRowOut.of(r) for r in (lost.by_team if teams is None else teams)],
            by_workflow=[LostRowOut.of(r) for r in lost.by_workflow],
            hidden_people=hidden_people,
            person=PersonCiOut.of(person) if person is not None else None,
        )
