"""Builders for GitHub's deployment, status, release, tag and environment objects (full keys).

Scenario files: `tags.json` and `environments.json` (lists), `deployments.json` (list),
`deployment_statuses.json` (keyed by deployment id, oldest status first, as they were created),
`releases.json` (list) and `commits.json` (the repository's commits, each with `parents`, which
`compare` and `commits/{sha}/pulls` walk).
"""

from __future__ import annotations

from typing import Any

from app.sandbox.base_objects import API, EPOCH, WEB, make_user, node_id, stable_id


def make_deployment(
    owner: str,
    repo: str,
    sha: str,
    *,
    id: int | None = None,
    environment: str = "production",
    ref: str = "main",
    task: str = "deploy",
    created_at: str = EPOCH,
    creator: str = "octocat",
    description: str | None = None,
) -> dict[str, Any]:
    """A deployment as `GET /repos/{o}/{r}/deployments` lists it."""
    deployment_id = id or stable_id(owner, repo, sha, environment, created_at)
    url = f"{API}/repos/{owner}/{repo}/deployments/{deployment_id}"
    production = environment.lower() in ("production", "prod")
    return {
        "url": url,
        "id": deployment_id,
        "node_id": node_id("Deployment", deployment_id),
        "sha": sha,
        "ref": ref,
        "task": task,
        "payload": {},
        "original_environment": environment,
        "environment": environment,
        "description": description,
        "creator": make_user(creator),
        "created_at": created_at,
        "updated_at": created_at,
        "statuses_url": f"{url}/statuses",
        "repository_url": f"{API}/repos/{owner}/{repo}",
        "transient_environment": False,
        "production_environment": production,
    }


def make_deployment_status(
    deployment: dict[str, Any],
    state: str = "success",
    *,
    id: int | None = None,
    created_at: str | None = None,
    creator: str = "octocat",
    description: str = "",
) -> dict[str, Any]:
    """A status of `deployment` as `GET .../deployments/{id}/statuses` lists it."""
    at = created_at or deployment["created_at"]
    status_id = id or stable_id(deployment["id"], state, at)
    return {
        "url": f"{deployment['url']}/statuses/{status_id}",
        "id": status_id,
        "node_id": node_id("DeploymentStatus", status_id),
        "state": state,
        "creator": make_user(creator),
        "description": description,
        "environment": deployment["environment"],
        "target_url": "",
        "created_at": at,
        "updated_at": at,
        "deployment_url": deployment["url"],
        "repository_url": deployment["repository_url"],
        "environment_url": "",
        "log_url": "",
    }


def make_release(
    owner: str,
    repo: str,
    tag_name: str,
    *,
    id: int | None = None,
    target_commitish: str = "main",
    created_at: str = EPOCH,
    published_at: str | None = EPOCH,
    draft: bool = False,
    prerelease: bool = False,
    author: str = "octocat",
    name: str | None = None,
) -> dict[str, Any]:
    """A release as `GET /repos/{o}/{r}/releases` lists it (a draft has no published_at)."""
    release_id = id or stable_id(owner, repo, "release", tag_name)
    url = f"{API}/repos/{owner}/{repo}/releases/{release_id}"
    return {
        "url": url,
        "html_url": f"{WEB}/{owner}/{repo}/releases/{tag_name}",
        "assets_url": f"{url}/assets",
        "upload_url": f"https://uploads.github.com/repos/{owner}/{repo}/releases/{release_id}"
        "/assets{?name,label}",
        "tarball_url": f"{API}/repos/{owner}/{repo}/tarball/{tag_name}",
        "zipball_url": f"{API}/repos/{owner}/{repo}/zipball/{tag_name}",
        "id": release_id,
        "node_id": node_id("Release", release_id),
        "tag_name": tag_name,
        "target_commitish": target_commitish,
        "name": name or tag_name,
        "body": "",
        "draft": draft,
        "prerelease": prerelease,
        "immutable": False,
        "created_at": created_at,
        "published_at": None if draft else published_at,
        "author": make_user(author),
        "assets": [],
    }


def make_tag(owner: str, repo: str, name: str, sha: str) -> dict[str, Any]:
    """A tag as `GET /repos/{o}/{r}/tags` lists it."""
    return {
        "name": name,
        "commit": {"sha": sha, "url": f"{API}/repos/{owner}/{repo}/commits/{sha}"},
        "zipball_url": f"{WEB}/{owner}/{repo}/zipball/{name}",
        "tarball_url": f"{WEB}/{owner}/{repo}/tarball/{name}",
        "node_id": node_id("Ref", stable_id(owner, repo, "tag", name)),
    }


def make_environment(owner: str, repo: str, name: str, *, at: str = EPOCH) -> dict[str, Any]:
    """An environment as `GET /repos/{o}/{r}/environments` lists it (no protection rules)."""
    environment_id = stable_id(owner, repo, "environment", name)
    return {
        "id": environment_id,
        "node_id": node_id("Environment", environment_id),
        "name": name,
        "url": f"{API}/repos/{owner}/{repo}/environments/{name}",
        "html_url": f"{WEB}/{owner}/{repo}/deployments/activity_log?environments_filter={name}",
        "created_at": at,
        "updated_at": at,
        "protection_rules": [],
        "deployment_branch_policy": None,
    }
