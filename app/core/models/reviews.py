"""Pull requests and what happened to them: reviews, review requests, comments, events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import JsonField, UtcField


class PullRequest(SQLModel, table=True):
    """Keyed by GitHub's id (64-bit: GitHub ids have passed 2^31); timestamps are kept so
    every review-flow number can be audited."""

    __table_args__ = (UniqueConstraint("repository_id", "number"),)

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    repository_id: int = Field(foreign_key="repository.id", index=True)
    number: int
    title: str = Field(default="", max_length=1000)
    html_url: str | None = Field(default=None, max_length=500)
    author_login: str | None = Field(default=None, max_length=100, index=True)
    author_is_bot: bool = False
    state: str = Field(max_length=10)  # open / closed
    draft: bool = False
    created_at: datetime = UtcField(nullable=False, index=True)
    updated_at: datetime = UtcField(nullable=False)
    closed_at: datetime | None = UtcField()
    merged_at: datetime | None = UtcField()
    ready_at: datetime | None = UtcField()
    first_commit_at: datetime | None = UtcField()
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    commits: int | None = None
    head_sha: str | None = Field(default=None, max_length=40, index=True)
    merge_commit_sha: str | None = Field(default=None, max_length=40, index=True)
    head_ref: str | None = Field(default=None, max_length=300)
    base_ref: str | None = Field(default=None, max_length=300)
    labels: list[str] = JsonField(default_factory=list)
    requested_reviewers: list[str] = JsonField(default_factory=list)


class Review(SQLModel, table=True):
    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    pull_request_id: int = Field(
        foreign_key="pullrequest.id", index=True, ondelete="CASCADE", sa_type=BigInteger
    )
    reviewer_login: str | None = Field(default=None, max_length=100, index=True)
    reviewer_is_bot: bool = False
    state: str = Field(max_length=30)  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    submitted_at: datetime | None = UtcField(index=True)
    commit_sha: str | None = Field(default=None, max_length=40)


class ReviewComment(SQLModel, table=True):
    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    pull_request_id: int = Field(
        foreign_key="pullrequest.id", index=True, ondelete="CASCADE", sa_type=BigInteger
    )
    review_id: int | None = Field(default=None, sa_type=BigInteger)
    author_login: str | None = Field(default=None, max_length=100)
    author_is_bot: bool = False
    path: str | None = Field(default=None, max_length=2000)
    created_at: datetime = UtcField(nullable=False)


class PullRequestEvent(SQLModel, table=True):
    """Timeline events we need: ready_for_review, convert_to_draft, reopened, force pushes..."""

    id: int | None = Field(default=None, primary_key=True)
    pull_request_id: int = Field(
        foreign_key="pullrequest.id", index=True, ondelete="CASCADE", sa_type=BigInteger
    )
    github_id: int | None = Field(default=None, sa_type=BigInteger)
    event: str = Field(max_length=50)
    actor_login: str | None = Field(default=None, max_length=100)
    created_at: datetime = UtcField(nullable=False)
