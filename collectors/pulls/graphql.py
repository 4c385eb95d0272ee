"""Fetch many pull requests in one GraphQL request (PyGithub's requester), as frozen records.

The REST list tells us which PRs changed; this fetches them BATCH at a time by number with
aliases, each with its reviews, review comments, commits, labels, review requests and flow
timeline events. A PR whose reviews, commits or timeline do not fit in one page is marked
`overflow` and fetched again over REST (collectors.pulls.fetch.fetch_pull).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from github.Requester import Requester

from collectors.pulls.records import (
    PullEventRecord,
    PullRequestRecord,
    ReviewCommentRecord,
    ReviewRecord,
    is_bot_account,
    ready_time,
)

BATCH = 20
REVIEWS, COMMENTS, COMMITS, EVENTS, SMALL = 50, 30, 100, 100, 50
# GraphQL timeline type -> the REST event name we store.
EVENT_TYPES = {
    "ReadyForReviewEvent": "ready_for_review",
    "ConvertToDraftEvent": "convert_to_draft",
    "ReopenedEvent": "reopened",
    "ClosedEvent": "closed",
    "MergedEvent": "merged",
    "HeadRefForcePushedEvent": "head_ref_force_pushed",
    "ReviewRequestedEvent": "review_requested",
    "ReviewRequestRemovedEvent": "review_request_removed",
}
# ReadyForReviewEvent -> READY_FOR_REVIEW_EVENT (PullRequestTimelineItemsItemType)
ITEM_TYPES = " ".join(re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper() for name in EVENT_TYPES)
ACTOR = "{ __typename login }"
EVENT_FRAGMENTS = " ".join(
    f"... on {name} {{ createdAt actor {{ login }} }}" for name in EVENT_TYPES
)

PULL_FIELDS = f"""
  number title url state isDraft createdAt updatedAt closedAt mergedAt
  additions deletions changedFiles headRefName headRefOid baseRefName mergeCommit {{ oid }}
  author {ACTOR}
  labels(first: {SMALL}) {{ nodes {{ name }} }}
  reviewRequests(first: {SMALL}) {{ nodes {{ requestedReviewer {{
    __typename ... on User {{ login }} ... on Bot {{ login }} ... on Team {{ slug }} }} }} }}
  commits(first: {COMMITS}) {{ totalCount nodes {{ commit {{ authoredDate }} }} }}
  timelineItems(first: {EVENTS}, itemTypes: [{ITEM_TYPES}]) {{
    totalCount nodes {{ __typename {EVENT_FRAGMENTS} }} }}
  reviews(first: {REVIEWS}) {{ totalCount nodes {{
    id state submittedAt author {ACTOR} commit {{ oid }}
    COMMENTS_PLACEHOLDER }} }}
