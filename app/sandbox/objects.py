"""Builders for GitHub REST objects with GitHub's full key sets (from its OpenAPI examples).

Scenario authors (tests, the demo generator) build realistic folders quickly with these; a test
checks every builder's output against GitHub's OpenAPI schema and example key set.
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
    """A deterministic positive id, so rebuilt scenarios keep their ids."""
    return zlib.crc32("/".join(map(str, parts)).encode()) or 1


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def fake_sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


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


def _branch_repo(repository: dict[str, Any]) -> dict[str, Any]:
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


def make_pull(
    owner: str,
    repo: str,
    number: int,
    *,
    author: str | dict[str, Any] = "octocat",
    title: str | None = None,
    state: str = "open",
    draft: bool = False,
    created_at: str = EPOCH,
    updated_at: str | None = None,
    closed_at: str | None = None,
    merged_at: str | None = None,
    merged_by: str | dict[str, Any] | None = None,
    head_ref: str | None = None,
    head_sha: str | None = None,
    base_ref: str = "main",
    labels: list[str] = (),  # type: ignore[assignment]
    requested_reviewers: list[str | dict[str, Any]] = (),  # type: ignore[assignment]
    additions: int = 10,
    deletions: int = 2,
    changed_files: int = 1,
    commits: int = 1,
    comments: int = 0,
    review_comments: int = 0,
    repository: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A pull request as `GET /repos/{o}/{r}/pulls/{n}` returns it.

    A merged PR gets state "closed", `closed_at` = `merged_at` and `merged: true`, as on GitHub.
    """
    user = author if isinstance(author, dict) else make_user(author)
    if merged_at:
        state = "closed"
        closed_at = closed_at or merged_at
    merger = merged_by if isinstance(merged_by, dict) or merged_by is None else make_user(merged_by)
    if merged_at and merger is None:
        merger = user
    repository = repository or make_repository(owner, repo)
    head_ref = head_ref or f"feature-{number}"
    head_sha = head_sha or fake_sha(owner, repo, number, "head")
    base_sha = fake_sha(owner, repo, number, "base")
    pull_id = stable_id("pull", owner, repo, number)
    url = f"{API}/repos/{owner}/{repo}/pulls/{number}"
    issue_url = f"{API}/repos/{owner}/{repo}/issues/{number}"
    html_url = f"{WEB}/{owner}/{repo}/pull/{number}"
    statuses_url = f"{API}/repos/{owner}/{repo}/statuses/{head_sha}"
    branch_repo = _branch_repo(repository)
    reviewers = [r if isinstance(r, dict) else make_user(r) for r in requested_reviewers]
    body: dict[str, Any] = {
        "url": url,
        "id": pull_id,
        "node_id": node_id("PullRequest", pull_id),
        "html_url": html_url,
        "diff_url": f"{html_url}.diff",
        "patch_url": f"{html_url}.patch",
        "issue_url": issue_url,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{API}/repos/{owner}/{repo}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": statuses_url,
        "number": number,
        "state": state,
        "locked": False,
        "title": title or f"Change {number}",
        "user": user,
        "body": None,
        "labels": [make_label(owner, repo, name) for name in labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": created_at,
        "updated_at": updated_at or merged_at or closed_at or created_at,
        "closed_at": closed_at,
        "merged_at": merged_at,
        "merge_commit_sha": fake_sha(owner, repo, number, "merge") if merged_at else None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": reviewers,
        "requested_teams": [],
        "head": {
            "label": f"{owner}:{head_ref}",
            "ref": head_ref,
            "sha": head_sha,
            "user": repository["owner"],
            "repo": branch_repo,
        },
        "base": {
            "label": f"{owner}:{base_ref}",
            "ref": base_ref,
            "sha": base_sha,
            "user": repository["owner"],
            "repo": branch_repo,
        },
        "_links": {
            "self": {"href": url},
            "html": {"href": html_url},
            "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{API}/repos/{owner}/{repo}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": statuses_url},
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "draft": draft,
        "merged": bool(merged_at),
        "mergeable": None if state == "closed" else True,
        "rebaseable": None if state == "closed" else True,
        "mergeable_state": "unknown" if state == "closed" else "clean",
        "merged_by": merger,
        "comments": comments,
        "review_comments": review_comments,
        "maintainer_can_modify": False,
        "commits": commits,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed_files,
    }
    body.update(overrides)
    return body


def make_review(
    owner: str,
    repo: str,
    number: int,
    *,
    reviewer: str | dict[str, Any] = "hubot",
    state: str = "APPROVED",
    submitted_at: str | None = EPOCH,
    commit_id: str | None = None,
    body: str = "",
    id: int | None = None,
    author_association: str = "MEMBER",
) -> dict[str, Any]:
    """A review as `GET .../pulls/{n}/reviews` returns it.

    state: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, or PENDING (no submitted_at).
    """
    user = reviewer if isinstance(reviewer, dict) else make_user(reviewer)
    review_id = (
        id
        if id is not None
        else stable_id("review", owner, repo, number, user["login"], submitted_at, state)
    )
    html_url = f"{WEB}/{owner}/{repo}/pull/{number}#pullrequestreview-{review_id}"
    pull_url = f"{API}/repos/{owner}/{repo}/pulls/{number}"
    review: dict[str, Any] = {
        "id": review_id,
        "node_id": node_id("PullRequestReview", review_id),
        "user": user,
        "body": body,
        "state": state,
        "html_url": html_url,
        "pull_request_url": pull_url,
        "author_association": author_association,
        "_links": {"html": {"href": html_url}, "pull_request": {"href": pull_url}},
        "commit_id": commit_id or fake_sha(owner, repo, number, "head"),
    }
    if state != "PENDING":
        review["submitted_at"] = submitted_at
    return review


def make_review_comment(
    owner: str,
    repo: str,
    number: int,
    *,
    author: str | dict[str, Any] = "hubot",
    review_id: int | None = None,
    created_at: str = EPOCH,
    updated_at: str | None = None,
    body: str = "Looks good",
    path: str = "README.md",
    line: int = 1,
    in_reply_to_id: int | None = None,
    id: int | None = None,
) -> dict[str, Any]:
    """A review (diff) comment as `GET .../pulls/{n}/comments` returns it."""
    user = author if isinstance(author, dict) else make_user(author)
    comment_id = (
        id
        if id is not None
        else stable_id("comment", owner, repo, number, created_at, user["login"], body)
    )
    url = f"{API}/repos/{owner}/{repo}/pulls/comments/{comment_id}"
    html_url = f"{WEB}/{owner}/{repo}/pull/{number}#discussion_r{comment_id}"
    pull_url = f"{API}/repos/{owner}/{repo}/pulls/{number}"
    sha = fake_sha(owner, repo, number, "head")
    comment: dict[str, Any] = {
        "url": url,
        "pull_request_review_id": review_id,
        "id": comment_id,
        "node_id": node_id("PullRequestReviewComment", comment_id),
        "diff_hunk": "@@ -1,1 +1,1 @@",
        "path": path,
        "position": line,
        "original_position": line,
        "commit_id": sha,
        "original_commit_id": sha,
        "user": user,
        "body": body,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "html_url": html_url,
        "pull_request_url": pull_url,
        "author_association": "MEMBER",
        "_links": {
            "self": {"href": url},
            "html": {"href": html_url},
            "pull_request": {"href": pull_url},
        },
        "reactions": {
            "url": f"{url}/reactions",
            "total_count": 0,
            "+1": 0,
            "-1": 0,
            "laugh": 0,
            "hooray": 0,
            "confused": 0,
            "heart": 0,
            "rocket": 0,
            "eyes": 0,
        },
        "start_line": None,
        "original_start_line": None,
        "start_side": None,
        "line": line,
        "original_line": line,
        "side": "RIGHT",
        "subject_type": "line",
    }
    if in_reply_to_id is not None:
        comment["in_reply_to_id"] = in_reply_to_id
    return comment


def make_commit(
    owner: str,
    repo: str,
    *,
    sha: str | None = None,
    author: str | dict[str, Any] | None = "octocat",
    name: str | None = None,
    email: str | None = None,
    authored_at: str = EPOCH,
    committed_at: str | None = None,
    message: str = "Change things",
    parents: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """A commit as `GET .../pulls/{n}/commits` returns it. author=None: an unknown email."""
    user = author if isinstance(author, dict) or author is None else make_user(author)
    login = user["login"] if user else "someone"
    sha = sha or fake_sha(owner, repo, message, authored_at, login)
    url = f"{API}/repos/{owner}/{repo}/commits/{sha}"
    person = {"name": name or login, "email": email or f"{login}@users.noreply.github.com"}
    return {
        "url": url,
        "sha": sha,
        "node_id": node_id("Commit", stable_id(sha)),
        "html_url": f"{WEB}/{owner}/{repo}/commit/{sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{API}/repos/{owner}/{repo}/git/commits/{sha}",
            "author": {**person, "date": authored_at},
            "committer": {**person, "date": committed_at or authored_at},
            "message": message,
            "tree": {
                "url": f"{API}/repos/{owner}/{repo}/git/trees/{fake_sha(sha, 'tree')}",
                "sha": fake_sha(sha, "tree"),
            },
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "author": user,
        "committer": user,
        "parents": [
            {
                "url": f"{API}/repos/{owner}/{repo}/commits/{p}",
                "html_url": f"{WEB}/{owner}/{repo}/commit/{p}",
                "sha": p,
            }
            for p in parents
        ],
    }


def make_timeline_event(
    owner: str,
    repo: str,
    number: int,
    event: str,
    *,
    actor: str | dict[str, Any] = "octocat",
    created_at: str = EPOCH,
    id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An issue event in a PR's timeline: ready_for_review, convert_to_draft, reopened,
    closed, merged, review_requested (pass requested_reviewer=make_user(...)),
    head_ref_force_pushed, review_dismissed (pass dismissed_review={...}), labeled ...
    """
    user = actor if isinstance(actor, dict) else make_user(actor)
    event_id = id if id is not None else stable_id("event", owner, repo, number, event, created_at)
    body: dict[str, Any] = {
        "id": event_id,
        "node_id": node_id("Event", event_id),
        "url": f"{API}/repos/{owner}/{repo}/issues/events/{event_id}",
        "actor": user,
        "event": event,
        "commit_id": None,
        "commit_url": None,
        "created_at": created_at,
        "performed_via_github_app": None,
    }
    if event == "review_requested":
        body.setdefault("review_requester", user)
    body.update(extra)
    return body
