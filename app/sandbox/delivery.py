"""Delivery endpoints: deployments and their statuses, releases, compare, a commit's pulls.

Filters and order follow GitHub: deployments newest first, filtered by exact `sha`, `ref`,
`task` and `environment`; statuses newest first; releases newest first; `compare` lists the
commits reachable from head and not from base, oldest first (parents before children).
"""

from __future__ import annotations

from typing import Any

from app.sandbox.pulls import simple_pull
from app.sandbox.repos import REPO
from app.sandbox.routing import (
    HttpError,
    Request,
    Response,
    Router,
    not_found,
    paginate,
    sort_items,
)
from app.sandbox.scenario import RepoData

DOCS = "https://docs.github.com/rest"
DEPLOYMENT = r"(?P<deployment>\d+)"


def add_routes(router: Router) -> None:
    router.get(f"{REPO}/deployments", list_deployments)
    router.get(f"{REPO}/deployments/{DEPLOYMENT}", get_deployment)
    router.get(f"{REPO}/deployments/{DEPLOYMENT}/statuses", list_deployment_statuses)
    router.get(f"{REPO}/deployments/{DEPLOYMENT}/statuses/(?P<status>\\d+)", get_deployment_status)
    router.get(f"{REPO}/environments", list_environments)
    router.get(f"{REPO}/tags", list_tags)
    router.get(f"{REPO}/releases", list_releases)
    router.get(f"{REPO}/releases/latest", get_latest_release)
    router.get(f"{REPO}/releases/(?P<release>\\d+)", get_release)
    router.get(f"{REPO}/compare/(?P<basehead>[^/]+)", compare)
    router.get(f"{REPO}/commits/(?P<sha>[0-9a-fA-F]{{4,40}})/pulls", list_commit_pulls)


def list_deployments(request: Request) -> Response:
    deployments = request.repo_data().list("deployments.json")
    for name in ("sha", "ref", "task", "environment"):
        wanted = request.query.get(name)
        if wanted:
            deployments = [d for d in deployments if d.get(name) == wanted]
    ordered = sort_items(deployments, lambda d: (d.get("created_at", ""), d["id"]), "desc")
    return paginate(request, ordered)


def _deployment(request: Request) -> dict[str, Any]:
    wanted = int(request.params["deployment"])
    for deployment in request.repo_data().list("deployments.json"):
        if deployment.get("id") == wanted:
            return deployment
    raise not_found(f"{DOCS}/deployments/deployments#get-a-deployment")


def get_deployment(request: Request) -> Response:
    return Response(200, _deployment(request))


def list_deployment_statuses(request: Request) -> Response:
    deployment = _deployment(request)
    statuses = request.repo_data().by_key("deployment_statuses.json", deployment["id"])
    ordered = sort_items(statuses, lambda s: (s.get("created_at", ""), s["id"]), "desc")
    return paginate(request, ordered)


def get_deployment_status(request: Request) -> Response:
    statuses = request.repo_data().by_key("deployment_statuses.json", _deployment(request)["id"])
    wanted = int(request.params["status"])
    for status in statuses:
        if status.get("id") == wanted:
            return Response(200, status)
    raise not_found(f"{DOCS}/deployments/statuses#get-a-deployment-status")


def list_environments(request: Request) -> Response:
    return paginate(request, request.repo_data().list("environments.json"), wrap="environments")


def list_tags(request: Request) -> Response:
    """Tags in scenario order (GitHub's order is its own; write them newest first)."""
    return paginate(request, request.repo_data().list("tags.json"))


def _releases(request: Request) -> list[dict[str, Any]]:
    releases = request.repo_data().list("releases.json")
    return sort_items(releases, lambda r: (r.get("created_at", ""), r["id"]), "desc")


def list_releases(request: Request) -> Response:
    return paginate(request, _releases(request))


def get_latest_release(request: Request) -> Response:
    """The newest published release that is neither a draft nor a pre-release."""
    for release in _releases(request):
        if not release.get("draft") and not release.get("prerelease"):
            return Response(200, release)
    raise not_found(f"{DOCS}/releases/releases#get-the-latest-release")


def get_release(request: Request) -> Response:
    wanted = int(request.params["release"])
    for release in _releases(request):
        if release.get("id") == wanted:
            return Response(200, release)
    raise not_found(f"{DOCS}/releases/releases#get-a-release")


def _commits(data: RepoData) -> dict[str, dict[str, Any]]:
    return {c["sha"]: c for c in data.list("commits.json")}


def _resolve(commits: dict[str, dict[str, Any]], ref: str) -> dict[str, Any] | None:
    """A commit by full SHA or by an unambiguous prefix of at least 4 characters."""
    if ref in commits:
        return commits[ref]
    found = [c for sha, c in commits.items() if len(ref) >= 4 and sha.startswith(ref)]
    return found[0] if len(found) == 1 else None


def _ancestors(commits: dict[str, dict[str, Any]], sha: str) -> list[str]:
    """`sha` and every commit reachable through parents, parents before children."""
    seen: set[str] = set()
    order: list[str] = []
    stack: list[tuple[str, bool]] = [(sha, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            order.append(current)
            continue
        if current in seen or current not in commits:
            continue
        seen.add(current)
        stack.append((current, True))
        for parent in reversed(commits[current].get("parents", [])):
            stack.append((parent["sha"], False))
    return order


def compare(request: Request) -> Response:
    """`base...head`: commits in head and not in base, with GitHub's status and counts."""
    data = request.repo_data()
    base_ref, sep, head_ref = request.params["basehead"].partition("...")
    commits = _commits(data)
    base = _resolve(commits, base_ref) if sep else None
    head = _resolve(commits, head_ref) if sep else None
    if base is None or head is None:
        raise not_found(f"{DOCS}/commits/commits#compare-two-commits")
    base_side = _ancestors(commits, base["sha"])
    head_side = _ancestors(commits, head["sha"])
    in_base, in_head = set(base_side), set(head_side)
    ahead = [commits[sha] for sha in head_side if sha not in in_base]
    behind = [sha for sha in base_side if sha not in in_head]
    merge_base = next((commits[sha] for sha in reversed(head_side) if sha in in_base), base)
    status = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    page = paginate(request, ahead, max_items=None if "page" in request.query else 250)
    repo = data.repository()
    web = f"{repo.get('html_url', '')}/compare/{request.params['basehead']}"
    body = {
        "url": request.url(),
        "html_url": web,
        "permalink_url": web,
        "diff_url": f"{web}.diff",
        "patch_url": f"{web}.patch",
        "base_commit": base,
        "merge_base_commit": merge_base,
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        "commits": page.body,
        "files": [],
    }
    return Response(200, body, page.headers)


def list_commit_pulls(request: Request) -> Response:
    """PRs the commit belongs to: merged as it, headed by it, or carrying it among its commits."""
    data = request.repo_data()
    sha = request.params["sha"].lower()
    known = _resolve(_commits(data), sha)
    full = known["sha"] if known else sha
    commit_lists = data.mapping("pull_commits.json")
    pulls = [
        pull
        for pull in data.list("pulls.json")
        if full
        in (
            pull.get("merge_commit_sha"),
            (pull.get("head") or {}).get("sha"),
            *(c.get("sha") for c in commit_lists.get(str(pull.get("number")), [])),
        )
    ]
    if not pulls and known is None:
        raise HttpError(
            422, f"No commit found for SHA: {sha}", f"{DOCS}/commits/commits#list-pull-requests"
        )
    ordered = sort_items(pulls, lambda p: p.get("number", 0), "desc")
    return paginate(request, ordered, transform=simple_pull)
