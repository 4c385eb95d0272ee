"""The stand-in's core through PyGithub, unchanged, over real HTTP: repository, pulls, paging."""

from __future__ import annotations

import httpx
import pytest
from github import Github, GithubException

from tests.world.github import make_commit, make_pull, make_repository, make_review


def _gh(github_api, per_page: int = 30) -> Github:
    return Github(
        base_url=github_api.url, per_page=per_page, retry=None, seconds_between_requests=None
    )


def test_repository_and_pull_through_pygithub(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 7, additions=42)])
    repo = _gh(github_api).get_repo("acme/app")
    pull = repo.get_pull(7)
    assert (repo.full_name, repo.id) == ("acme/app", make_repository("acme", "app")["id"])
    assert (pull.number, pull.additions, pull.state) == (7, 42, "open")
    assert pull.url == f"{github_api.url}/repos/acme/app/pulls/7"


def test_pagination_follows_link_headers_and_lists_leave_out_detail_fields(github_api):
    pulls = [
        make_pull("acme", "app", n, created_at=f"2024-01-{n:02d}T00:00:00Z") for n in range(1, 26)
    ]
    github_api.write_repo("acme", "app", pulls=pulls)
    github_api.clear_requests()
    seen = list(_gh(github_api, per_page=10).get_repo("acme/app").get_pulls(state="all"))
    assert [p.number for p in seen] == list(range(25, 0, -1))
    list_calls = [r for r in github_api.requests if r.path == "/repos/acme/app/pulls"]
    assert [r.query.get("page", "1") for r in list_calls] == ["1", "2", "3"]
    raw = httpx.get(f"{github_api.url}/repos/acme/app/pulls?per_page=10&page=2&state=all")
    assert "additions" not in raw.json()[0]
    assert raw.headers["Link"] == (
        f'<{github_api.url}/repos/acme/app/pulls?per_page=10&page=1&state=all>; rel="prev", '
        f'<{github_api.url}/repos/acme/app/pulls?per_page=10&page=3&state=all>; rel="next", '
        f'<{github_api.url}/repos/acme/app/pulls?per_page=10&page=3&state=all>; rel="last", '
        f'<{github_api.url}/repos/acme/app/pulls?per_page=10&page=1&state=all>; rel="first"'
    )


def test_unknown_repository_is_githubs_404(github_api):
    with pytest.raises(GithubException) as raised:
        _gh(github_api).get_repo("acme/nope")
    assert raised.value.status == 404
    assert raised.value.data["message"] == "Not Found"
    assert raised.value.data["documentation_url"].startswith("https://docs.github.com/rest")


def test_scenario_files_are_reread_when_they_change(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 1)])
    repo = _gh(github_api).get_repo("acme/app")
    assert [p.number for p in repo.get_pulls()] == [1]
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", n) for n in (1, 2)])
    assert [p.number for p in repo.get_pulls()] == [2, 1]


def test_lazy_user_completion_finds_accounts_in_the_scenario(github_api):
    """PyGithub fetches /users/{login} for profile fields a simple user lacks."""
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 1, author="alice")])
    author = _gh(github_api).get_repo("acme/app").get_pull(1).user
    assert (author.login, author.name, author.public_repos) == ("alice", None, 0)
    assert github_api.requests[-1].path == "/users/alice"
    with pytest.raises(GithubException) as raised:
        _gh(github_api).get_user("nobody")
    assert raised.value.status == 404


def test_renamed_repository_answers_301_and_pygithub_follows_it(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 4)])
    (github_api.scenario_dir / "renames.json").write_text('{"acme/old-app": "acme/app"}')
    repo = _gh(github_api).get_repo("acme/old-app")
    assert repo.full_name == "acme/app"
    assert [r.status for r in github_api.requests[-2:]] == [301, 200]
    moved = httpx.get(f"{github_api.url}/repos/acme/old-app/pulls?state=all")
    assert moved.status_code == 301 and moved.json()["message"] == "Moved Permanently"
    repo_id = make_repository("acme", "app")["id"]
    assert moved.headers["Location"] == f"{github_api.url}/repositories/{repo_id}/pulls?state=all"


def test_per_pull_lists_page_too_and_commits_stop_at_250(github_api):
    reviews = [
        make_review(
            "acme", "app", 1, reviewer=f"r{i}", submitted_at=f"2024-01-01T00:{i % 60:02d}:00Z"
        )
        for i in range(130)
    ]
    commits = [make_commit("acme", "app", message=f"c{i}") for i in range(260)]
    github_api.write_repo(
        "acme",
        "app",
        pulls=[make_pull("acme", "app", 1, commits=260)],
        reviews={"1": reviews},
        pull_commits={"1": commits},
    )
    pull = _gh(github_api, per_page=100).get_repo("acme/app").get_pull(1)
    github_api.clear_requests()
    assert [r.id for r in pull.get_reviews()] == [r["id"] for r in reviews]
    assert [c.sha for c in pull.get_commits()] == [c["sha"] for c in commits[:250]]
    pages = [(r.path.rsplit("/", 1)[1], r.query.get("page", "1")) for r in github_api.requests]
    assert pages == [
        ("reviews", "1"),
        ("reviews", "2"),
        ("commits", "1"),
        ("commits", "2"),
        ("commits", "3"),
    ]
