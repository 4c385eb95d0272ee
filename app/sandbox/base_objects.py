"""Builders for GitHub's account, repository and label objects, with GitHub's full key sets.

Shared by the pull-request builders (objects.py), the Actions builders (actions_objects.py) and
the demo generator; a test checks each against GitHub's OpenAPI schema and example key set.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any

API = "https://api.github.com"
WEB = "https://github.com"
EPOCH = "2024-01-01T00:00:00Z"


def stable_id(*parts: object) -> int:
    """A deterministic positive id, so rebuilt scenarios keep their ids.

    31 bits, so it also fits GraphQL's Int (`databaseId`), as GitHub's ids did for years.
    """
    return (zlib.crc32("/".join(map(str, parts)).encode()) & 0x7FFFFFFF) or 1


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def fake_sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def no_reactions(url: str) -> dict[str, Any]:
    """The `reactions` summary of an object nobody reacted to."""
    counts = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
    return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(counts, 0)}


def make_user(login: str, type: str = "User", *, id: int | None = None) -> dict[str, Any]:
    """A "simple user" (author, reviewer, actor). type: User, Bot or Organization."""
    user_id = id if id is not None else stable_id("user", login)
    url = f"{API}/users/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": node_id("User" if type != "Bot" else "Bot", user_id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/apps/{login.removesuffix('[bot]')}"
        if type == "Bot"
        else f"{WEB}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": type,
        "site_admin": False,
    }


def make_public_user(user: dict[str, Any] | str, **profile: Any) -> dict[str, Any]:
    """A user as `GET /users/{login}` returns it: the simple user plus the public profile."""
    simple = make_user(user) if isinstance(user, str) else user
    return {
        **simple,
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": EPOCH,
        "updated_at": EPOCH,
        **profile,
    }


_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
    "hooks_url": "/hooks",
}


def make_repository(
    owner: str,
    name: str,
    *,
    id: int | None = None,
    owner_type: str = "Organization",
    default_branch: str = "main",
    private: bool = False,
    created_at: str = EPOCH,
    **overrides: Any,
) -> dict[str, Any]:
    """A full repository as `GET /repos/{owner}/{repo}` returns it."""
    repo_id = id if id is not None else stable_id("repo", owner, name)
    full = f"{owner}/{name}"
    url = f"{API}/repos/{full}"
    body: dict[str, Any] = {
        "id": repo_id,
        "node_id": node_id("Repository", repo_id),
        "name": name,
        "full_name": full,
        "owner": make_user(owner, owner_type),
        "private": private,
        "html_url": f"{WEB}/{full}",
        "description": None,
        "fork": False,
        "url": url,
    }
    body.update({key: url + suffix for key, suffix in _REPO_URLS.items() if key != "hooks_url"})
    body.update(
        {
            "git_url": f"git://github.com/{full}.git",
            "ssh_url": f"git@github.com:{full}.git",
            "clone_url": f"{WEB}/{full}.git",
            "mirror_url": None,
            "hooks_url": f"{url}/hooks",
            "svn_url": f"{WEB}/{full}",
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 0,
            "default_branch": default_branch,
            "open_issues_count": 0,
            "open_issues": 0,
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if private else "public",
            "pushed_at": created_at,
            "created_at": created_at,
            "updated_at": created_at,
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": False,
                "triage": False,
                "pull": True,
            },
            "allow_rebase_merge": True,
            "temp_clone_token": "",
            "allow_squash_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "allow_merge_commit": True,
            "allow_forking": True,
            "license": None,
            "subscribers_count": 0,
            "network_count": 0,
        }
    )
    if owner_type == "Organization":
        body["organization"] = make_user(owner, "Organization")
    body.update(overrides)
    return body


# Keys of GitHub's "minimal repository", the form embedded in workflow runs and check suites.
MINIMAL_REPOSITORY_KEYS = (
    "id",
    "node_id",
    "name",
    "full_name",
    "owner",
    "private",
    "html_url",
    "description",
    "fork",
    "url",
    *sorted(key for key in _REPO_URLS if key != "hooks_url"),
    "git_url",
    "hooks_url",
    "ssh_url",
)


def make_minimal_repository(owner: str, name: str, **overrides: Any) -> dict[str, Any]:
    """A repository as embedded in a workflow run (`repository`, `head_repository`)."""
    full = make_repository(owner, name, **overrides)
    return {key: full[key] for key in MINIMAL_REPOSITORY_KEYS}


def branch_repo(repository: dict[str, Any]) -> dict[str, Any]:
    """The repository as embedded in a PR's head/base (no counts GitHub leaves out there)."""
    skip = ("organization", "network_count", "subscribers_count", "permissions")
    return {key: value for key, value in repository.items() if key not in skip}


def make_label(
    owner: str, repo: str, name: str, color: str = "ededed", description: str = ""
) -> dict[str, Any]:
    label_id = stable_id("label", owner, repo, name)
    return {
        "id": label_id,
        "node_id": node_id("Label", label_id),
        "url": f"{API}/repos/{owner}/{repo}/labels/{name}",
        "name": name,
        "description": description,
        "color": color,
        "default": False,
    }
