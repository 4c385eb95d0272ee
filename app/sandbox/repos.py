"""Repository endpoints: one repository, an organisation's or user's repositories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.sandbox.base_objects import make_public_user
from app.sandbox.routing import Request, Response, Router, not_found, paginate, query_choice
from app.sandbox.scenario import RepoData

# Where scenario objects carry accounts (GitHub's key names).
USER_KEYS = (
    "user",
    "owner",
    "actor",
    "author",
    "committer",
    "merged_by",
    "requested_reviewer",
    "assignee",
    "triggering_actor",
)

REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def add_routes(router: Router) -> None:
    router.get(REPO, get_repository)
    router.get(r"/users/(?P<login>[^/]+)", get_user)
    router.get(r"/orgs/(?P<owner>[^/]+)/repos", list_owner_repos)
    router.get(r"/users/(?P<owner>[^/]+)/repos", list_owner_repos)


def get_repository(request: Request) -> Response:
    repository = request.repo_data().repository()
    if not repository:
        raise not_found("https://docs.github.com/rest/repos/repos#get-a-repository")
    return Response(200, repository)


def list_owner_repos(request: Request) -> Response:
    """Repositories of the owner folder, sorted like GitHub's default (full_name asc)."""
    query_choice(
        request, "type", ("all", "public", "private", "forks", "sources", "member", "owner"), "all"
    )
    repos = [data.repository() for data in request.scenario.owner_repos(request.params["owner"])]
    repos = [repo for repo in repos if repo]
    if not repos:
        raise not_found("https://docs.github.com/rest/repos/repos#list-organization-repositories")
    repos.sort(key=lambda repo: str(repo.get("full_name", "")).lower())
    return paginate(request, repos)


def get_user(request: Request) -> Response:
    """A user from `users.json` of an organisation's folder or any repository, else built from
    where the login appears."""
    login = request.params["login"].lower()
    for data in [*request.scenario.owner_folders(), *request.scenario.all_repos()]:
        for user in data.list("users.json"):
            if str(user.get("login", "")).lower() == login:
                return Response(200, user)
    for data in request.scenario.all_repos():
        for user in _accounts(data):
            if str(user.get("login", "")).lower() == login:
                return Response(200, make_public_user(user))
    raise not_found("https://docs.github.com/rest/users/users#get-a-user")


def _accounts(data: RepoData) -> Iterator[dict[str, Any]]:
    yield from _walk(data.repository())
    for name in ("pulls.json", "runs.json"):
        yield from _walk(data.list(name))
    for name in ("reviews.json", "review_comments.json", "pull_commits.json", "timelines.json"):
        yield from _walk(list(data.mapping(name).values()))


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every account object nested anywhere in `node` (simple users have login + type)."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in USER_KEYS and isinstance(value, dict) and "login" in value:
                yield value
            elif isinstance(value, dict | list):
                yield from _walk(value)
