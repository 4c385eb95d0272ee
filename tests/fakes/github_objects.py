"""Builders of GitHub-shaped REST objects for scenarios (they live in the product, for the demo)."""

from app.sandbox.objects import (
    fake_sha,
    make_commit,
    make_label,
    make_pull,
    make_repository,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
    stable_id,
)

__all__ = [
    "fake_sha",
    "make_commit",
    "make_label",
    "make_pull",
    "make_repository",
    "make_review",
    "make_review_comment",
    "make_timeline_event",
    "make_user",
    "stable_id",
]
