"""The ladder's lower rungs and the local history, through collect_delivery and the stand-in."""

from __future__ import annotations

from datetime import timedelta

from github import Github
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from collectors.ci.fetch import collect_ci
from collectors.delivery.sync import collect_delivery
from collectors.git.store import collect_git
from collectors.pulls.sync import collect_pulls
from tests.collectors.delivery.test_sync import _stored
from tests.world import delivery as sc
from tests.world.ci import CiScenario
from tests.world.git import RepoBuilder
from tests.world.github import make_release, make_tag


def _gh(github_api) -> Github:
    return Github(base_url=github_api.url, per_page=100, seconds_between_requests=0)


def test_rung_two_deploy_runs_on_the_default_branch_from_the_stored_runs(
    engine: Engine, github_api
):
    c = sc.write(github_api, with_deployments=False)
    ci = CiScenario(sc.OWNER, sc.NAME)
    ci.workflow(1, "Ship it", ".github/workflows/deploy.yml")
    ci.workflow(2, "CI")
    ci.run(10, 1, sc.t(2), head_sha=c[1])
    ci.run(11, 2, sc.t(3), head_sha=c[3])  # not a deploy workflow
    ci.run(12, 1, sc.t(4), head_sha=c[2], conclusion="failure")
    ci.run(13, 1, sc.t(5), head_sha=c[3], branch="feature")
    ci.run(14, 1, sc.t(6), head_sha=c[3])
    ci.write(github_api)
    gh = _gh(github_api)
    collect_pulls(engine, gh, sc.FULL_NAME, graphql=False)
    collect_ci(engine, gh, sc.FULL_NAME, Settings())
    github_api.clear_requests()
    stats = collect_delivery(engine, gh, sc.FULL_NAME, Settings())
    assert stats.source == "workflow_runs"
    stored = _stored(engine)
    assert {k: sorted(v) for k, v in stored["commits"].items()} == {
        "run:10": [c[1]],
        "run:14": sorted([c[2], c[3]]),
    }
    assert stored["shipped"] == {1: "run:10", 2: "run:14", 3: "run:14"}
    assert not any("/actions/" in r.path for r in github_api.requests)  # read from the table


def test_rung_three_published_full_releases_by_their_tags(engine: Engine, github_api):
    c = sc.write(github_api, with_deployments=False)
    github_api.write_repo(
        sc.OWNER,
        sc.NAME,
        releases=[
            make_release(
                sc.OWNER, sc.NAME, "v1", id=1, target_commitish=c[2], published_at=sc.iso(3)
            ),
            make_release(sc.OWNER, sc.NAME, "v2-rc", id=2, prerelease=True, published_at=sc.iso(4)),
            make_release(sc.OWNER, sc.NAME, "v3", id=3, draft=True, published_at=None),
            make_release(sc.OWNER, sc.NAME, "v4", id=4, published_at=sc.iso(6)),
        ],
        tags=[make_tag(sc.OWNER, sc.NAME, "v4", c[5])],
        commits=sc.history(),
        pulls=sc.pulls(c),
        issues=sc.incidents(),
    )
    gh = _gh(github_api)
    collect_pulls(engine, gh, sc.FULL_NAME, graphql=False)
    stats = collect_delivery(engine, gh, sc.FULL_NAME, Settings())
    assert stats.source == "releases"
    stored = _stored(engine)
    assert {k: sorted(v) for k, v in stored["commits"].items()} == {
        "release:v1": [c[2]],
        "release:v4": sorted(c[3:6]),
    }
    assert stored["shipped"] == {2: "release:v1", 3: "release:v4", 4: "release:v4"}
    assert stored["failures"]["pull:4"] == ("revert", "release:v4", False)


def test_deployed_commits_from_the_local_clone_when_collected(engine: Engine, github_api, tmp_path):
    repo = RepoBuilder(tmp_path / "shop")
    shas = []
    for n in range(7):
        repo.lines(f"f{n}.txt", 2)
        shas.append(repo.commit(f"c{n}", step=timedelta(hours=1)))
    collect_git(engine, repo.path, name=sc.FULL_NAME)
    sc.write(github_api, shas=shas)
    gh = _gh(github_api)
    collect_pulls(engine, gh, sc.FULL_NAME, graphql=False)
    github_api.clear_requests()
    stats = collect_delivery(engine, gh, sc.FULL_NAME, Settings())
    assert stats.source == "deployments"
    commits = _stored(engine)["commits"]
    assert sorted(commits["deployment:2"]) == sorted(shas[2:4])
    assert sorted(commits["deployment:6"]) == sorted(shas[2:6])  # after the rollback to c1
    assert commits["deployment:3"] == commits["deployment:4"] == []
    assert not any("/compare/" in r.path for r in github_api.requests)
