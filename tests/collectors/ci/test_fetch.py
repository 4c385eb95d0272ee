"""CI collection through PyGithub against the stand-in, on both database backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import (
    CheckRun,
    Job,
    Repository,
    RunAttempt,
    SyncCursor,
    WorkflowRun,
)
from app.core.settings import Settings
from app.sandbox.actions_objects import make_check_run
from collectors.ci.fetch import collect_ci
from collectors.ci.store import CiCursor
from collectors.github_client import make_github
from collectors.pulls.store import upsert_repository
from collectors.pulls.sync import CollectError
from dashboards.reports.ci import ci_health, flaky_report, person_ci, time_lost
from tests import world as rows
from tests.world.ci import (
    OWNER,
    REPO,
    SHA_A,
    T0,
    CiScenario,
    history,
    write_check_runs,
)
from tests.world.github_api import GithubApi

FULL = f"{OWNER}/{REPO}"
SYNC = T0 + timedelta(days=2)
WINDOW = {"since": T0 - timedelta(days=1), "until": T0 + timedelta(days=7)}


def _settings(settings: Settings, github_api: GithubApi) -> Settings:
    return settings.model_copy(update={"github_api_url": github_api.url, "github_retries": 2})


def _collect(engine: Engine, settings: Settings, github_api: GithubApi, now: datetime = SYNC, **kw):  # type: ignore[no-untyped-def]
    config = _settings(settings, github_api)
    return collect_ci(engine, make_github(config), FULL, config, now=now, **kw)


def test_collects_every_attempt_and_job_and_finds_the_flake(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = history()
    ci.workflow(10, "Build and test")  # renamed: same id, new name
    ci.write(github_api)
    stats = _collect(engine, settings, github_api)
    assert (stats.runs, stats.attempts, stats.jobs, stats.workflows) == (5, 6, 8, 2)

    with Session(engine) as session:
        run = session.get(WorkflowRun, 100)
        assert run is not None and (run.run_attempt, run.conclusion, run.name) == (
            2,
            "success",
            "CI",
        )
        attempts = session.exec(select(RunAttempt).where(RunAttempt.run_id == 100)).all()
        assert [(a.attempt, a.conclusion) for a in sorted(attempts, key=lambda a: a.attempt)] == [
            (1, "failure"),
            (2, "success"),
        ]
        assert len(session.exec(select(Job).where(Job.run_id == 100)).all()) == 4
        report = flaky_report(session, repo=FULL, **WINDOW)
        health = ci_health(session, repo=FULL, **WINDOW)
        lost = time_lost(session, repo=FULL, **WINDOW)
        [ana] = person_ci(session, logins=["ana"], **WINDOW)

    # A fails then passes on rerun: flaky. B fails, C passes: different SHAs, not flaky.
    # Cancelled (d…) and skipped give no verdict: 3 groups with a verdict.
    assert (report.groups, report.flaky) == (3, 1)
    assert report.workflows[0].head_sha == SHA_A
    assert [j.job for j in report.jobs] == ["test (3.11)"]
    assert report.workflows[0].wait == timedelta(minutes=30)  # failure at +5 min, success at +35
    assert lost.by_person[0].key == "ana" and lost.by_person[0].runner_time == timedelta(minutes=6)
    assert ana.reruns == 1 and [p.number for p in ana.flaked_pulls] == [7]

    by_name = {h.workflow: h for h in health}
    assert set(by_name) == {"Build and test", "Lint"}  # renamed workflow: one line, new name
    week = by_name["Build and test"].weeks[0]
    assert (week.runs, week.attempts, week.succeeded, week.failed, week.cancelled) == (
        4,
        5,
        2,
        2,
        1,
    )
    assert week.success_rate == 0.5
    assert by_name["Lint"].weeks[0].skipped == 1
    assert week.red_time == timedelta(hours=1)  # main red from run 101's end to run 102's end


def test_unchanged_resync_asks_only_for_the_listing(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    history().write(github_api)
    _collect(engine, settings, github_api)
    github_api.clear_requests()
    again = _collect(engine, settings, github_api, now=SYNC + timedelta(hours=1))
    assert (again.runs, again.listed, again.skipped_unchanged) == (0, 5, 5)
    paths = [r.path for r in github_api.requests]
    assert paths == [
        f"/repos/{FULL}",
        f"/repos/{FULL}/actions/workflows",
        f"/repos/{FULL}/actions/runs",
    ]
    assert again.requests == 3


def test_run_in_progress_at_sync_is_picked_up_when_it_finishes(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.run(
        200,
        10,
        SYNC - timedelta(days=4),
        conclusion=None,
        jobs={"build": "success", "deploy": None},
    )
    ci.write(github_api)
    first = _collect(engine, settings, github_api)
    assert first.still_open == 1
    with Session(engine) as session:
        run = session.get(WorkflowRun, 200)
        assert run is not None and (run.status, run.conclusion) == ("in_progress", None)

    finished = CiScenario()
    finished.workflow(10, "CI")
    finished.run(
        200,
        10,
        SYNC - timedelta(days=4),
        duration=timedelta(minutes=90),
        conclusion="success",
        jobs={"build": "success", "deploy": "success"},
    )
    finished.write(github_api)
    github_api.clear_requests()
    later = SYNC + timedelta(hours=3)  # created before the re-listed days: asked for by id
    second = _collect(engine, settings, github_api, now=later)
    assert (second.runs, second.still_open) == (1, 0)
    assert f"/repos/{FULL}/actions/runs/200" in [r.path for r in github_api.requests]
    with Session(engine) as session:
        run = session.get(WorkflowRun, 200)
        assert run is not None and run.conclusion == "success"
        jobs = session.exec(select(Job).where(Job.run_id == 200)).all()
        assert sorted((j.name, j.conclusion) for j in jobs) == [
            ("build", "success"),
            ("deploy", "success"),
        ]


def test_long_queues_show_in_job_queue_times(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    for n in range(4):
        ci.run(
            300 + n,
            10,
            T0 + timedelta(hours=n),
            queued=timedelta(hours=2) if n == 3 else timedelta(minutes=1),
        )
    ci.write(github_api)
    _collect(engine, settings, github_api)
    with Session(engine) as session:
        [health] = ci_health(session, repo=FULL, **WINDOW)
    [build] = health.jobs
    assert build.weeks[0].queue_p50 == timedelta(minutes=1)
    assert build.weeks[0].queue_p90 == timedelta(minutes=1) + 0.7 * timedelta(minutes=119)


def test_faults_and_rate_limits_are_waited_out(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    history().write(github_api)
    github_api.inject(path=r"/jobs\?", kind="5xx", times=2)
    github_api.inject(path=r"/actions/runs\?", kind="secondary_rate_limit", retry_after=1)
    stats = _collect(engine, settings, github_api)
    assert (stats.runs, stats.jobs) == (5, 8)
    assert sorted(r.status for r in github_api.requests if r.status >= 400) == [403, 502, 502]


def test_external_check_runs_for_pull_request_heads_and_their_flakes(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.write(github_api)
    with Session(engine) as session:
        repo = session.get(Repository, upsert_repository(session, name=FULL, github_id=None))
        assert repo is not None
        rows.make_pull(
            session,
            repo,
            "ana",
            number=5,
            ready_at=None,
            id=1,
            title="",
            html_url=None,
            created_at=T0,
            updated_at=T0,
            first_commit_at=None,
            head_sha=SHA_A,
        )
        session.commit()
    later = T0 + timedelta(minutes=20)
    checks = [
        make_check_run(
            OWNER, REPO, 1, head_sha=SHA_A, name="test", started=T0, conclusion="failure"
        ),
        make_check_run(OWNER, REPO, 3, head_sha=SHA_A, name="test", started=later),  # re-requested
        make_check_run(
            OWNER, REPO, 2, head_sha=SHA_A, name="build", app_slug="github-actions", started=T0
        ),
    ]
    write_check_runs(github_api, {SHA_A: checks})
    stats = _collect(engine, settings, github_api)
    assert stats.check_runs == 2  # Actions' own checks are read as workflow runs instead
    with Session(engine) as session:
        stored = session.exec(select(CheckRun).order_by(CheckRun.id)).all()
        report = flaky_report(session, repo=FULL, **WINDOW)
    assert [(c.app_slug, c.conclusion) for c in stored] == [
        ("circleci-checks", "failure"),
        ("circleci-checks", "success"),
    ]
    [group] = report.workflows  # a flaky external check, owned by the PR's author
    assert (group.workflow, group.person, group.pull_numbers) == (
        "circleci-checks / test",
        "ana",
        (5,),
    )
    assert group.wait == timedelta(minutes=20)
    github_api.clear_requests()
    _collect(engine, settings, github_api, now=SYNC + timedelta(hours=1))
    assert not any("check-runs" in r.path for r in github_api.requests)  # done, not asked again


def test_a_rerun_after_the_sync_is_found_and_makes_the_commit_flaky(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.run(400, 10, SYNC - timedelta(days=1), head_sha=SHA_A, conclusion="failure")
    ci.write(github_api)
    _collect(engine, settings, github_api)
    ci.rerun(400, SYNC + timedelta(hours=1), triggering_actor="ana")
    ci.write(github_api)
    github_api.clear_requests()
    stats = _collect(engine, settings, github_api, now=SYNC + timedelta(hours=2))
    assert (stats.runs, stats.attempts, stats.jobs) == (1, 1, 2)  # attempt 1 is not asked again
    assert not any(r.path.endswith("/attempts/1") for r in github_api.requests)
    with Session(engine) as session:
        report = flaky_report(session, repo=FULL, **WINDOW)
    assert (report.flaky, report.workflows[0].rerun_by) == (1, ("ana",))


def test_an_interrupted_sync_resumes_after_the_last_stored_batch(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    history().write(github_api)
    github_api.inject(path=r"/runs/103/jobs", kind="5xx", times=-1)
    with pytest.raises(CollectError, match="502"):
        _collect(engine, settings, github_api, batch_size=2)
    with Session(engine) as session:
        assert sorted(session.exec(select(WorkflowRun.id)).all()) == [100, 101]
        cursor = session.exec(select(SyncCursor).where(SyncCursor.source == "ci")).one()
        assert CiCursor.load(cursor.position).created_through == T0 + timedelta(hours=1)

    github_api.server.clear_faults()
    github_api.clear_requests()
    stats = _collect(engine, settings, github_api, batch_size=2)
    assert (stats.runs, stats.skipped_unchanged) == (3, 2)
    asked = {r.path for r in github_api.requests}
    assert f"/repos/{FULL}/actions/runs/100/jobs" not in asked
    with Session(engine) as session:
        assert sorted(session.exec(select(WorkflowRun.id)).all()) == [100, 101, 102, 103, 104]


def test_a_running_run_deleted_on_github_is_forgotten(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.run(500, 10, SYNC - timedelta(days=4), conclusion=None, jobs={"build": None})
    ci.write(github_api)
    assert _collect(engine, settings, github_api).still_open == 1
    empty = CiScenario()
    empty.workflow(10, "CI")
    empty.write(github_api)
    stats = _collect(engine, settings, github_api, now=SYNC + timedelta(hours=1))
    assert stats.still_open == 0
    with Session(engine) as session:
        assert session.get(WorkflowRun, 500) is None
        assert session.exec(select(Job).where(Job.run_id == 500)).all() == []
