"""The stand-in's Actions endpoints through PyGithub, and the collector's split at the 1,000 cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from github import Github, GithubException

from app.sandbox.actions import created_range
from collectors.ci.fetch import CollectStats, list_runs
from tests.world.ci import OWNER, REPO, CiScenario
from tests.world.github_api import GithubApi

T0 = datetime(2026, 1, 5, tzinfo=UTC)
FULL = f"{OWNER}/{REPO}"
SLIM = ("id", "name", "head_sha", "head_branch", "event", "status", "conclusion", "workflow_id")
SLIM += ("run_attempt", "created_at", "run_started_at", "updated_at", "url", "html_url")


def _gh(github_api: GithubApi) -> Github:
    return Github(base_url=github_api.url, per_page=100, retry=None)


def _many(count: int) -> CiScenario:
    """Many runs, slimmed of nested repository and commit objects so paging stays fast."""
    ci = CiScenario()
    ci.workflow(10, "CI")
    for n in range(count):
        run = ci.run(10_000 + n, 10, T0 + timedelta(minutes=7 * n), jobs={})
        ci.runs[run["id"]] = {key: run[key] for key in SLIM}
    return ci


def test_created_ranges_follow_githubs_search_syntax() -> None:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    low, high = created_range("2026-01-01..2026-02-01")
    assert low == day and high == datetime(2026, 2, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert created_range(">=2026-01-01") == (day, None)
    assert created_range("<2026-01-01")[1] == day - timedelta(microseconds=1)
    assert created_range("2026-01-01T10:00:00Z..*") == (day + timedelta(hours=10), None)


def test_listing_over_1000_results_serves_only_1000_but_counts_all(github_api: GithubApi) -> None:
    _many(1_050).write(github_api)
    repo = _gh(github_api).get_repo(FULL)
    capped = repo.get_workflow_runs(created=">=2026-01-01")
    assert capped.totalCount == 1_050
    assert len(capped.get_page(9)) == 100  # results 901-1,000
    assert capped.get_page(10) == []  # past the cap: nothing, though total_count says more
    assert len(repo.get_workflow_runs().get_page(10)) == 50  # no filter, no cap (GitHub's docs)

    stats = CollectStats(FULL)
    runs = list(list_runs(repo, T0, T0 + timedelta(days=10), stats, lambda _m: None))
    assert len({r["id"] for r in runs}) == 1_050 == len(runs)
    assert [r["created_at"] for r in runs] == sorted(r["created_at"] for r in runs)
    assert stats.windows >= 2 and stats.capped_windows == 0


def test_run_filters_attempts_and_jobs(github_api: GithubApi) -> None:
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.run(1, 10, T0, branch="main", conclusion="failure", jobs={"a": "failure", "b": "success"})
    ci.rerun(1, T0 + timedelta(minutes=20), jobs={"a": "success"})
    ci.run(2, 10, T0 + timedelta(days=1), branch="feat", event="pull_request", pull_numbers=(3,))
    ci.write(github_api)
    repo = _gh(github_api).get_repo(FULL)

    assert [r.id for r in repo.get_workflow_runs()] == [2, 1]  # newest first
    assert [r.id for r in repo.get_workflow_runs(branch="feat")] == [2]
    assert [r.id for r in repo.get_workflow_runs(event="push")] == [1]
    assert [r.id for r in repo.get_workflow_runs(status="success")] == [2, 1]
    assert [r.id for r in repo.get_workflow_runs(created="2026-01-05")] == [1]
    [with_pr] = repo.get_workflow_runs(branch="feat")
    [without] = repo.get_workflow_runs(branch="feat", exclude_pull_requests=True)
    assert ([p.number for p in with_pr.pull_requests], without.pull_requests) == ([3], [])
    assert repo.get_workflow(10).get_runs().totalCount == 2

    run = repo.get_workflow_run(1)
    assert run.get_attempt(1).conclusion == "failure"
    assert run.get_attempt(2).conclusion == "success"
    with pytest.raises(GithubException) as missing:
        _ = run.get_attempt(3).conclusion
    assert missing.value.status == 404
    assert sorted(j.name for j in run.jobs()) == ["a"]  # latest attempt by default
    assert sorted((j.run_attempt, j.name) for j in run.jobs(_filter="all")) == [
        (1, "a"),
        (1, "b"),
        (2, "a"),
    ]
    _, attempt_jobs = repo._requester.requestJsonAndCheck("GET", f"{run.url}/attempts/1/jobs")
    assert attempt_jobs["total_count"] == 2
    assert [w.name for w in repo.get_workflows()] == ["CI"]
