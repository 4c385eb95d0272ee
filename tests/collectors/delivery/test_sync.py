"""collect_delivery through PyGithub and the stand-in: what is stored, and that a second collect
adds nothing and asks little."""

from __future__ import annotations

import shutil

import pytest
from github import Auth, Github
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.db import make_engine
from app.core.models import DeliveryFailure, DeployedCommit, DeployedPull, Deployment, PullRequest
from app.core.settings import Settings
from collectors.delivery.sync import collect_delivery
from collectors.pulls.sync import collect_pulls
from tests.world import delivery as sc


def _collect(engine: Engine, github_api, **settings) -> tuple:
    gh = Github(base_url=github_api.url, per_page=100, seconds_between_requests=0)
    collect_pulls(engine, gh, sc.FULL_NAME, graphql=False)
    return collect_delivery(engine, gh, sc.FULL_NAME, Settings(**settings))


def _stored(engine: Engine) -> dict:
    with Session(engine) as session:
        deployments = {d.id: d for d in session.exec(select(Deployment))}
        commits: dict[str, list[str]] = {d.key: [] for d in deployments.values()}
        for row in session.exec(select(DeployedCommit)):
            commits[deployments[row.deployment_id].key].append(row.sha)
        numbers = {i: n for i, n in session.exec(select(PullRequest.id, PullRequest.number))}
        shipped = {
            numbers[link.pull_request_id]: deployments[link.deployment_id].key
            for link in session.exec(select(DeployedPull))
        }
        failures = {
            f.ref: (f.kind, f.deployment_key, f.restored_at is not None)
            for f in session.exec(select(DeliveryFailure))
        }
    return {"commits": commits, "shipped": shipped, "failures": failures}


def test_github_deployments_with_their_commits_pulls_and_failures(engine, github_api):
    c = sc.write(github_api)
    stats = _collect(engine, github_api)
    assert stats.source == "deployments"
    stored = _stored(engine)
    assert (
        {k: sorted(v) for k, v in stored["commits"].items()}
        == {
            "deployment:1": [c[1]],  # the first deployment seen brings only its SHA
            "deployment:2": sorted([c[2], c[3]]),
            "deployment:3": [],  # the hotfix deployed twice: nothing new
            "deployment:4": [],  # a rollback to an older SHA: nothing new
            "deployment:6": sorted(c[2:6]),  # after the rollback, c2..c5 go out (again)
        }
    )  # deployment 5 failed, 7 went to staging: neither is a production deployment
    assert stored["shipped"] == {
        1: "deployment:1",
        2: "deployment:2",
        3: "deployment:2",
        4: "deployment:6",
    }  # PR 5 was merged and never deployed to production
    assert stored["failures"] == {
        "deployment:5": ("failed_status", "deployment:5", False),
        "issue:20": ("incident", None, True),  # before any deployment
        "issue:21": ("incident", None, True),
        "pull:4": ("revert", "deployment:2", False),  # reverts #3, first shipped by deployment 2
    }


def test_a_second_collect_adds_nothing_and_compares_nothing(engine, github_api):
    sc.write(github_api)
    _collect(engine, github_api)
    before = _stored(engine)
    github_api.clear_requests()
    again = collect_delivery(
        engine,
        Github(base_url=github_api.url, per_page=100, seconds_between_requests=0),
        sc.FULL_NAME,
        Settings(),
    )
    assert (again.deployments, again.commits) == (0, 0)
    assert _stored(engine) == before
    paths = [r.path for r in github_api.requests]
    assert not any("/compare/" in p for p in paths), paths


def test_a_forced_source_and_merges_when_nothing_else(engine, github_api):
    c = sc.write(github_api, with_deployments=False)
    stats = _collect(engine, github_api)
    assert stats.source == "merges"  # no deployments, no runs, no releases
    assert set(_stored(engine)["shipped"]) == {1, 2, 3, 4, 5}
    assert _stored(engine)["commits"]["merge:5"] == [c[6]]
    forced = _collect(engine, github_api, delivery_sources=f"{sc.FULL_NAME}=releases")
    assert (forced.source, _stored(engine)["commits"]) == ("releases", {})


def test_a_bad_forced_source_is_refused():
    with pytest.raises(ValueError, match="OWNER/REPO=SOURCE"):
        Settings(delivery_sources="acme/shop=tags")


def test_over_graphql_the_same_rows_in_fewer_requests(
    engine, github_api, sqlite_template, tmp_path
):
    """With a token, deployments and their statuses come 100 a GraphQL query (and the PRs'
    merge commits over GraphQL too): the same rows as over REST."""
    sc.write(github_api)
    over_rest = _collect(engine, github_api)
    stored = _stored(engine)
    shutil.copy(sqlite_template, tmp_path / "graphql.db")  # a second, empty database
    other = make_engine(f"sqlite:///{tmp_path}/graphql.db")
    token = Github(
        auth=Auth.Token("ghp_test"),
        base_url=github_api.url,
        per_page=100,
        seconds_between_requests=0,
    )
    collect_pulls(other, token, sc.FULL_NAME, graphql=True)  # merge commits from mergeCommit.oid
    github_api.clear_requests()
    over_graphql = collect_delivery(other, token, sc.FULL_NAME, Settings())
    assert _stored(other) == stored
    paths = [r.path for r in github_api.requests]
    assert "/graphql" in paths and not any("/statuses" in p for p in paths)
    assert over_graphql.requests == over_rest.requests - 6  # the 6 production statuses pages
    other.dispose()
