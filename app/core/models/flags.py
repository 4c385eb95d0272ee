"""Friction flags raised by developers.

An anonymous flag has no author anywhere: authorship lives in a separate table that gets no row
for an anonymous flag, so no query, export or log can join its way back to the author.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.core.models.base import UtcField, utcnow

CATEGORIES = (
    "review_wait",
    "flaky_build",
    "slow_build",
    "tooling",
    "environment",
    "docs",
    "process",
    "requirements",
    "other",
)


class FrictionFlag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    category: str = Field(max_length=30)
    summary: str = Field(max_length=200)
    details: str = Field(default="", max_length=5000)
    anonymous: bool = False
    repo: str | None = Field(default=None, max_length=200, index=True)
    pull_number: int | None = None
    path: str | None = Field(default=None, max_length=2000)
    workflow: str | None = Field(default=None, max_length=300)
    run_id: int | None = Field(default=None, sa_type=BigInteger)  # GitHub run ids pass 2**31
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow, index=True)
    status: str = Field(default="open", max_length=20)  # open, acknowledged, answered
    answer: str | None = Field(default=None, max_length=5000)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = UtcField()


class FlagAuthor(SQLModel, table=True):
    """Who raised a named flag. Anonymous flags never get a row here."""

    flag_id: int = Field(foreign_key="frictionflag.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)


class IdempotencyKey(SQLModel, table=True):
    """A hash of (token, Idempotency-Key) so a retried POST returns the first flag."""

    key_hash: str = Field(primary_key=True, max_length=64)
    flag_id: int = Field(foreign_key="frictionflag.id", ondelete="CASCADE")
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
