"""Builders for GitHub's pull-request objects, with GitHub's full key sets (OpenAPI examples).

Scenario authors (tests, the demo generator, benchmarks) build realistic folders quickly with
these; a test checks every builder's output against GitHub's OpenAPI schema and example key set.
Account and repository builders live in base_objects.py and are re-exported here.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.base_objects import (
    API,
    EPOCH,
    MINIMAL_REPOSITORY_KEYS,
    WEB,
    branch_repo,
    fake_sha,
    make_label,
    make_minimal_repository,
    make_public_user,
    make_repository,
    make_user,
    no_reactions,
    node_id,
    stable_id,
)

__all__ = [
    "API",
    "EPOCH",
    "MINIMAL_REPOSITORY_KEYS",
    "WEB",
    "fake_sha",
    "make_commit",
    "make_label",
    "make_minimal_repository",
    "make_public_user",
    "make_pull",
    "make_repository",
    "make_review",
    "make_review_comment",
    "make_timeline_event",
    "make_user",
    "node_id",
    "stable_id",
    "timeline_commit",
    "timeline_review",
]


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
    embedded_repo = branch_repo(repository)
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
            "repo": embedded_repo,
        },
        "base": {
            "label": f"{owner}:{base_ref}",
            "ref": base_ref,
            "sha": base_sha,
            "user": repository["owner"],
            "repo": embedded_repo,
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
        "reactions": no_reactions(url),
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
    own_shape = {"committed": "timeline_commit", "reviewed": "timeline_review"}
    if event in own_shape:
        raise ValueError(f"a {event} timeline item has its own shape: use {own_shape[event]}()")
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
    if event in ("review_requested", "review_request_removed"):
        body.setdefault("review_requester", user)
    body.update(extra)
    return body


def timeline_review(review: dict[str, Any]) -> dict[str, Any]:
    """A review as it appears in a PR's timeline: the review object plus `event: reviewed`."""
    return {"event": "reviewed", **review}


def timeline_commit(commit: dict[str, Any]) -> dict[str, Any]:
    """A PR commit (`make_commit`) as it appears in the timeline: the git commit, `committed`."""
    git = commit["commit"]
    return {
        "sha": commit["sha"],
        "node_id": commit["node_id"],
        "url": git["url"],
        "html_url": commit["html_url"],
        "author": git["author"],
        "committer": git["committer"],
        "tree": git["tree"],
        "message": git["message"],
        "parents": [
            {"sha": p["sha"], "url": p["url"], "html_url": p["html_url"]} for p in commit["parents"]
        ],
        "verification": git["verification"],
        "event": "committed",
    }
