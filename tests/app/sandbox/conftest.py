"""A scenario that uses every pull-request file and most shapes GitHub answers with."""

from __future__ import annotations

import pytest

from tests.world.github import (
    make_commit,
    make_pull,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
)

BOT = make_user("renovate[bot]", "Bot")


@pytest.fixture
def rich(github_api):
    """acme/app: merged PR 1 with reviews and comments, bot draft PR 2, open PR 3 with events."""
    o, r = "acme", "app"
    review = make_review(
        o, r, 1, reviewer="bob", state="CHANGES_REQUESTED", submitted_at="2024-01-02T10:00:00Z"
    )
    github_api.write_repo(
        o,
        r,
        pulls=[
            make_pull(
                o,
                r,
                1,
                author="alice",
                created_at="2024-01-01T09:00:00Z",
                merged_at="2024-01-03T12:00:00Z",
                labels=["bug"],
                review_comments=2,
            ),
            make_pull(o, r, 2, author=BOT, draft=True, created_at="2024-01-04T09:00:00Z"),
            make_pull(
                o,
                r,
                3,
                author="carol",
                created_at="2024-01-05T09:00:00Z",
                requested_reviewers=["alice"],
            ),
        ],
        reviews={
            "1": [
                review,
                make_review(
                    o,
                    r,
                    1,
                    reviewer="alice",
                    state="COMMENTED",
                    submitted_at="2024-01-02T11:00:00Z",
                ),
                make_review(
                    o, r, 1, reviewer="bob", state="APPROVED", submitted_at="2024-01-03T09:00:00Z"
                ),
                make_review(
                    o, r, 1, reviewer="dave", state="DISMISSED", submitted_at="2024-01-02T08:00:00Z"
                ),
            ]
        },
        review_comments={
            "1": [
                first := make_review_comment(
                    o, r, 1, author="bob", review_id=review["id"], created_at="2024-01-02T10:00:00Z"
                ),
                make_review_comment(
                    o,
                    r,
                    1,
                    author="alice",
                    in_reply_to_id=first["id"],
                    created_at="2024-01-02T10:30:00Z",
                    body="Fixed",
                ),
            ]
        },
        pull_commits={
            "1": [
                make_commit(o, r, author="alice", authored_at="2023-12-31T17:00:00Z"),
                make_commit(
                    o,
                    r,
                    author=None,
                    name="Ghost",
                    authored_at="2024-01-01T08:00:00Z",
                    message="Second",
                ),
            ]
        },
        timelines={
            "3": [
                make_timeline_event(
                    o,
                    r,
                    3,
                    "review_requested",
                    actor="carol",
                    created_at="2024-01-05T09:01:00Z",
                    requested_reviewer=make_user("alice"),
                ),
                make_timeline_event(
                    o,
                    r,
                    3,
                    "head_ref_force_pushed",
                    actor="carol",
                    created_at="2024-01-05T10:00:00Z",
                ),
                make_timeline_event(
                    o, r, 3, "ready_for_review", actor="carol", created_at="2024-01-05T11:00:00Z"
                ),
            ]
        },
    )
    return github_api