"""
REVIEW_COMMENTS = (
    f"comments(first: {COMMENTS}) {{ totalCount nodes {{ id path createdAt author {ACTOR} }} }}"
)


def build_query(size: int, *, with_comments: bool = True) -> str:
    """One query for `size` PRs of repository ($owner, $name), numbers in $n0 .. $n{size-1}.

    Numbers are variables, not text, so every batch of a size sends the same query text
    (a server may cache its validation).
    """
    fields = PULL_FIELDS.replace("COMMENTS_PLACEHOLDER", REVIEW_COMMENTS if with_comments else "")
    numbers = ", ".join(f"$n{i}: Int!" for i in range(size))
    pulls = "\n".join(f"  p{i}: pullRequest(number: $n{i}) {{{fields}}}" for i in range(size))
    return (
        f"query($owner: String!, $name: String!, {numbers}) {{\n"
        "  repository(owner: $owner, name: $name) {\n"
        f"{pulls}\n  }}\n  rateLimit {{ cost remaining resetAt }}\n}}"
    )


@dataclass(frozen=True)
class GraphPull:
    """A record, or `overflow` when some list was longer than one page (refetch over REST)."""

    number: int
    record: PullRequestRecord | None
    overflow: bool = False
    comments_missing: bool = False


def fetch_pulls_graphql(
    requester: Requester, owner: str, name: str, ids: Mapping[int, int], *, with_comments: bool
) -> list[GraphPull]:
    """`ids` maps PR number -> PR id (from the REST list: GraphQL's `databaseId` is 32-bit)."""
    numbers = list(ids)
    variables: dict[str, Any] = {"owner": owner, "name": name}
    variables.update({f"n{i}": number for i, number in enumerate(numbers)})
    _headers, data = requester.graphql_query(
        build_query(len(numbers), with_comments=with_comments), variables
    )
    repository = (data.get("data") or {}).get("repository") or {}
    return [
        parse_pull(n, ids[n], repository.get(f"p{i}"), with_comments=with_comments)
        for i, n in enumerate(numbers)
    ]


def node_key(node_id: str) -> int:
    """A stable 63-bit key for a review or comment fetched over GraphQL.

    GitHub's schema offers their numeric ids only as 32-bit `databaseId`, which no longer fits,
    so rows fetched this way are keyed by a hash of the node id (a PR's rows are replaced as a
    whole on every refresh, so REST and GraphQL keys never need to meet).
    """
    return int.from_bytes(hashlib.sha256(node_id.encode()).digest()[:8], "big") >> 1


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _who(actor: dict[str, Any] | None) -> tuple[str | None, bool]:
    """(login, is_bot); GraphQL drops the "[bot]" suffix, we put it back to match REST."""
    if not actor:
        return None, False
    login = actor.get("login")
    if actor.get("__typename") == "Bot" and login and not login.endswith("[bot]"):
        login = f"{login}[bot]"
    return login, is_bot_account(login, actor.get("__typename"))


def _overflows(pull: dict[str, Any], with_comments: bool) -> bool:
    reviews = pull["reviews"]
    too_long = (
        reviews["totalCount"] > len(reviews["nodes"])
        or pull["commits"]["totalCount"] > len(pull["commits"]["nodes"])
        or pull["timelineItems"]["totalCount"] > len(pull["timelineItems"]["nodes"])
    )
    if with_comments:
        too_long = too_long or any(
            r["comments"]["totalCount"] > len(r["comments"]["nodes"]) for r in reviews["nodes"]
        )
    return too_long


def parse_pull(
    number: int, pull_id: int, pull: dict[str, Any] | None, *, with_comments: bool
) -> GraphPull:
    if pull is None:  # deleted or transferred since it was listed
        return GraphPull(number, None)
    if _overflows(pull, with_comments):
        return GraphPull(number, None, overflow=True)
    author, author_is_bot = _who(pull.get("author"))
    events = tuple(
        PullEventRecord(
            github_id=None,
            event=EVENT_TYPES[item["__typename"]],
            actor_login=(item.get("actor") or {}).get("login"),
            created_at=_time(item["createdAt"]),  # type: ignore[arg-type]
        )
        for item in pull["timelineItems"]["nodes"]
        if item.get("__typename") in EVENT_TYPES and item.get("createdAt")
    )
    created = _time(pull["createdAt"])
    assert created is not None
    reviews, comments = [], []
    for node in pull["reviews"]["nodes"]:
        login, is_bot = _who(node.get("author"))
        reviews.append(
            ReviewRecord(
                id=node_key(node["id"]),
                reviewer_login=login,
                reviewer_is_bot=is_bot,
                state=node["state"],
                submitted_at=_time(node.get("submittedAt")),
                commit_sha=(node.get("commit") or {}).get("oid"),
            )
        )
        for comment in (node.get("comments") or {}).get("nodes") or []:
            who, bot = _who(comment.get("author"))
            comments.append(
                ReviewCommentRecord(
                    id=node_key(comment["id"]),
                    review_id=node_key(node["id"]),
                    author_login=who,
                    author_is_bot=bot,
                    path=comment.get("path"),
                    created_at=_time(comment["createdAt"]),  # type: ignore[arg-type]
                )
            )
    requested = []
    for request in pull["reviewRequests"]["nodes"]:
        reviewer = request.get("requestedReviewer") or {}
        if reviewer.get("__typename") == "Team":
            requested.append(f"team:{reviewer.get('slug')}")
        elif reviewer.get("login"):
            requested.append(_who(reviewer)[0] or "")
    dates = [d for c in pull["commits"]["nodes"] if (d := _time(c["commit"].get("authoredDate")))]
    draft = bool(pull.get("isDraft"))
    record = PullRequestRecord(
        id=pull_id,
        repository_github_id=None,
        number=pull["number"],
        title=(pull.get("title") or "")[:1000],
        html_url=pull.get("url"),
        author_login=author,
        author_is_bot=author_is_bot,
        state="open" if pull["state"] == "OPEN" else "closed",
        draft=draft,
        created_at=created,
        updated_at=_time(pull["updatedAt"]) or created,
        closed_at=_time(pull.get("closedAt")),
        merged_at=_time(pull.get("mergedAt")),
        ready_at=ready_time(created, draft, events),
        first_commit_at=min(dates) if dates else None,
        additions=pull.get("additions"),
        deletions=pull.get("deletions"),
        changed_files=pull.get("changedFiles"),
        commits=pull["commits"]["totalCount"],
        head_sha=pull.get("headRefOid"),
        merge_commit_sha=(pull.get("mergeCommit") or {}).get("oid"),
        head_ref=pull.get("headRefName"),
        base_ref=pull.get("baseRefName"),
        labels=tuple(label["name"] for label in pull["labels"]["nodes"]),
        requested_reviewers=tuple(requested),
        reviews=tuple(reviews),
        review_comments=tuple(comments),
        events=events,
    )
    return GraphPull(number, record, comments_missing=not with_comments and bool(reviews))


def rate_limited_wait(error: Exception, now: float) -> float | None:
    """Seconds to wait when GraphQL says RATE_LIMITED (HTTP 200 + errors, which PyGithub
    raises as a 400 without waiting); None for any other error."""
    data = getattr(error, "data", None)
    errors = data.get("errors") if isinstance(data, dict) else None
    if not errors or not any(e.get("type") == "RATE_LIMITED" for e in errors):
        return None
    headers = {k.lower(): v for k, v in (getattr(error, "headers", None) or {}).items()}
    reset = headers.get("x-ratelimit-reset")
    if reset is None or not str(reset).isdigit():
        return 60.0
    return max(int(reset) - now, 0.0) + 1.0
