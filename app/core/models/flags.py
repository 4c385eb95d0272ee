"""Friction flags raised by developers, and the answers they get.

An anonymous flag has no author anywhere: authorship lives in a separate table that gets no row
for an anonymous flag, so no query, export or log can join its way back to the author.

A flag is known outside the database only by its `public_id`, a random string: the row id
counts up, so showing it would place an anonymous flag between its neighbours in time.
"""

from __future__ import annotations

import base64
import secrets
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


PUBLIC_ID_PATTERN = r"^[a-z2-7]{13}$"


def new_public_id() -> str:
    """64 random bits in lower-case base32 (13 characters): no order, safe in URLs and shells."""
    return base64.b32encode(secrets.token_bytes(8)).decode("ascii").rstrip("=").lower()


class FrictionFlag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)  # internal only: it reveals order
    public_id: str = Field(default_factory=new_public_id, max_length=13, unique=True)
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
    # The latest answer, kept on the flag for listings; the whole thread is in FlagAnswer.
    answer: str | None = Field(default=None, max_length=5000)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = UtcField()
    # An anonymous flag's author follows its answers with a random key only they hold; the
    # flag stores the key's SHA-256, which names nobody (see app.flags.follow).
    follow_hash: str | None = Field(default=None, max_length=64, index=True)


class FlagAnswer(SQLModel, table=True):
    """One answer in a flag's thread: a second answer adds to the first, never replaces it."""

    id: int | None = Field(default=None, primary_key=True)
    flag_id: int = Field(foreign_key="frictionflag.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="person.id")  # None: unknown
    body: str = Field(max_length=5000)
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)


class FlagAuthor(SQLModel, table=True):
    """Who raised a named flag. Anonymous flags never get a row here."""

    flag_id: int = Field(foreign_key="frictionflag.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)


class IdempotencyKey(SQLModel, table=True):
    """A hash of (token, Idempotency-Key) so a retried POST returns the first flag."""

    key_hash: str = Field(primary_key=True, max_length=64)
    flag_id: int = Field(foreign_key="frictionflag.id", ondelete="CASCADE")
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
