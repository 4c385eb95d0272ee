"""GitHub's list parameters on pull-request endpoints: state, sort, direction, head, base, since."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from github import Github

from tests.world.github import (
    make_commit,
    make_pull,
    make_review_comment,
    make_timeline_event,
    timeline_commit,
)


def _numbers(github_api, query: str) -> list[int]:
    answer = httpx.get(f"{github_api.url}/repos/acme/app/pulls?{query}")
    assert answer.status_code == 200, answer.text
    return [p["number"] for p in answer.json()]


@pytest.fixture
def pulls(github_api):
    github_api.write_repo(
        "acme",
        "app",
        pulls=[
            make_pull(
                "acme",
                "app",
                1,
                created_at="2024-01-01T00:00:00Z",
                updated_at="2024-01-09T00:00:00Z",
                comments=5,
                head_ref="fix-a",
            ),
            make_pull(
                "acme",
                "app",
                2,
                created_at="2024-01-02T00:00:00Z",
                updated_at="2024-01-03T00:00:00Z",
                merged_at="2024-01-03T00:00:00Z",
            ),
            make_pull(
                "acme",
                "app",
                3,
                created_at="2024-01-03T00:00:00Z",
                updated_at="2024-01-05T00:00:00Z",
                base_ref="release",
                review_comments=1,
            ),
            make_pull(
                "acme",
                "app",
                4,
                created_at="2024-01-04T00:00:00Z",
                state="closed",
                closed_at="2024-01-04T01:00:00Z",
            ),
        ],
        review_comments={
            "1": [make_review_comment("acme", "app", 1, created_at="2024-01-05T00:00:00Z")],
            "3": [
                make_review_comment(
                    "acme",
                    "app",
                    3,
                    created_at="2024-01-02T00:00:00Z",
                    updated_at="2024-01-08T00:00:00Z",
                ),
            ],
        },
        timelines={
            "1": [
                timeline_commit(make_commit("acme", "app", authored_at="2024-01-01T00:00:00Z")),
                make_timeline_event(
                    "acme", "app", 1, "ready_for_review", created_at="2024-01-02T00:00:00Z"
                ),
            ]
        },
    )
    return github_api


def test_state_sort_and_direction_follow_githubs_defaults(pulls):
    assert _numbers(pulls, "") == [3, 1]  # open, newest created first
    assert _numbers(pulls, "state=closed") == [4, 2]
    assert _numbers(pulls, "state=all&sort=updated") == [2, 4, 3, 1]  # asc unless created
    assert _numbers(pulls, "state=all&sort=updated&direction=desc") == [1, 3, 4, 2]
    assert _numbers(pulls, "state=all&sort=popularity&direction=desc")[0] == 1
    assert _numbers(pulls, "state=all&sort=long-running&direction=desc")[0] == 1


def test_head_and_base_filters(pulls):
    assert _numbers(pulls, "state=all&head=acme:fix-a") == [1]
    assert _numbers(pulls, "state=all&base=release") == [3]
    assert _numbers(pulls, "state=all&head=other:fix-a") == []


def test_bad_parameter_is_a_422_like_github(pulls):
    answer = httpx.get(f"{pulls.url}/repos/acme/app/pulls?state=merged")
    assert answer.status_code == 422
    assert answer.json()["message"] == "Validation Failed"
    assert answer.json()["errors"][0]["field"] == "state"
    assert (
        httpx.get(f"{pulls.url}/repos/acme/app/pulls/comments?since=yesterday").status_code == 422
    )


def test_repo_wide_review_comments_since_and_order(pulls):
    gh = Github(base_url=pulls.url, retry=None, seconds_between_requests=None)
    repo = gh.get_repo("acme/app")
    created = [c.pull_request_url.rsplit("/", 1)[1] for c in repo.get_pulls_review_comments()]
    assert created == ["3", "1"]
    updated = repo.get_pulls_review_comments(sort="updated", direction="desc")
    assert [c.pull_request_url.rsplit("/", 1)[1] for c in updated] == ["3", "1"]
    recent = httpx.get(f"{pulls.url}/repos/acme/app/pulls/comments?since=2024-01-06T00:00:00Z")
    assert [c["pull_request_url"].rsplit("/", 1)[1] for c in recent.json()] == ["3"]


def test_pulls_appear_as_issues_and_events_leave_out_commits(pulls):
    gh = Github(base_url=pulls.url, retry=None, seconds_between_requests=None)
    repo = gh.get_repo("acme/app")
    issues = list(repo.get_issues(state="all", since=datetime(2024, 1, 4, tzinfo=UTC)))
    assert [i.number for i in issues] == [4, 3, 1]
    assert all(i.pull_request is not None for i in issues)
    events = [e.event for e in repo.get_issue(1).get_events()]
    timeline = [e.event for e in repo.get_issue(1).get_timeline()]
    assert (events, timeline) == (["ready_for_review"], ["committed", "ready_for_review"])


def test_broken_scenario_file_says_which_file(github_api):
    folder = github_api.write_repo("acme", "app")
    (folder / "pulls.json").write_text("[{")
    answer = httpx.get(f"{github_api.url}/repos/acme/app/pulls")
    assert answer.status_code == 500
    assert "pulls.json: not valid JSON" in answer.json()["message"]
