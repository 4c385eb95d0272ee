"""Deployments, statuses, releases, compare and a commit's pulls, through PyGithub unchanged."""

from __future__ import annotations

import httpx
import pytest
from github import Github, GithubException

from app.sandbox.pulls import issue_from_pull
from tests.app.sandbox import openapi
from tests.world.github import (
    make_commit,
    make_deployment,
    make_deployment_status,
    make_environment,
    make_label,
    make_pull,
    make_release,
    make_tag,
)

OWNER, R = "acme", "shop"


def _chain(count: int) -> list[dict]:
    """c1 <- c2 <- ... a straight main-branch history, one commit an hour."""
    commits: list[dict] = []
    for n in range(1, count + 1):
        parents = [commits[-1]["sha"]] if commits else []
        commits.append(
            make_commit(
                OWNER, R, message=f"c{n}", authored_at=f"2024-03-01T{n:02d}:00:00Z", parents=parents
            )
        )
    return commits


@pytest.fixture
def shop(github_api):
    commits = _chain(4)
    side = make_commit(OWNER, R, message="side", parents=[commits[1]["sha"]])
    commits.append(side)
    c = [commit["sha"] for commit in commits]
    first = make_deployment(OWNER, R, c[1], id=11, created_at="2024-03-01T03:00:00Z")
    second = make_deployment(OWNER, R, c[3], id=12, created_at="2024-03-01T05:00:00Z")
    staging = make_deployment(
        OWNER, R, c[3], id=13, environment="staging", created_at="2024-03-01T04:30:00Z"
    )
    rollback = make_deployment(OWNER, R, c[1], id=14, created_at="2024-03-01T06:00:00Z")
    statuses = {
        "12": [
            make_deployment_status(second, "in_progress", id=1),
            make_deployment_status(second, "failure", id=2, created_at="2024-03-01T05:10:00Z"),
        ],
        "14": [make_deployment_status(rollback, "success", id=3)],
    }
    pull = make_pull(OWNER, R, 7, merged_at="2024-03-01T04:00:00Z", title='Revert "Add cart"')
    pull["merge_commit_sha"] = c[3]
    github_api.write_repo(
        OWNER,
        R,
        commits=commits,
        deployments=[first, second, staging, rollback],
        deployment_statuses=statuses,
        pulls=[pull],
        releases=[
            make_release(OWNER, R, "v1", id=1, created_at="2024-03-01T03:00:00Z"),
            make_release(
                OWNER, R, "v2-rc", id=2, created_at="2024-03-01T04:00:00Z", prerelease=True
            ),
            make_release(OWNER, R, "v2", id=3, created_at="2024-03-01T05:00:00Z", draft=True),
        ],
    )
    return github_api, c


def _repo(api):
    return Github(base_url=api.url, per_page=2).get_repo(f"{OWNER}/{R}")


def test_deployments_newest_first_filtered_by_environment_and_sha(shop):
    api, c = shop
    repo = _repo(api)
    assert [d.id for d in repo.get_deployments()] == [14, 12, 13, 11]
    assert [d.id for d in repo.get_deployments(environment="production")] == [14, 12, 11]
    assert [d.id for d in repo.get_deployments(sha=c[3])] == [12, 13]
    assert [d.id for d in repo.get_deployments(sha=c[3], environment="staging")] == [13]
    assert list(repo.get_deployments(environment="Production")) == []  # exact, like GitHub


def test_deployments_page_with_link_headers(shop):
    api, _ = shop
    answer = httpx.get(f"{api.url}/repos/{OWNER}/{R}/deployments?per_page=3")
    assert len(answer.json()) == 3
    assert 'rel="next"' in answer.headers["Link"]
    last = httpx.get(f"{api.url}/repos/{OWNER}/{R}/deployments?per_page=3&page=2")
    assert [d["id"] for d in last.json()] == [11]
    assert 'rel="next"' not in last.headers["Link"]


def test_one_deployment_and_its_statuses_newest_first(shop):
    api, _ = shop
    deployment = _repo(api).get_deployment(12)
    assert (deployment.environment, deployment.ref) == ("production", "main")
    assert [s.state for s in deployment.get_statuses()] == ["failure", "in_progress"]
    with pytest.raises(GithubException) as missing:
        _repo(api).get_deployment(99)
    assert missing.value.status == 404


def test_releases_and_latest_skips_drafts_and_prereleases(shop):
    api, _ = shop
    repo = _repo(api)
    assert [r.tag_name for r in repo.get_releases()] == ["v2", "v2-rc", "v1"]
    assert repo.get_latest_release().tag_name == "v1"


def test_compare_lists_commits_between_oldest_first(shop):
    api, c = shop
    repo = _repo(api)
    ahead = repo.compare(c[1], c[3])
    assert (ahead.status, ahead.ahead_by, ahead.behind_by) == ("ahead", 2, 0)
    assert [commit.sha for commit in ahead.commits] == [c[2], c[3]]
    assert repo.compare(c[3], c[1]).status == "behind"  # a rollback deploys nothing new
    assert repo.compare(c[3], c[3]).total_commits == 0
    diverged = repo.compare(c[3], c[4])
    assert (diverged.status, diverged.ahead_by, diverged.behind_by) == ("diverged", 1, 2)
    assert diverged.merge_base_commit.sha == c[1]
    assert repo.compare(c[1][:7], c[2]).ahead_by == 1
    with pytest.raises(GithubException) as missing:
        repo.compare(c[1], "f" * 40)
    assert missing.value.status == 404


