"""The source ladder and what it reads, through PyGithub unchanged and the GitHub stand-in."""

from __future__ import annotations

import re

import pytest
from github import Github

from app.sandbox.pulls import issue_from_pull
from collectors.delivery.fetch import (
    compare_commits,
    environment_pattern,
    fetch_deployments,
    fetch_incidents,
    fetch_releases,
    fetch_tag_shas,
)
from collectors.delivery.ladder import DeployRun, Evidence, Merge, choose, with_commits
from collectors.delivery.records import find_reverts
from tests.world.delivery import NAME, OWNER, deployment, history, iso, t
from tests.world.github import make_label, make_pull, make_release, make_tag

WORKFLOWS = re.compile("deploy|release", re.IGNORECASE)


@pytest.fixture
def repo(github_api):
    commits = history(5)
    c = [commit["sha"] for commit in commits]
    made = [
        deployment(c[1], 1, 1, "Production", "in_progress", "success"),
        deployment(c[3], 2, 4, "production", "success"),
        deployment(c[3], 3, 6, "production", "success"),  # the hotfix deployed twice
        deployment(c[1], 4, 8, "production", "success"),  # rollback to an older SHA
        deployment(c[4], 5, 10, "production", "in_progress", "failure"),
        deployment(c[4], 6, 11, "staging", "success"),  # another environment
    ]
    github_api.write_repo(
        OWNER,
        NAME,
        commits=commits,
        deployments=[d for d, _ in made],
        deployment_statuses={str(d["id"]): s for d, s in made},
    )
    gh = Github(base_url=github_api.url, per_page=2)
    return github_api, gh.get_repo(f"{OWNER}/{NAME}"), c


def test_rung_one_takes_successful_production_deployments_only(repo):
    _, gh_repo, _ = repo
    records = fetch_deployments(gh_repo, environment_pattern())
    assert [r.id for r in records] == [1, 2, 3, 4, 5]  # staging left out, "Production" kept
    failed = records[-1]
    assert (failed.state, failed.succeeded_at, failed.failed_at) == ("failure", None, t(11))
    assert records[0].succeeded_at == t(2)  # the success status, not the creation
    source, deployments = choose(Evidence("main", deployments=records), WORKFLOWS)
    assert source == "deployments"
    assert [d.id for d in deployments] == [f"deployment:{n}" for n in (1, 2, 3, 4)]


def test_deployed_commits_come_from_compare(repo):
    _, gh_repo, c = repo
    _, deployments = choose(
        Evidence("main", deployments=fetch_deployments(gh_repo, environment_pattern())), WORKFLOWS
    )
    shipped = with_commits(deployments, compare_commits(gh_repo))
    assert [d.commits for d in shipped] == [
        (c[1],),  # the first deployment seen brings only its own SHA
        (c[2], c[3]),
        (),  # the same SHA again: nothing new
        (),  # a rollback to an ancestor: nothing new
    ]


def test_two_environments_each_follow_their_own_previous_deployment(repo):
    _, gh_repo, c = repo
    every = fetch_deployments(gh_repo, environment_pattern(".*"))
    _, deployments = choose(Evidence("main", deployments=every), WORKFLOWS)
    staging = [
        d for d in with_commits(deployments, compare_commits(gh_repo)) if d.environment == "staging"
    ]
    assert [d.commits for d in staging] == [(c[4],)]


def test_a_bad_environment_pattern_is_a_clear_error():
    with pytest.raises(ValueError, match="not a regular expression"):
        environment_pattern("(prod")


RUNS = [
    DeployRun(1, "Deploy", ".github/workflows/deploy.yml", "s1", "main", "success", t(3)),
    DeployRun(2, "CI", ".github/workflows/ci.yml", "s2", "main", "success", t(4)),
    DeployRun(3, "Ship", ".github/workflows/release.yml", "s3", "main", "success", t(5)),
    DeployRun(4, "Deploy", ".github/workflows/deploy.yml", "s4", "feature", "success", t(6)),
    DeployRun(5, "Deploy", ".github/workflows/deploy.yml", "s5", "main", "failure", t(7)),
]


def test_rung_two_when_no_deployment_succeeded_in_production(repo):
    _, gh_repo, _ = repo
    staging_only = [r for r in fetch_deployments(gh_repo, environment_pattern()) if r.id == 5]
    source, deployments = choose(Evidence("main", deployments=staging_only, runs=RUNS), WORKFLOWS)
    assert source == "workflow_runs"
    assert [d.id for d in deployments] == ["run:1", "run:3"]  # by name or by file


