"""POST /graphql: validated against GitHub's real schema, answered from the scenario objects."""

from __future__ import annotations

import httpx
import pytest
from github import Auth, Github

from app.sandbox.graphql import checked
from tests.world.github import (
    make_commit,
    make_pull,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
    timeline_commit,
    timeline_review,
)

PULLS_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    nameWithOwner
    pullRequests(first: 2, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        number state isDraft createdAt updatedAt mergedAt additions deletions changedFiles
        author { __typename login }
        reviews(first: 50) { nodes { databaseId state submittedAt author { __typename login } } }
        reviewRequests(first: 10) { nodes { requestedReviewer { ... on User { login } } } }
        commits(first: 1) { nodes { commit { oid authoredDate } } }
        timelineItems(first: 20, itemTypes: [READY_FOR_REVIEW_EVENT, HEAD_REF_FORCE_PUSHED_EVENT]) {
          nodes { __typename ... on ReadyForReviewEvent { createdAt } }
        }
      }
    }
  }
}
"""


def _post(github_api, query: str, variables: dict | None = None, token: str | None = "t"):
    headers = {"Authorization": f"bearer {token}"} if token else {}
    return httpx.post(
        f"{github_api.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,  # the first query may wait for the schema to be built
    )


@pytest.fixture
def scenario(github_api):
    pulls = [
        make_pull(
            "acme", "app", 1, updated_at="2024-01-05T00:00:00Z", merged_at="2024-01-05T00:00:00Z"
        ),
        make_pull(
            "acme",
            "app",
            2,
            author=make_user("renovate[bot]", "Bot"),
            updated_at="2024-01-07T00:00:00Z",
        ),
        make_pull(
            "acme",
            "app",
            3,
            draft=True,
            updated_at="2024-01-06T00:00:00Z",
            requested_reviewers=["bob"],
        ),
    ]
    github_api.write_repo(
        "acme",
        "app",
        pulls=pulls,
        reviews={
            "1": [
                make_review("acme", "app", 1, reviewer="bob", submitted_at="2024-01-04T00:00:00Z")
            ]
        },
        pull_commits={"1": [make_commit("acme", "app", authored_at="2024-01-01T09:00:00Z")]},
        timelines={
            "3": [
                make_timeline_event("acme", "app", 3, "labeled", created_at="2024-01-02T00:00:00Z"),
                make_timeline_event(
                    "acme", "app", 3, "ready_for_review", created_at="2024-01-03T00:00:00Z"
                ),
            ]
        },
    )
    return github_api


def test_pull_requests_page_by_cursor_in_updated_order(scenario):
    first = _post(scenario, PULLS_QUERY, {"owner": "acme", "name": "app"}).json()
    assert "errors" not in first
    page = first["data"]["repository"]["pullRequests"]
    assert [n["number"] for n in page["nodes"]] == [2, 3]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert page["nodes"][0]["author"] == {"__typename": "Bot", "login": "renovate"}
    assert page["nodes"][1]["timelineItems"]["nodes"] == [
        {"__typename": "ReadyForReviewEvent", "createdAt": "2024-01-03T00:00:00Z"}
    ]
    assert page["nodes"][1]["reviewRequests"]["nodes"] == [{"requestedReviewer": {"login": "bob"}}]
    after = page["pageInfo"]["endCursor"]
    second = _post(scenario, PULLS_QUERY, {"owner": "acme", "name": "app", "after": after}).json()
    last = second["data"]["repository"]["pullRequests"]
    assert [n["number"] for n in last["nodes"]] == [1]
    assert last["nodes"][0]["state"] == "MERGED"
    assert last["nodes"][0]["reviews"]["nodes"][0]["author"]["login"] == "bob"
    assert (
        last["nodes"][0]["commits"]["nodes"][0]["commit"]["authoredDate"] == "2024-01-01T09:00:00Z"
    )
    assert last["pageInfo"]["hasNextPage"] is False


def test_invalid_query_gets_github_style_errors(scenario):
    answer = _post(scenario, '{ repository(owner: "acme", name: "app") { stars } }')
    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert error["message"] == "Field 'stars' doesn't exist on type 'Repository'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Repository",
        "fieldName": "stars",
    }
    assert error["locations"] == [{"line": 1, "column": 44}]
    assert error["path"] == ["query", "repository", "stars"]


def test_wrong_argument_type_and_missing_page_size_are_rejected(scenario):
    wrong = _post(scenario, '{ repository(owner: "acme", name: 5) { name } }').json()
    assert "data" not in wrong and "String" in wrong["errors"][0]["message"]
    unbounded = _post(
        scenario, '{ repository(owner: "acme", name: "app") { pullRequests { totalCount } } }'
    ).json()
    assert unbounded["errors"][0]["message"] == (
        "You must provide a `first` or `last` value to properly paginate the `pullRequests` "
        "connection."
    )
    missing = _post(scenario, '{ repository(owner: "acme", name: "nope") { name } }').json()
    assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert missing["data"] == {"repository": None}


def test_graphql_needs_a_token_and_spends_the_graphql_budget(scenario):
    assert _post(scenario, "{ viewer { login } }", token=None).status_code == 401
    answer = _post(scenario, "{ rateLimit { remaining used } }")
    assert answer.headers["X-RateLimit-Resource"] == "graphql"
    assert answer.json()["data"]["rateLimit"]["used"] == int(answer.headers["X-RateLimit-Used"])


def test_pygithub_requester_graphql_query_works(scenario):
    gh = Github(
        base_url=scenario.url, auth=Auth.Token("t"), retry=None, seconds_between_requests=None
    )
    _, data = gh.requester.graphql_query(
        'query { repository(owner: "acme", name: "app") '
        "{ pullRequest(number: 3) { isDraft number } } }",
        {},
    )
    assert data["data"]["repository"]["pullRequest"] == {"isDraft": True, "number": 3}


def test_enterprise_graphql_endpoint_answers_pygithub(scenario):
    """With base_url .../api/v3, PyGithub posts GraphQL to /api/graphql, as on GHE Server."""
    gh = Github(
        base_url=f"{scenario.url}/api/v3",
        auth=Auth.Token("t"),
        retry=None,
        seconds_between_requests=None,
    )
    _, data = gh.requester.graphql_query(
        'query { repository(owner: "acme", name: "app") { name } }', {}
    )
    assert data["data"]["repository"] == {"name": "app"}
    assert gh.requester.graphql_url == f"{scenario.url}/api/graphql"


def test_timeline_items_include_reviews_and_commits(github_api):
    review = make_review("acme", "app", 1, reviewer="bob", submitted_at="2024-01-02T00:00:00Z")
    commit = make_commit("acme", "app", authored_at="2024-01-01T09:00:00Z")
    github_api.write_repo(
        "acme",
        "app",
        pulls=[make_pull("acme", "app", 1)],
        timelines={"1": [timeline_commit(commit), timeline_review(review)]},
    )
    query = """{ repository(owner: "acme", name: "app") { pullRequest(number: 1) {
      timelineItems(first: 10, itemTypes: [PULL_REQUEST_COMMIT, PULL_REQUEST_REVIEW]) { nodes {
        __typename
        ... on PullRequestCommit { commit { oid authoredDate } }
        ... on PullRequestReview { databaseId state author { login } }
    } } } } }"""
    nodes = _post(github_api, query).json()["data"]["repository"]["pullRequest"]
    assert nodes["timelineItems"]["nodes"] == [
        {
            "__typename": "PullRequestCommit",
            "commit": {"oid": commit["sha"], "authoredDate": "2024-01-01T09:00:00Z"},
        },
        {
            "__typename": "PullRequestReview",
            "databaseId": review["id"],
            "state": "APPROVED",
            "author": {"login": "bob"},
        },
    ]


def test_review_comments_belong_to_their_review(github_api):
    review = make_review("acme", "app", 1, reviewer="bob", state="COMMENTED")
    other = make_review("acme", "app", 1, reviewer="carol", submitted_at="2024-01-03T00:00:00Z")
    comments = [
        make_review_comment("acme", "app", 1, author="bob", review_id=review["id"], path="a.py"),
        make_review_comment(
            "acme",
            "app",
            1,
            author="bob",
            review_id=review["id"],
            path="b.py",
            created_at="2024-01-02T00:00:00Z",
        ),
    ]
    github_api.write_repo(
        "acme",
        "app",
        pulls=[make_pull("acme", "app", 1)],
        reviews={"1": [review, other]},
        review_comments={"1": comments},
    )
    query = """{ repository(owner: "acme", name: "app") { pullRequest(number: 1) {
      reviews(first: 10) { nodes { id comments(first: 1) {
        totalCount pageInfo { hasNextPage } nodes { id path createdAt author { login } }
    } } } } } }"""
    nodes = _post(github_api, query).json()["data"]["repository"]["pullRequest"]["reviews"]["nodes"]
    assert nodes[0]["comments"] == {
        "totalCount": 2,
        "pageInfo": {"hasNextPage": True},
        "nodes": [
            {
                "id": comments[0]["node_id"],
                "path": "a.py",
                "createdAt": comments[0]["created_at"],
                "author": {"login": "bob"},
            }
        ],
    }
    assert nodes[1]["comments"]["totalCount"] == 0


def test_repeated_query_text_is_validated_once(scenario):
    query = (
        'query($n: Int!) { repository(owner: "acme", name: "app") '
        "{ pullRequest(number: $n) { number } } }"
    )
    before = checked.cache_info()
    first = _post(scenario, query, {"n": 1}).json()
    second = _post(scenario, query, {"n": 3}).json()
    after = checked.cache_info()
    assert first["data"]["repository"]["pullRequest"] == {"number": 1}
    assert second["data"]["repository"]["pullRequest"] == {"number": 3}
    assert after.hits - before.hits >= 1 and after.misses - before.misses <= 1
