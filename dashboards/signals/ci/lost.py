"""Time lost to CI as hours of waiting, per person, team and workflow (never a score).

People and teams are listed alphabetically, never ranked. A person's hours waited on CI are
the union of the intervals their builds were pending, so parallel workflows count once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dashboards.queries.ci_rows import (
    AttemptRow,
    People,
)
from dashboards.signals.ci.flaky import FlakyGroup
from dashboards.signals.ci.outcomes import (
    ZERO,
)


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