def test_commit_pulls_finds_the_pr_merged_as_the_commit(shop):
    api, c = shop
    gh = Github(base_url=api.url, lazy=True)
    pulls = gh.get_repo(f"{OWNER}/{R}").get_commit(c[3]).get_pulls()
    assert [(p.number, p.title) for p in pulls] == [(7, 'Revert "Add cart"')]
    assert list(gh.get_repo(f"{OWNER}/{R}").get_commit(c[0]).get_pulls()) == []
    unknown = httpx.get(f"{api.url}/repos/{OWNER}/{R}/commits/{'e' * 40}/pulls")
    assert unknown.status_code == 422


def test_issues_filtered_by_every_label_case_insensitive(shop):
    api, _ = shop
    repo = _repo(api)
    api.write_repo(OWNER, R, issues=[_incident(8, ["Incident", "p1"]), _incident(9, ["p1"])])
    assert [i.number for i in repo.get_issues(labels=["incident"])] == [8]
    assert [i.number for i in repo.get_issues(labels=["incident", "p1"])] == [8]
    assert sorted(i.number for i in repo.get_issues(labels=["p1"])) == [8, 9]


def _incident(number: int, labels: list[str]) -> dict:
    issue = make_pull(OWNER, R, number, created_at="2024-03-01T05:20:00Z")
    shaped = issue_from_pull(issue)
    shaped.pop("pull_request", None)
    shaped["labels"] = [make_label(OWNER, R, name) for name in labels]
    return shaped


def test_tags_and_environments(shop):
    api, c = shop
    api.write_repo(
        OWNER,
        R,
        tags=[make_tag(OWNER, R, "v2", c[3]), make_tag(OWNER, R, "v1", c[1])],
        environments=[
            make_environment(OWNER, R, "production"),
            make_environment(OWNER, R, "staging"),
        ],
    )
    repo = _repo(api)
    assert [(t.name, t.commit.sha) for t in repo.get_tags()] == [("v2", c[3]), ("v1", c[1])]
    assert [e.name for e in repo.get_environments()] == ["production", "staging"]


SERVED = [
    f"/repos/{OWNER}/{R}/tags",
    f"/repos/{OWNER}/{R}/environments",
    f"/repos/{OWNER}/{R}/deployments",
    f"/repos/{OWNER}/{R}/deployments/12",
    f"/repos/{OWNER}/{R}/deployments/12/statuses",
    f"/repos/{OWNER}/{R}/releases",
    f"/repos/{OWNER}/{R}/releases/latest",
    f"/repos/{OWNER}/{R}/issues?labels=incident&state=all",
    f"/repos/{OWNER}/{R}/issues/8",
    "COMPARE",
    "PULLS",
]


@pytest.mark.parametrize("path", SERVED)
def test_served_body_validates_against_githubs_schema(shop, path):
    api, c = shop
    path = {"COMPARE": f"/repos/{OWNER}/{R}/compare/{c[1]}...{c[3]}"}.get(path, path)
    path = {"PULLS": f"/repos/{OWNER}/{R}/commits/{c[3]}/pulls"}.get(path, path)
    api.write_repo(
        OWNER,
        R,
        tags=[make_tag(OWNER, R, "v1", c[1])],
        environments=[make_environment(OWNER, R, "production")],
        issues=[_incident(8, ["incident"])],
    )
    body = httpx.get(f"{api.url}{path}").json()
    assert body
    assert openapi.errors(openapi.template_for(path.partition("?")[0]), body) == []


@pytest.mark.parametrize(
    ("template", "built"),
    [
        ("/repos/{owner}/{repo}/deployments", make_deployment(OWNER, R, "a" * 40)),
        (
            "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
            make_deployment_status(make_deployment(OWNER, R, "a" * 40)),
        ),
        ("/repos/{owner}/{repo}/releases", make_release(OWNER, R, "v1")),
        ("/repos/{owner}/{repo}/tags", make_tag(OWNER, R, "v1", "a" * 40)),
    ],
    ids=["deployment", "deployment_status", "release", "tag"],
)
def test_builders_have_githubs_example_keys(template, built):
    assert set(openapi.example(template)[0]) == set(built)
    assert openapi.errors(template, [built]) == []


def test_environment_builder_has_githubs_example_keys():
    template = "/repos/{owner}/{repo}/environments"
    built = make_environment(OWNER, R, "production")
    assert set(openapi.example(template)["environments"][0]) == set(built)
    assert openapi.errors(template, {"total_count": 1, "environments": [built]}) == []


def test_issue_builder_has_githubs_example_keys():
    """Every key of GitHub's example issue but `pull_request` (the example is a PR; an incident
    issue is not), and the stand-in's extra keys are ones GitHub's schema describes."""
    template = "/repos/{owner}/{repo}/issues"
    built = _incident(8, ["incident"])
    assert set(openapi.example(template)[0]) - set(built) == {"pull_request"}
    assert openapi.errors(template, [built]) == []
    described = openapi.validator(template).schema["items"]["properties"]
    assert set(built) <= set(described)
