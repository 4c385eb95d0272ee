"""Frozen records the pull-request fetcher yields: plain values, no PyGithub or ORM objects.

Keeping fetch (network) and store (database) apart lets each be tested alone and lets the store
write a whole PR with its children in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# Timeline events that matter for review flow; the rest of the timeline is ignored.
FLOW_EVENTS = frozenset(
    {
        "ready_for_review",
        "convert_to_draft",
        "reopened",
        "closed",
        "merged",
        "head_ref_force_pushed",
        "review_requested",
        "review_request_removed",
    }
)


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    reviewer_login: str | None
    reviewer_is_bot: bool
    state: str
    submitted_at: datetime | None
    commit_sha: str | None = None


@dataclass(frozen=True)
class ReviewCommentRecord:
    id: int
    review_id: int | None
    author_login: str | None
    author_is_bot: bool
    path: str | None
    created_at: datetime


@dataclass(frozen=True)
class PullEventRecord:
    github_id: int | None
    event: str
    actor_login: str | None
    created_at: datetime


@dataclass(frozen=True)
class PullRequestRecord:
    """One pull request as of `updated_at`, with everything review flow needs."""

    id: int
    repository_github_id: int | None
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    author_is_bot: bool
    state: str
    draft: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    ready_at: datetime | None
    first_commit_at: datetime | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    commits: int | None
    head_sha: str | None
    head_ref: str | None
    base_ref: str | None
    labels: tuple[str, ...] = ()
    requested_reviewers: tuple[str, ...] = ()
    merge_commit_sha: str | None = None  # what a deployment must contain to ship the PR
    reviews: tuple[ReviewRecord, ...] = field(default=())
    review_comments: tuple[ReviewCommentRecord, ...] = field(default=())
    events: tuple[PullEventRecord, ...] = field(default=())


def is_bot_account(login: str | None, account_type: str | None) -> bool:
    """GitHub marks apps with type "Bot"; their logins also end in "[bot]"."""
    return account_type == "Bot" or bool(login and login.endswith("[bot]"))


def ready_time(
    created_at: datetime, draft: bool, events: Iterable[PullEventRecord]
) -> datetime | None:
    """When the PR was first ready for review.

    Opened as draft (its first draft-related event is `ready_for_review`, or it is still a draft
    with no such event): the first `ready_for_review`. Otherwise: creation. Still a draft that
    was never ready: None.
    """
    draft_events = sorted(
        (e for e in events if e.event in ("ready_for_review", "convert_to_draft")),
        key=lambda e: e.created_at,
    )
    if not draft_events:
        return None if draft else created_at
    if draft_events[0].event == "convert_to_draft":
        return created_at
    return draft_events[0].created_at
