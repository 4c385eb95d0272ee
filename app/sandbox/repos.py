"""Repository endpoints: one repository, an organisation's or user's repositories."""

from __future__ import annotations

from app.sandbox.routing import Request, Response, Router, not_found, paginate, query_choice

REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def add_routes(router: Router) -> None:
    router.get(REPO, get_repository)
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
