"""GraphQL points and node limits follow GitHub's documented arithmetic (examples from its docs)."""

from __future__ import annotations

import httpx
from graphql import parse

from app.sandbox.graphql_cost import query_cost
from tests.world.github import make_pull

# "Rate limits and node limits for the GraphQL API" (docs.github.com), node-limit examples.
SIMPLE = """query { viewer { repositories(first: 50) { edges { repository:node { name
  issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }"""
COMPLEX = """query { viewer { repositories(first: 50) { edges { repository:node { name
  pullRequests(first: 20) { edges { pullRequest:node { title
    comments(first: 10) { edges { comment:node { bodyHTML } } } } } }
  issues(first: 20) { totalCount edges { issue:node { title bodyHTML
    comments(first: 10) { edges { comment:node { bodyHTML } } } } } } } } }
  followers(first: 10) { edges { follower:node { login } } } } }"""
# Same page, rate-limit example: 1 + 100 + 5,000 requests = 51 points.
SCORED = """query($labels: Int!) { viewer { login repositories(first: 100) { edges { node { id
  issues(first: 50) { edges { node { id labels(first: $labels) { edges { node { id name } } }
  } } } } } } } }"""


def test_githubs_documented_examples():
    assert query_cost(parse(SIMPLE)).nodes == 550
    assert query_cost(parse(COMPLEX)).nodes == 22_060
    scored = query_cost(parse(SCORED), {"labels": 60})
    assert (scored.requests, scored.points, scored.nodes) == (5_101, 51, 305_100)
    assert query_cost(parse("{ viewer { login } }")).points == 1


def test_node_limit_and_points_through_the_stand_in(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 1)])
    heavy = """{ rateLimit { cost nodeCount } repository(owner: "acme", name: "app") {
      pullRequests(first: 100) { nodes { reviews(first: 100) { nodes {
        comments(first: 40) { totalCount } } } } } } }"""
    headers = {"Authorization": "bearer t"}
    answer = httpx.post(
        f"{github_api.url}/graphql", json={"query": heavy}, headers=headers, timeout=60
    )
    assert answer.json()["data"]["rateLimit"] == {"cost": 101, "nodeCount": 410_100}
    assert answer.headers["X-RateLimit-Used"] == "101"
    too_big = heavy.replace("comments(first: 40)", "comments(first: 60)")
    refused = httpx.post(f"{github_api.url}/graphql", json={"query": too_big}, headers=headers)
    (error,) = refused.json()["errors"]
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert "comments connection, it is requesting up to 610,100 possible nodes" in error["message"]


def test_graphql_rate_limit_answers_200_with_rate_limited(github_api):
    """GitHub's GraphQL form of an exhausted budget, both as a fault and from the budget."""
    github_api.write_repo("acme", "app")
    query = {"query": "{ viewer { login } }"}
    headers = {"Authorization": "bearer t"}
    github_api.inject(path="/graphql", kind="graphql_rate_limited", reset_in=5)
    faulted = httpx.post(f"{github_api.url}/graphql", json=query, headers=headers, timeout=60)
    assert faulted.status_code == 200
    assert faulted.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert faulted.headers["X-RateLimit-Remaining"] == "0"
    assert faulted.headers["X-RateLimit-Resource"] == "graphql"
    github_api.set_rate_limit(resource="graphql", limit=10, remaining=0, reset_in=30)
    spent = httpx.post(f"{github_api.url}/graphql", json=query, headers=headers)
    assert (spent.status_code, spent.json()["errors"][0]["type"]) == (200, "RATE_LIMITED")
    assert httpx.get(f"{github_api.url}/repos/acme/app").status_code == 200  # core unaffected
