"""PyGithub reads the same attributes from the stand-in as from real GitHub recordings.

Real bodies (PyGithub's replay files, DevLake's raw rows from panjf2000/ants) are served as a
scenario; each object PyGithub builds from the stand-in's answer must equal the one it builds
from the recorded body itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import pytest
from github import Auth, Github
from github.GithubObject import GithubObject
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment
from github.PullRequestReview import PullRequestReview
from github.WorkflowJob import WorkflowJob
from github.WorkflowRun import WorkflowRun

from tests.app.sandbox.recordings import devlake_rows, replay
from tests.world.github import make_pull

API = "https://api.github.com"


def _gh(github_api) -> Github:
    return Github(base_url=github_api.url, retry=None, seconds_between_requests=None)


def _plain(value: Any, base: str) -> Any:
    """A comparable form: nested objects by their raw data, stand-in URLs as GitHub's."""
    if isinstance(value, GithubObject):
        value = value._rawData  # raw_data would lazily complete the object over HTTP
    if isinstance(value, list):
        return [_plain(v, base) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return json.loads(json.dumps(value, default=str).replace(base, API))


def _assert_same_attributes(recorded: GithubObject, served: GithubObject, base: str) -> int:
    """Every property PyGithub offers for a key of the recorded body reads the same."""
    compared = 0
    for key in recorded._rawData:
        if not isinstance(getattr(type(recorded), key, None), property):
            continue
        assert _plain(getattr(served, key), base) == _plain(getattr(recorded, key), base), key
        compared += 1
    return compared


def _by_path(exchanges) -> dict[str, Any]:
    return {
        e.path.split("?")[0]: e.body for e in exchanges if e.method == "GET" and e.status == 200
    }


def test_recorded_pull_requests_read_the_same(github_api):
    recorded = _by_path(replay("PullRequest.setUp.txt"))
    pulls_by_repo: dict[str, list[dict]] = defaultdict(list)
    for path, body in recorded.items():
        if "/pulls/" in path:
            pulls_by_repo[body["base"]["repo"]["full_name"]].append(body)
    for full_name, pulls in pulls_by_repo.items():
        owner, name = full_name.split("/")
        repository = recorded.get(f"/repos/{full_name}") or pulls[0]["base"]["repo"]
        github_api.write_repo(owner, name, repository=repository, pulls=pulls)
    gh = _gh(github_api)
    compared = 0
    for full_name, pulls in pulls_by_repo.items():
        repo = gh.get_repo(full_name)
        for body in pulls:
            served = repo.get_pull(body["number"])
            compared += _assert_same_attributes(
                gh.create_from_raw_data(PullRequest, body), served, github_api.url
            )
    assert len([p for ps in pulls_by_repo.values() for p in ps]) == 7
    assert compared > 7 * 40


def test_recorded_reviews_comments_and_commits_read_the_same(github_api):
    pull_31 = _by_path(replay("PullRequest.setUp.txt"))["/repos/PyGithub/PyGithub/pulls/31"]
    reviews = replay("PullRequestReview.testAttributes.txt")[0].body
    comments = replay("PullRequest.testGetReviewComments.txt")[0].body
    commits = replay("PullRequest.testGetCommits.txt")[0].body
    github_api.write_repo(
        "PyGithub",
        "PyGithub",
        pulls=[pull_31, make_pull("PyGithub", "PyGithub", 538)],
        reviews={"538": reviews},
        review_comments={"31": comments},
        pull_commits={"31": commits},
    )
    gh = _gh(github_api)
    repo = gh.get_repo("PyGithub/PyGithub")
    served_reviews = list(repo.get_pull(538).get_reviews())
    assert [r.id for r in served_reviews] == [r["id"] for r in reviews]
    for body, served in zip(reviews, served_reviews, strict=True):
        _assert_same_attributes(
            gh.create_from_raw_data(PullRequestReview, body), served, github_api.url
        )
    served_comments = list(repo.get_pull(31).get_review_comments())
    assert sorted(c.id for c in served_comments) == sorted(c["id"] for c in comments)
    for served in served_comments:
        body = next(c for c in comments if c["id"] == served.id)
        _assert_same_attributes(
            gh.create_from_raw_data(PullRequestComment, body), served, github_api.url
        )
    served_commits = list(repo.get_pull(31).get_commits())
    assert [c.sha for c in served_commits] == [c["sha"] for c in commits]
    assert [c.commit.author.date for c in served_commits] == [
        datetime.fromisoformat(c["commit"]["author"]["date"].replace("Z", "+00:00"))
        for c in commits
    ]


def test_recorded_workflow_run_and_jobs_read_the_same(github_api):
    setup = _by_path(replay("WorkflowRun.setUp.txt"))
    run = setup["/repos/PyGithub/PyGithub/actions/runs/3881497935"]
    jobs = replay("WorkflowRun.test_jobs.txt")[0].body["jobs"]
    github_api.write_repo(
        "PyGithub",
        "PyGithub",
        repository=setup["/repos/PyGithub/PyGithub"],
        runs=[run],
        run_attempts={str(run["id"]): [run]},
        jobs={str(run["id"]): jobs},
    )
    gh = _gh(github_api)
    served = gh.get_repo("PyGithub/PyGithub").get_workflow_run(run["id"])
    assert (
        _assert_same_attributes(gh.create_from_raw_data(WorkflowRun, run), served, github_api.url)
        > 20
    )
    served_jobs = list(served.jobs())
    assert [j.id for j in served_jobs] == [j["id"] for j in jobs]
    for body, job in zip(jobs, served_jobs, strict=True):
        _assert_same_attributes(gh.create_from_raw_data(WorkflowJob, body), job, github_api.url)


@pytest.fixture
def ants(github_api):
    """panjf2000/ants as DevLake recorded it from the real API (2022)."""
    pulls = [row["data"] for row in devlake_rows("_raw_github_api_pull_requests.csv")]
    reviews: dict[str, list] = defaultdict(list)
    for row in devlake_rows("_raw_github_api_pull_request_reviews.csv"):
        reviews[str(row["input"]["Number"])].append(row["data"])
    commits: dict[str, list] = defaultdict(list)
    for row in devlake_rows("_raw_github_api_pull_request_commits.csv"):
        commits[str(row["input"]["Number"])].append(row["data"])
    comments: dict[str, list] = defaultdict(list)
    for row in devlake_rows("_raw_github_api_pull_request_review_comments.csv"):
        comments[row["data"]["pull_request_url"].rsplit("/", 1)[1]].append(row["data"])
    github_api.write_repo(
        "panjf2000",
        "ants",
        repository=pulls[0]["base"]["repo"],
        pulls=pulls,
        reviews=reviews,
        pull_commits=commits,
        review_comments=comments,
    )
    return github_api, pulls, reviews, commits, comments


def test_devlake_pull_rows_read_the_same_through_pygithub(ants):
    github_api, pulls, *_ = ants
    gh = _gh(github_api)
    served = list(gh.get_repo("panjf2000/ants").get_pulls(state="all", direction="asc"))
    assert [p.number for p in served] == sorted(row["number"] for row in pulls)
    rows = {row["number"]: row for row in pulls}
    for pull in served:
        row = rows[pull.number]
        assert _assert_same_attributes(
            gh.create_from_raw_data(PullRequest, row), pull, github_api.url
        )
        assert pull.user.login == row["user"]["login"]
        assert [label.name for label in pull.labels] == [label["name"] for label in row["labels"]]
    states = {(p.state, p.merged_at is not None) for p in served}
    assert states == {("open", False), ("closed", True), ("closed", False)}


def test_devlake_review_commit_and_comment_rows_read_the_same(ants):
    github_api, _, reviews, commits, comments = ants
    gh = _gh(github_api)
    repo = gh.get_repo("panjf2000/ants")
    for number, rows in reviews.items():
        served = list(repo.get_pull(int(number)).get_reviews())
        assert [(r.id, r.state, r.user.login) for r in served] == [
            (row["id"], row["state"], row["user"]["login"]) for row in rows
        ]
    null_authors = 0
    for number, rows in commits.items():
        served = list(repo.get_pull(int(number)).get_commits())
        assert [c.sha for c in served] == [row["sha"] for row in rows]
        for commit, row in zip(served, rows, strict=True):
            assert (
                commit.commit.author.date.isoformat().replace("+00:00", "Z")
                == row["commit"]["author"]["date"]
            )
            assert (commit.author.login if commit.author else None) == (row["author"] or {}).get(
                "login"
            )
            null_authors += commit.author is None
    assert null_authors > 0  # rows with no GitHub account behind the email are served as null
    served_comments = list(repo.get_pulls_review_comments())
    expected = {row["id"]: row for rows in comments.values() for row in rows}
    assert sorted(c.id for c in served_comments) == sorted(expected)
    assert {c.user.login for c in served_comments} >= {"golangcibot"}


ANTS_GRAPHQL = """
query($after: String) {
  repository(owner: "panjf2000", name: "ants") {
    pullRequests(first: 30, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number state isDraft createdAt closedAt mergedAt headRefOid baseRefName
        author { login }
        labels(first: 10) { nodes { name } }
        reviews(first: 50) { totalCount nodes { databaseId state } }
      }
    }
  }
}
"""


def test_graphql_answers_the_same_recorded_pulls_as_rest(ants):
    github_api, pulls, reviews, *_ = ants
    gh = Github(
        base_url=github_api.url, auth=Auth.Token("t"), retry=None, seconds_between_requests=None
    )
    nodes, after = [], None
    while True:
        _, answer = gh.requester.graphql_query(ANTS_GRAPHQL, {"after": after})
        page = answer["data"]["repository"]["pullRequests"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    rows = sorted(pulls, key=lambda row: row["created_at"])
    assert [n["number"] for n in nodes] == [row["number"] for row in rows]
    for node, row in zip(nodes, rows, strict=True):
        state = "MERGED" if row["merged_at"] else row["state"].upper()
        assert (node["state"], node["createdAt"], node["closedAt"], node["mergedAt"]) == (
            state,
            row["created_at"],
            row["closed_at"],
            row["merged_at"],
        )
        assert (node["isDraft"], node["headRefOid"], node["baseRefName"]) == (
            row["draft"],
            row["head"]["sha"],
            row["base"]["ref"],
        )
        assert node["author"]["login"] == row["user"]["login"]
        assert [lb["name"] for lb in node["labels"]["nodes"]] == [
            lb["name"] for lb in row["labels"]
        ]
        expected = [(r["id"], r["state"]) for r in reviews.get(str(row["number"]), [])]
        assert [(r["databaseId"], r["state"]) for r in node["reviews"]["nodes"]] == expected
