"""Where each collector resumes, the shared GitHub budget, and sent digests."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import UtcField, utcnow


class SyncCursor(SQLModel, table=True):
    """A collector's resume point for one repository; moves in the same transaction as data."""

    __table_args__ = (UniqueConstraint("source", "repository"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=30)  # git, pulls, ci
    repository: str = Field(max_length=200)
    position: str = Field(default="", max_length=4000)
    updated_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    locked_by: str | None = Field(default=None, max_length=200)
    locked_until: datetime | None = UtcField()


class GithubBudget(SQLModel, table=True):
    """A token's (or App installation's) rate budget for one API resource, shared by every
    worker using it: what GitHub last reported, less what was spent since."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # "HOST token:HASH core"
    remaining: int = 0
    quota: int = 0  # X-RateLimit-Limit
    reset_epoch: int = 0  # X-RateLimit-Reset (Unix seconds)
    paused_until: float = 0.0  # every worker waits until then (Retry-After)
    updated_at: datetime = UtcField(nullable=False, default_factory=utcnow)


class DigestDelivery(SQLModel, table=True):
    """One row per (recipient, ISO week): the record that makes sending exactly-once."""

    __table_args__ = (UniqueConstraint("person_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    week: str = Field(max_length=10)  # 2026-W47
    status: str = Field(default="pending", max_length=20)  # pending, sent, failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = UtcField()
    message_id: str | None = Field(default=None, max_length=300)