def test_rung_three_published_full_releases(github_api):
    sha = "a" * 40
    github_api.write_repo(
        OWNER,
        NAME,
        releases=[
            make_release(OWNER, NAME, "v1", id=1, target_commitish=sha, published_at=iso(3)),
            make_release(OWNER, NAME, "v2-rc", id=2, prerelease=True, published_at=iso(4)),
            make_release(OWNER, NAME, "v2", id=3, draft=True),
            make_release(OWNER, NAME, "v3", id=4, target_commitish="main", published_at=iso(5)),
        ],
    )
    github_api.write_repo(OWNER, NAME, tags=[make_tag(OWNER, NAME, "v3", "b" * 40)])
    gh_repo = Github(base_url=github_api.url).get_repo(f"{OWNER}/{NAME}")
    releases = fetch_releases(gh_repo)
    shas = fetch_tag_shas(gh_repo)
    evidence = Evidence("main", runs=RUNS[1:2], releases=releases, release_shas=shas)
    source, deployments = choose(evidence, WORKFLOWS)
    assert source == "releases"
    assert [(d.id, d.sha) for d in deployments] == [("release:v1", sha), ("release:v3", "b" * 40)]


def test_rung_four_every_merge_and_a_forced_source():
    merges = [Merge(7, "m7", t(2)), Merge(8, "m8", t(3))]
    source, deployments = choose(Evidence("main", merges=merges), WORKFLOWS)
    assert (source, [d.id for d in deployments]) == ("merges", ["merge:7", "merge:8"])
    forced, none = choose(Evidence("main", runs=RUNS, merges=merges), WORKFLOWS, "releases")
    assert (forced, none) == ("releases", [])
    with pytest.raises(ValueError, match="unknown delivery source"):
        choose(Evidence("main"), WORKFLOWS, "tags")  # type: ignore[arg-type]


def test_incidents_by_label_leave_out_pull_requests(github_api):
    def issue(number: int, labels: list[str]) -> dict:
        shaped = issue_from_pull(make_pull(OWNER, NAME, number, created_at=iso(number)))
        shaped.pop("pull_request")
        shaped["labels"] = [make_label(OWNER, NAME, name) for name in labels]
        return shaped

    labelled_pull = make_pull(OWNER, NAME, 9, labels=["incident"])
    github_api.write_repo(
        OWNER,
        NAME,
        issues=[issue(3, ["Incident"]), issue(4, ["bug"]), issue(5, ["sev1", "incident"])],
        pulls=[labelled_pull],
    )
    gh_repo = Github(base_url=github_api.url).get_repo(f"{OWNER}/{NAME}")
    found = fetch_incidents(gh_repo, ["incident", "sev1"])
    assert [(i.number, i.opened_at) for i in found] == [(3, t(3)), (5, t(5))]


def test_reverts_are_found_by_body_link_or_by_title():
    original = make_pull(OWNER, NAME, 1, title="Add cart", merged_at=iso(1))
    by_title = make_pull(
        OWNER, NAME, 2, title='Revert "Add cart"', created_at=iso(2), merged_at=iso(2)
    )
    by_link = {
        **make_pull(OWNER, NAME, 3, title='Revert "Renamed since"', merged_at=iso(3)),
        "body": "Reverts acme/shop#1",
    }
    unknown = make_pull(OWNER, NAME, 4, title='Revert "Not here"', merged_at=iso(4))
    unmerged = make_pull(OWNER, NAME, 5, title='Revert "Add cart"')
    by_commit = {
        **make_pull(OWNER, NAME, 6, title='Revert "Renamed too"', merged_at=iso(6)),
        "body": f"This reverts commit {original['merge_commit_sha']}.",
    }
    too_late = make_pull(
        OWNER, NAME, 7, title='Revert "Checkout"', created_at=iso(7), merged_at=iso(9)
    )
    checkout = make_pull(OWNER, NAME, 8, title="Checkout", merged_at=iso(8))  # after #7 opened
    pulls = [original, by_title, by_link, unknown, unmerged, by_commit, too_late, checkout]
    reverts = find_reverts(pulls)
    assert [(r.number, r.reverted_number) for r in reverts] == [(2, 1), (3, 1), (6, 1)]
