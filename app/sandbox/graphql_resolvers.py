"""GraphQL resolvers: GitHub's GraphQL objects built from the scenario's REST objects.

Values are plain dicts whose callables graphql-core's default resolver calls with the field's
arguments; abstract types (Actor, timeline items) carry `__typename`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError

from app.sandbox.graphql_connections import connection, lazy_connection
from app.sandbox.graphql_cost import QueryCost
from app.sandbox.graphql_delivery import deployments
from app.sandbox.routing import Request
from app.sandbox.scenario import RepoData

# REST timeline event name -> GraphQL timeline item type.
TIMELINE_TYPES = {
    "ready_for_review": "ReadyForReviewEvent",
    "convert_to_draft": "ConvertToDraftEvent",
    "reopened": "ReopenedEvent",
    "closed": "ClosedEvent",
    "merged": "MergedEvent",
    "head_ref_force_pushed": "HeadRefForcePushedEvent",
    "review_requested": "ReviewRequestedEvent",
    "review_request_removed": "ReviewRequestRemovedEvent",
    "review_dismissed": "ReviewDismissedEvent",
    "labeled": "LabeledEvent",
    "unlabeled": "UnlabeledEvent",
    "assigned": "AssignedEvent",
}


# -- objects -------------------------------------------------------------------------------


def actor(user: dict[str, Any] | None) -> dict[str, Any] | None:
    """A REST user as a GraphQL Actor (bots lose their "[bot]" suffix, as on GitHub)."""
    if not user:
        return None
    kind = user.get("type") or "User"
    typename = kind if kind in ("User", "Bot", "Organization", "Mannequin") else "User"
    login = user.get("login", "")
    return {
        "__typename": typename,
        "id": user.get("node_id"),
        "databaseId": user.get("id"),
        "login": login.removesuffix("[bot]") if typename == "Bot" else login,
        "url": user.get("html_url"),
        "resourcePath": "/" + login,
        "avatarUrl": lambda _info, **_args: user.get("avatar_url"),
        "name": None,
        "email": "",
    }


def _review_comment(comment: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "PullRequestReviewComment",
        "id": comment.get("node_id"),
        "databaseId": comment.get("id"),
        "author": actor(comment.get("user")),
        "path": comment.get("path"),
        "body": comment.get("body") or "",
        "createdAt": comment.get("created_at"),
        "updatedAt": comment.get("updated_at"),
        "url": comment.get("html_url"),
    }


def _review(review: dict[str, Any], comments: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A review; `comments` are the PR's review comments, of which it owns those pointing at it."""
    own = [c for c in comments if c.get("pull_request_review_id") == review.get("id")]
    return {
        "__typename": "PullRequestReview",
        "id": review.get("node_id"),
        "databaseId": review.get("id"),
        "author": actor(review.get("user")),
        "authorAssociation": review.get("author_association", "NONE"),
        "state": review.get("state"),
        "body": review.get("body") or "",
        "submittedAt": review.get("submitted_at"),
        "createdAt": review.get("submitted_at"),
        "publishedAt": review.get("submitted_at"),
        "url": review.get("html_url"),
        "commit": {"oid": review.get("commit_id")} if review.get("commit_id") else None,
        "comments": lazy_connection("comments", lambda: [_review_comment(c) for c in own]),
    }


def _commit(item: dict[str, Any]) -> dict[str, Any]:
    commit = item.get("commit") or {}

    def signature(role: str) -> dict[str, Any]:
        person = commit.get(role) or {}
        return {
            "name": person.get("name"),
            "email": person.get("email"),
            "date": person.get("date"),
            "user": actor(item.get(role)),
        }

    return {
        "__typename": "PullRequestCommit",
        "id": item.get("node_id"),
        "url": item.get("html_url"),
        "commit": {
            "__typename": "Commit",
            "oid": item.get("sha"),
            "message": commit.get("message"),
            "authoredDate": (commit.get("author") or {}).get("date"),
            "committedDate": (commit.get("committer") or {}).get("date"),
            "author": signature("author"),
            "committer": signature("committer"),
        },
    }


