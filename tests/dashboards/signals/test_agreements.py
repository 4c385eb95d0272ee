"""The CI agreements and the working-hours clock, on rows built by hand."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dashboards.queries.ci_rows import AttemptRow
from dashboards.signals.agreements import (
    CI_WINDOW,
    Targets,
    ci_exceptions,
    evaluation_points,
    passes_at,
)
from dashboards.signals.ci.flaky import flaky_from_rows
from dashboards.signals.ci.outcomes import attempt_duration
from dashboards.signals.reviews.rules import WorkCalendar
from dashboards.signals.stats import percentile

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # a Friday
CONCLUSIONS = ["success", "failure", "cancelled", "skipped"]


def attempt(run_id: int, attempt: int, sha: str, conclusion: str, minutes: float) -> AttemptRow:
    start = NOW - timedelta(days=2, hours=run_id)
    return AttemptRow(
        repo="acme/api",
        run_id=run_id,
        attempt=attempt,
        workflow_id=1,
        workflow="CI",
        head_sha=sha,
        head_branch="feat",
        event="pull_request",
        status="completed",
        conclusion=conclusion,
        created_at=start,
        started_at=start,
        updated_at=start + timedelta(minutes=minutes),
        actor="ann",
        triggering_actor="ann",
        person="ann",
        pull_numbers=(1,),
        html_url=f"https://github.com/acme/api/actions/runs/{run_id}",
        on_default_branch=False,
    )


# sha a failed, then passed on a rerun (flaky); sha b passed: 1 flaky of 2 = 50 %
ROWS = [
    attempt(1, 1, "a", "failure", 10),
    attempt(1, 2, "a", "success", 20),
    attempt(2, 1, "b", "success", 20),
]  # durations 10, 20, 20 minutes: p90 = 20


@pytest.mark.parametrize(("limit", "fires"), [(20, False), (19.99, True)])
def test_ci_p90_minutes_boundary(limit: float, fires: bool) -> None:
    found = ci_exceptions(
        ROWS, Targets({"ci_p90_minutes": limit}), NOW - timedelta(days=7), NOW, NOW
    )
    assert bool(found) is fires
    if fires:
        assert (found[0].workflow, found[0].value, found[0].unit) == ("CI", 20.0, "minutes")


@pytest.mark.parametrize(("limit", "fires"), [(50, False), (49.99, True)])
def test_flaky_percent_boundary(limit: float, fires: bool) -> None:
    found = ci_exceptions(
        ROWS, Targets({"flaky_percent": limit}), NOW - timedelta(days=7), NOW, NOW
    )
    assert bool(found) is fires
    if fires:
        assert found[0].value == 50.0 and found[0].url is not None


def test_the_seven_day_rules_are_read_at_the_end_and_every_week_back() -> None:
    since = NOW - timedelta(days=30)
    assert evaluation_points(since, NOW, NOW) == [NOW - timedelta(days=7 * k) for k in range(5)]


def test_working_hours_pass_the_weekend_by() -> None:
    berlin = WorkCalendar("Europe/Berlin")
    friday_4pm = datetime(2026, 11, 6, 15, tzinfo=UTC)  # 16:00 in Berlin
    # 8 working hours left on Friday, then Monday from midnight Berlin time
    assert passes_at(friday_4pm, 10, berlin) == datetime(2026, 11, 9, 1, tzinfo=UTC)
    assert passes_at(friday_4pm, 10, None) == friday_4pm + timedelta(hours=10)


def _read_at_each_point(rows: list[AttemptRow], since: datetime) -> list[tuple[object, ...]]:
    """The rules' definition read literally: at each point, the attempts of [point - 7 days,
    point) per workflow, their p90 in minutes (rounded as shown) and their flaky rate."""
    found = []
    for point in evaluation_points(since, NOW, NOW):
        for workflow in ("CI", "Lint"):
            recent = [
                a
                for a in rows
                if a.workflow == workflow and point - CI_WINDOW <= a.created_at < point
            ]
            if not recent:
                continue
            minutes = [d.total_seconds() / 60 for a in recent if (d := attempt_duration(a))]
            p90 = percentile(minutes, 0.9)
            rate = flaky_from_rows(recent, []).flaky_rate
            if p90 is not None and round(p90, 2) > 10:
                found.append(("ci_p90_minutes", workflow, point, round(p90, 2)))
            if rate is not None and round(rate * 100, 2) > 10:
                found.append(("flaky_percent", workflow, point, round(rate * 100, 2)))
    return sorted(found, key=str)


def test_each_attempt_is_read_in_the_one_week_it_falls_in() -> None:
    """Attempts on the edges of the weeks (exactly a week back belongs to the older week),
    before the first week and after now, in any order: the same exceptions as reading the
    7 days before each point one at a time."""
    rng = random.Random(13)
    since = NOW - timedelta(days=30)
    edges = [NOW - timedelta(days=7 * k) for k in range(7)]
    for trial in range(30):
        rows = []
        for run_id in range(1, 60):
            at = (
                rng.choice(edges)
                if rng.random() < 0.3
                else NOW - timedelta(minutes=rng.randint(-600, 60 * 24 * 45))
            )
            row = attempt(run_id, 1, rng.choice("abcd") * 40, rng.choice(CONCLUSIONS), 0)
            length = timedelta(minutes=rng.randint(1, 20))
            rows.append(
                replace(
                    row,
                    workflow=rng.choice(["CI", "Lint"]),
                    created_at=at,
                    started_at=at,
                    updated_at=at + length,
                )
            )
        targets = Targets({"ci_p90_minutes": 10, "flaky_percent": 10})
        found = ci_exceptions(rows, targets, since, NOW, NOW)
        got = sorted(((e.rule, e.workflow, e.at, e.value) for e in found), key=str)
        assert got == _read_at_each_point(rows, since), trial
