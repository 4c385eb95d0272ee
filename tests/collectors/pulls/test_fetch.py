"""The real collector, through unpatched PyGithub over HTTP, against the GitHub stand-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from github import GithubException
from graphql import parse, validate
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.core.models import PullRequest, PullRequestEvent, Review, ReviewComment, SyncCursor
from app.core.settings import Settings
from app.sandbox.graphql import github_schema
from collectors.github_client import make_github
from collectors.pulls.graphql import build_query, rate_limited_wait
from collectors.pulls.sync import collect_pulls
from dashboards.reports.review_flow import pull_flows, waiting_now
from tests.world import reviews as sc
from tests.world.github import make_pull
from tests.world.github_api import GithubApi


def _settings(settings: Settings, github_api: GithubApi, **extra: Any) -> Settings:
    update = {"github_api_url": github_api.url, "github_token": "ghp_test", **extra}
    return settings.model_copy(update=update)


def _collect(engine: Engine, config: Settings, **kwargs: Any):  # type: ignore[no-untyped-def]
    return collect_pulls(engine, make_github(config), sc.FULL_NAME, **kwargs)


@dataclass(frozen=True)
class Collector:
    """One way of fetching against the stand-in, so the tests that run both ways say it once."""

    engine: Engine
    settings: Settings
    github_api: GithubApi
    graphql: bool

    def config(self, **extra: Any) -> Settings:
        return _settings(self.settings, self.github_api, **extra)

    def collect(self, config: Settings, **kwargs: Any):  # type: ignore[no-untyped-def]
        return _collect(self.engine, config, graphql=self.graphql, **kwargs)


# Both ways of fetching must give the same data: GraphQL in batches, and REST per PR.
@pytest.fixture(params=[True, False], ids=["graphql", "rest"])
def collector(
    request: pytest.FixtureRequest, engine: Engine, settings: Settings, github_api: GithubApi
) -> Collector:
    return Collector(engine, settings, github_api, request.param)


def _counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(model)).one()
        for model in (PullRequest, Review, ReviewComment, PullRequestEvent)
    )


@pytest.fixture
def scenario(github_api: GithubApi) -> dict[str, Any]:
    files = sc.build()
    github_api.write_repo(sc.OWNER, sc.REPO, **files)
    return files


def test_each_number_on_each_scenario_over_many_pages(
    session: Session, scenario: Any, collector: Collector
) -> None:
    config = collector.config(github_per_page=2)  # every REST list spans pages
    stats = collector.collect(config)
    assert stats.via == ("graphql" if collector.graphql else "rest")
    assert stats.fetched == len(scenario["pulls"]) == 11
    flows = {f.number: f for f in pull_flows(session, settings=config, repo=sc.FULL_NAME)}
    assert 9 not in flows  # bot-authored
    for number, expected in sc.EXPECTED.items():
        flow = flows[number]
        hours = {
            "ready": flow.ready_at,
            "review": flow.first_review_at,
            "approval": flow.first_approval_at,
            "merged": flow.merged_at,
        }
        for key, actual in hours.items():
            if key in expected:
                want = None if expected[key] is None else sc.dt(expected[key])
                assert actual == want, (number, key)
        phases = {
            "pickup": flow.pickup_hours,
            "rev": flow.review_hours,
            "merge": flow.merge_hours,
            "cycle": flow.cycle_hours,
            "coding": flow.coding_hours,
        }
        for key, actual in phases.items():
            if key in expected:
                assert actual == expected[key], (number, key)
        assert flow.first_commit_at == sc.dt(7)  # the earlier of two commits
        assert flow.size == expected.get("size", 12)  # make_pull: 10 added, 2 deleted
        assert flow.review_comments == expected.get("comments", 0)
        assert flow.changes_requested == expected.get("changes_requested", 0)
        assert flow.merged_without_approval == expected.get("without_approval", False)
        assert flow.force_pushes == expected.get("force_pushes", 0)
        assert flow.reopened == expected.get("reopened", 0)
        if "reviewers" in expected:
            assert flow.reviewers == expected["reviewers"]
    assert flows[6].closed_at == sc.dt(12) and flows[6].state == "closed"
    stored = session.get(PullRequest, scenario["pulls"][0]["id"])
    assert stored is not None and stored.additions == 30 and stored.changed_files == 1
    waiting = waiting_now(session, now=sc.dt(33), settings=config, repo=sc.FULL_NAME)
    assert [(w.number, w.waited_hours) for w in waiting.unreviewed] == [(8, 24.0)]


def test_unchanged_resync_costs_one_request_and_changed_pulls_are_refreshed(
    session: Session, github_api: GithubApi, scenario: Any, collector: Collector
) -> None:
    config = collector.config()
    first = collector.collect(config)
    full_requests = len(github_api.requests)
    assert first.requests == full_requests
    before = _counts(session)
    github_api.clear_requests()
    again = collector.collect(config)
    assert (again.fetched, len(github_api.requests), again.requests) == (0, 1, 1)
    # PR 8 (open for long) gets a review: only it is fetched again, nothing is duplicated
    pulls = scenario["pulls"]
    eight = next(p for p in pulls if p["number"] == 8)
    eight["updated_at"] = sc.t(40)
    scenario["reviews"]["8"] = [sc.review(8, "bob", "APPROVED", 39)]
    github_api.write_repo(sc.OWNER, sc.REPO, **scenario)
    github_api.clear_requests()
    third = collector.collect(config)
    assert third.numbers == [8]
    paths = [r.path for r in github_api.requests]
    if collector.graphql:  # list, then one query; review comments over REST only where the server
        # answers no `comments` on reviews (the query is then retried without them)
        assert paths[0].endswith("/pulls") and paths[1] == "/graphql" and len(paths) <= 4
        assert set(paths[1:]) <= {"/graphql", "/repos/acme/api/pulls/8/comments"}
    else:  # list + PR, reviews, commits, timeline
        assert len(paths) == 1 + 4
    session.expire_all()
    assert _counts(session) == (before[0], before[1] + 1, before[2], before[3])
    flow = next(f for f in pull_flows(session, settings=config, repo=sc.FULL_NAME) if f.number == 8)
    assert flow.first_review_at == sc.dt(39)
    cursor = session.exec(select(SyncCursor).where(SyncCursor.source == "pulls")).one()
    assert cursor.position == sc.dt(40).isoformat()


def test_faults_and_rate_limits_end_with_complete_duplicate_free_data(
    session: Session, github_api: GithubApi, scenario: Any, collector: Collector
) -> None:
    config = collector.config(github_per_page=3)
    github_api.inject(path=r"/pulls\?", kind="secondary_rate_limit", times=1, retry_after=1)
    if collector.graphql:
        github_api.inject(path=r"/graphql", kind="5xx", status=502, times=1)
        github_api.inject(path=r"/graphql", kind="reset", times=1)
        github_api.inject(path=r"/graphql", kind="primary_rate_limit", times=1, reset_in=1)
        github_api.inject(path=r"/pulls\?", kind="5xx", status=503, times=1)
    else:
        github_api.inject(path=r"/pulls/3/reviews", kind="5xx", status=502, times=2)
        github_api.inject(path=r"/issues/4/timeline", kind="reset", times=1)
        github_api.inject(path=r"/pulls/5$", kind="primary_rate_limit", times=1, reset_in=1)
        github_api.inject(path=r"/pulls/7/commits", kind="5xx", status=503, times=1)
    stats = collector.collect(config)
    assert stats.fetched == 11
    statuses = [r.status for r in github_api.requests]
    assert {403, 502, 503, 0} <= set(statuses)  # every fault fired
    assert _counts(session) == (11, 18, 2, 5)
    review_ids = session.exec(select(Review.id)).all()
    assert len(review_ids) == len(set(review_ids))
    flows = {f.number: f for f in pull_flows(session, settings=config, repo=sc.FULL_NAME)}
    assert flows[3].pickup_hours == 1.0 and flows[4].reopened == 1


def test_resume_after_a_crash_leaves_no_gap_and_no_duplicate(
    session: Session, github_api: GithubApi, scenario: Any, collector: Collector
) -> None:
    config = collector.config(github_retries=0)
    if collector.graphql:  # Ctrl-C once the second batch is stored

        def interrupt(message: str) -> None:
            if "stored 4/" in message:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            collector.collect(config, batch_size=2, progress=interrupt)
    else:  # a request that keeps failing in the middle of a batch
        github_api.inject(path=r"/pulls/6/reviews", kind="5xx", status=500, times=-1)
        with pytest.raises(Exception, match="500"):
            collector.collect(config, batch_size=2)
    stored_first = session.exec(select(PullRequest.number)).all()
    assert 0 < len(stored_first) < 11
    cursor_after_crash = session.exec(select(SyncCursor.position)).one()
    github_api.server.clear_faults()
    github_api.clear_requests()
    stats = collector.collect(config, batch_size=2)
    assert not set(stats.numbers) & set(stored_first)  # stored ones are not fetched again
    assert sorted(stats.numbers + list(stored_first)) == list(range(1, 12))
    session.expire_all()
    assert _counts(session) == (11, 18, 2, 5)
    assert session.exec(select(SyncCursor.position)).one() > cursor_after_crash


def test_a_pull_too_long_for_one_graphql_page_is_read_over_rest(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi
) -> None:
    many = [sc.review(1, f"rev{i}", "COMMENTED", 10 + i / 10) for i in range(60)]  # > 50
    github_api.write_repo(
        sc.OWNER,
        sc.REPO,
        pulls=[make_pull(sc.OWNER, sc.REPO, n, author="ann", created_at=sc.t(9)) for n in (1, 2)],
        reviews={"1": many},
    )
    stats = _collect(engine, _settings(settings, github_api), graphql=True)
    assert (stats.fetched, stats.rest_fallbacks) == (2, 1)
    assert any(r.path.endswith("/pulls/1/reviews") for r in github_api.requests)
    assert session.exec(select(func.count()).select_from(Review)).one() == 60


@pytest.mark.parametrize("with_comments", [True, False])
def test_the_graphql_query_is_valid_for_githubs_schema(with_comments: bool) -> None:
    document = parse(build_query(3, with_comments=with_comments))
    assert [error.message for error in validate(github_schema(), document)] == []


def test_github_enterprise_urls_work_for_rest_and_graphql(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi, scenario: Any
) -> None:
    config = _settings(settings, github_api, github_api_url=f"{github_api.url}/api/v3")
    stats = _collect(engine, config)  # GHES: REST under /api/v3, GraphQL at /api/graphql
    assert (stats.fetched, stats.via) == (11, "graphql")
    assert session.exec(select(func.count()).select_from(Review)).one() == 18


def test_graphql_rate_limited_answer_is_waited_out_visibly(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi, scenario: Any
) -> None:
    github_api.inject(path=r"/graphql", kind="graphql_rate_limited", times=1, reset_in=1)
    said: list[str] = []
    stats = _collect(engine, _settings(settings, github_api), progress=said.append)
    assert (stats.fetched, stats.via) == (11, "graphql")
    assert any("GitHub GraphQL rate limit: waiting" in line for line in said)
    assert _counts(session) == (11, 18, 2, 5)


def test_rate_limited_wait_reads_githubs_reset_header() -> None:
    limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
    error = GithubException(400, limited, {"X-RateLimit-Reset": "1000"})
    assert rate_limited_wait(error, now=995.0) == 6.0
    assert rate_limited_wait(GithubException(400, limited, {}), now=0.0) == 60.0
    other = GithubException(400, {"errors": [{"message": "Field 'x' doesn't exist"}]}, {})
    assert rate_limited_wait(other, now=0.0) is None