def _timeline_commit(item: dict[str, Any]) -> dict[str, Any]:
    """A `committed` timeline item (git commit shape) as a PullRequestCommit."""
    as_pull_commit = {
        "sha": item.get("sha"),
        "node_id": item.get("node_id"),
        "html_url": item.get("html_url"),
        "commit": {k: item.get(k) for k in ("author", "committer", "message")},
    }
    return {**_commit(as_pull_commit), "createdAt": (item.get("committer") or {}).get("date")}


def _timeline_item(event: dict[str, Any]) -> dict[str, Any] | None:
    if event.get("event") == "reviewed":
        return _review(event)
    if event.get("event") == "committed":
        return _timeline_commit(event)
    typename = TIMELINE_TYPES.get(event.get("event", ""))
    if typename is None:
        return None
    item = {
        "__typename": typename,
        "id": event.get("node_id"),
        "createdAt": event.get("created_at"),
        "actor": actor(event.get("actor")),
    }
    if "requested_reviewer" in event:
        item["requestedReviewer"] = actor(event["requested_reviewer"])
    if "label" in event:
        item["label"] = {"name": event["label"].get("name"), "color": event["label"].get("color")}
    return item


def _item_type(typename: str) -> str:
    """ReadyForReviewEvent -> READY_FOR_REVIEW_EVENT (PullRequestTimelineItemsItemType)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", typename).upper()


def _timeline(data: RepoData, number: int) -> Callable[..., dict[str, Any]]:
    def resolve(_info: Any, itemTypes: list[str] | None = None, since: Any = None, **args: Any):
        items = [i for e in data.by_key("timelines.json", number) if (i := _timeline_item(e))]
        if itemTypes:
            items = [i for i in items if _item_type(i["__typename"]) in itemTypes]
        if since:
            items = [i for i in items if str(i["createdAt"]) >= str(since).replace("+00:00", "Z")]
        return connection("timelineItems", items, **args)

    return resolve


def pull_request(data: RepoData, pull: dict[str, Any]) -> dict[str, Any]:
    number = pull["number"]
    state = "MERGED" if pull.get("merged_at") else str(pull.get("state", "open")).upper()

    def reviews(
        _info: Any, states: list[str] | None = None, author: str | None = None, **args: Any
    ):
        comments = data.by_key("review_comments.json", number)
        items = [_review(r, comments) for r in data.by_key("reviews.json", number)]
        if states:
            items = [r for r in items if r["state"] in states]
        if author:
            items = [r for r in items if r["author"] and r["author"]["login"] == author]
        return connection("reviews", items, **args)

    requests = [
        {"__typename": "ReviewRequest", "requestedReviewer": actor(u), "asCodeOwner": False}
        for u in pull.get("requested_reviewers") or []
    ] + [
        {
            "__typename": "ReviewRequest",
            "asCodeOwner": False,
            "requestedReviewer": {
                "__typename": "Team",
                "slug": t.get("slug"),
                "name": t.get("name"),
                "id": t.get("node_id"),
            },
        }
        for t in pull.get("requested_teams") or []
    ]
    labels = [
        {
            "__typename": "Label",
            "id": lb.get("node_id"),
            "name": lb.get("name"),
            "color": lb.get("color"),
        }
        for lb in pull.get("labels") or []
    ]
    return {
        "__typename": "PullRequest",
        "id": pull.get("node_id"),
        "databaseId": pull.get("id"),
        "number": number,
        "title": pull.get("title"),
        "body": pull.get("body") or "",
        "url": pull.get("html_url"),
        "state": state,
        "isDraft": bool(pull.get("draft")),
        "locked": bool(pull.get("locked")),
        "closed": state != "OPEN",
        "merged": state == "MERGED",
        "createdAt": pull.get("created_at"),
        "updatedAt": pull.get("updated_at"),
        "closedAt": pull.get("closed_at"),
        "mergedAt": pull.get("merged_at"),
        "additions": pull.get("additions", 0),
        "deletions": pull.get("deletions", 0),
        "changedFiles": pull.get("changed_files", 0),
        "author": actor(pull.get("user")),
        "authorAssociation": pull.get("author_association", "NONE"),
        "mergedBy": actor(pull.get("merged_by")),
        "headRefName": (pull.get("head") or {}).get("ref"),
        "headRefOid": (pull.get("head") or {}).get("sha"),
        "baseRefName": (pull.get("base") or {}).get("ref"),
        "baseRefOid": (pull.get("base") or {}).get("sha"),
        "mergeCommit": {"oid": sha} if (sha := pull.get("merge_commit_sha")) else None,
        "labels": lazy_connection("labels", lambda: labels),
        "reviewRequests": lazy_connection("reviewRequests", lambda: requests),
        "reviews": reviews,
        "commits": lazy_connection(
            "commits", lambda: [_commit(c) for c in data.by_key("pull_commits.json", number)]
        ),
        "timelineItems": _timeline(data, number),
    }


def _order_key(field: str) -> Callable[[dict[str, Any]], Any]:
    key = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(field, "created_at")
    return lambda p: (p.get(key) or "", p.get("number", 0))


def repository(data: RepoData) -> dict[str, Any] | None:
    repo = data.repository()
    if not repo:
        return None

    def pull_requests(
        _info: Any,
        states: list[str] | None = None,
        orderBy: dict[str, str] | None = None,
        headRefName: str | None = None,
        baseRefName: str | None = None,
        labels: list[str] | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        pulls = data.list("pulls.json")
        if orderBy:
            pulls = sorted(
                pulls, key=_order_key(orderBy["field"]), reverse=orderBy["direction"] == "DESC"
            )
        else:
            pulls = sorted(pulls, key=lambda p: p.get("id", 0))
        nodes = [pull_request(data, p) for p in pulls]
        if states:
            nodes = [n for n in nodes if n["state"] in states]
        if headRefName:
            nodes = [n for n in nodes if n["headRefName"] == headRefName]
        if baseRefName:
            nodes = [n for n in nodes if n["baseRefName"] == baseRefName]
        if labels:
            nodes = [n for n in nodes if {lb.get("name") for lb in _labels(data, n)} & set(labels)]
        return connection("pullRequests", nodes, **args)

    def one_pull(_info: Any, number: int) -> dict[str, Any] | None:
        pull = data.pull(number)
        return pull_request(data, pull) if pull else None

    return {
        "__typename": "Repository",
        "id": repo.get("node_id"),
        "databaseId": repo.get("id"),
        "name": repo.get("name"),
        "nameWithOwner": repo.get("full_name"),
        "owner": actor(repo.get("owner")),
        "url": repo.get("html_url"),
        "isPrivate": bool(repo.get("private")),
        "isArchived": bool(repo.get("archived")),
        "isFork": bool(repo.get("fork")),
        "createdAt": repo.get("created_at"),
        "updatedAt": repo.get("updated_at"),
        "pushedAt": repo.get("pushed_at"),
        "defaultBranchRef": {"name": repo.get("default_branch"), "prefix": "refs/heads/"},
        "pullRequests": pull_requests,
        "pullRequest": one_pull,
        "deployments": deployments(data),
    }


def _labels(data: RepoData, node: dict[str, Any]) -> list[dict[str, Any]]:
    pull = data.pull(node["number"]) or {}
    return pull.get("labels") or []


def root_value(request: Request, cost: QueryCost | None = None) -> dict[str, Any]:
    def find_repository(_info: Any, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        data = request.scenario.repo(owner, name)
        if data is None or not data.repository():
            raise GraphQLError(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return repository(data)

    def rate_limit(_info: Any, **_: Any) -> dict[str, Any]:
        """The budget after this query: GitHub reports its own cost as already spent."""
        points = cost.points if cost else 1
        nodes = cost.nodes if cost else 0
        if request.limits is None:
            return {
                "cost": points,
                "limit": 5000,
                "nodeCount": nodes,
                "remaining": 5000 - points,
                "used": points,
                "resetAt": "1970-01-01T00:00:00Z",
            }
        budget = request.limits.budget("graphql")
        return {
            "cost": points,
            "limit": budget.limit,
            "nodeCount": nodes,
            "remaining": max(budget.remaining - 1, 0),
            "used": budget.used + 1,
            "resetAt": datetime.fromtimestamp(budget.reset_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    return {
        "repository": find_repository,
        "rateLimit": rate_limit,
        "viewer": actor({"login": "sandbox-user", "type": "User"}),
    }
