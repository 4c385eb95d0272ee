"""The CI signals on hand-built rows: exact numbers for health, flakiness and time lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from dashboards.queries.ci import AttemptRow, JobRow, People
from dashboards.signals.ci.flaky import flaky_from_rows, groups_by_sha
from dashboards.signals.ci.health import red_intervals, workflow_health
from dashboards.signals.ci.lost import person_ci_from_rows, time_lost_from_groups
from dashboards.signals.stats import percentile

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=10)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def attempt(run_id: int, n: int = 1, *, conclusion: str | None = "success", **kw) -> AttemptRow:
    start = kw.pop("start", T0)
    values = dict(
        repo="o/r",
        run_id=run_id,
        attempt=n,
        workflow_id=1,
        workflow="CI",
        head_sha="a" * 40,
        head_branch="feature",
        event="pull_request",
        status="completed" if conclusion else "in_progress",
        conclusion=conclusion,
        created_at=start,
        started_at=start,
        updated_at=start + minutes(10) if conclusion else None,
        actor="ana",
        triggering_actor="ana",
        person="ana",
        pull_numbers=(7,),
        html_url=f"https://github.com/o/r/actions/runs/{run_id}/attempts/{n}",
        on_default_branch=False,
    )
    values.update(kw)
    return AttemptRow(**values)  # type: ignore[arg-type]


def job(parent: AttemptRow, job_id: int, name: str, conclusion: str | None, **kw) -> JobRow:
    values = dict(
        repo=parent.repo,
        job_id=job_id,
        run_id=parent.run_id,
        attempt=parent.attempt,
        workflow_id=parent.workflow_id,
        workflow=parent.workflow,
        name=name,
        head_sha=parent.head_sha,
        status="completed" if conclusion else "in_progress",
        conclusion=conclusion,
        created_at=parent.started_at,
        started_at=parent.started_at + minutes(1),  # type: ignore[operator]
        completed_at=parent.started_at + minutes(6),  # type: ignore[operator]
        html_url=f"https://github.com/o/r/actions/runs/{parent.run_id}/job/{job_id}",
    )
    values.update(kw)
    return JobRow(**values)  # type: ignore[arg-type]


PEOPLE = People({"ana": "ana", "ana-bot-alias": "ana"}, {"ana": ("core",)})


def test_percentile_interpolates_and_says_none_for_nothing() -> None:
    assert percentile([], 0.5) is None
    assert percentile([minutes(1), minutes(3)], 0.5) == minutes(2)
    assert percentile([minutes(n) for n in range(1, 11)], 0.9) == minutes(9.1)


def test_fail_then_rerun_pass_on_same_sha_is_flaky_and_costs_time() -> None:
    first = attempt(1, 1, conclusion="failure")
    rerun = attempt(1, 2, start=T0 + minutes(30), triggering_actor="ana")
    jobs = [
        job(first, 11, "test (3.11)", "failure"),
        job(first, 12, "test (3.12)", "success"),
        job(rerun, 13, "test (3.11)", "success"),
        job(rerun, 14, "test (3.12)", "success"),
    ]
    report = flaky_from_rows([first, rerun], jobs)
    assert (report.groups, report.flaky, report.flaky_rate) == (1, 1, 1.0)
    group = report.workflows[0]
    assert group.wait == minutes(30)  # first failure done at +10, success done at +40
    assert group.runner_time == minutes(10)  # two 5-minute jobs in the failed attempt
    assert group.rerun_by == ("ana",)
    assert [j.job for j in report.jobs] == ["test (3.11)"]  # the matrix leg that flaked
    assert report.jobs[0].run_urls[0].endswith("/job/11")

    lost = time_lost_from_groups(groups_by_sha([first, rerun], jobs)[0], PEOPLE)
    assert [(r.key, r.waited_hours, r.runner_minutes) for r in lost.by_person] == [
        ("ana", 0.5, 10.0)
    ]
    assert [r.key for r in lost.by_team] == ["core"]
    assert lost.by_workflow[0].key == "o/r · CI"

    [ana] = person_ci_from_rows([first, rerun], report.workflows, PEOPLE, logins=["ana"])
    assert ana.reruns == 1
    assert [(p.number, p.workflows) for p in ana.flaked_pulls] == [(7, ("CI",))]
    assert ana.waited_on_ci == minutes(20)  # attempt 1: 10 min, rerun: 10 min
    assert ana.waited_on_flaky == minutes(30)


def test_fail_on_one_sha_then_pass_on_another_is_not_flaky() -> None:
    broken = attempt(1, conclusion="failure")
    fixed = attempt(2, head_sha="b" * 40, start=T0 + minutes(60))
    report = flaky_from_rows([broken, fixed], [])
    assert (report.groups, report.flaky, report.workflows) == (2, 0, [])
    assert time_lost_from_groups(groups_by_sha([broken, fixed], [])[0], PEOPLE).by_person == []


def test_cancelled_and_skipped_are_left_out_of_rates_and_counted_apart() -> None:
    rows = [
        attempt(1, conclusion="success"),
        attempt(2, conclusion="failure", head_sha="b" * 40),
        attempt(3, conclusion="cancelled", head_sha="c" * 40),
        attempt(4, conclusion="skipped", head_sha="d" * 40),
        attempt(5, conclusion=None, head_sha="e" * 40),
    ]
    [health] = workflow_health(rows, [], now=NOW)
    [week] = health.weeks
    assert week.week == date(2026, 3, 2)
    assert (week.succeeded, week.failed, week.cancelled, week.skipped) == (1, 1, 1, 1)
    assert (week.in_progress, week.success_rate) == (1, 0.5)
    assert week.duration_p50 == minutes(10)
    report = flaky_from_rows(rows, [])
    assert report.groups == 2  # cancelled, skipped and unfinished SHAs give no verdict
    # cancel then pass on one SHA is not a flake
    assert flaky_from_rows([attempt(1, conclusion="cancelled"), attempt(1, 2)], []).flaky == 0


def test_job_durations_and_queue_times_per_job() -> None:
    run = attempt(1)
    jobs = [
        job(run, 1, "build", "success"),
        job(
            run, 2, "deploy", "success", started_at=T0 + minutes(45), completed_at=T0 + minutes(47)
        ),
    ]
    [health] = workflow_health([run], jobs, now=NOW)
    by_name = {j.name: j.weeks[0] for j in health.jobs}
    assert by_name["build"].queue_p50 == minutes(1)
    assert by_name["deploy"].queue_p50 == minutes(45)
    assert by_name["deploy"].duration_p90 == minutes(2)
    assert health.weeks[0].queue_p90 == minutes(1 + 0.9 * 44)


def test_renamed_workflow_is_one_line_under_its_latest_name() -> None:
    old = attempt(1, workflow="Tests")
    new = attempt(2, workflow="CI", head_sha="b" * 40)
    [health] = workflow_health([old, new], [], now=NOW)
    assert (health.workflow, health.weeks[0].runs) == ("CI", 2)


def test_default_branch_red_time_runs_from_failure_to_next_success() -> None:
    main = dict(head_branch="main", on_default_branch=True, event="push")
    rows = [
        attempt(1, conclusion="failure", **main),
        attempt(2, conclusion="cancelled", start=T0 + minutes(20), **main),
        attempt(3, conclusion="success", start=T0 + minutes(110), **main),
        attempt(4, conclusion="failure", start=T0 + timedelta(days=8), **main),
    ]
    assert red_intervals(rows, NOW) == [
        (T0 + minutes(10), T0 + minutes(120)),
        (T0 + timedelta(days=8, minutes=10), NOW),
    ]
    [health] = workflow_health(rows, [], now=NOW)
    assert [w.red_time for w in health.weeks] == [
        minutes(110),
        NOW - T0 - timedelta(days=8, minutes=10),
    ]
    assert (
        workflow_health([replace(rows[0], on_default_branch=False)], [], now=NOW)[0]
        .weeks[0]
        .red_time
        is None
    )


def test_every_rerunner_is_named_and_a_third_attempt_counts() -> None:
    rows = [
        attempt(1, 1, conclusion="failure"),
        attempt(1, 2, conclusion="failure", start=T0 + minutes(20), triggering_actor="bo"),
        attempt(1, 3, start=T0 + minutes(60), triggering_actor="ana"),
    ]
    [group] = flaky_from_rows(rows, []).workflows
    assert group.rerun_by == ("ana", "bo")
    assert (group.failures, group.successes, group.wait) == (2, 1, minutes(60))
    assert group.runner_time == minutes(20)  # two failed 10-minute attempts, no jobs collected
