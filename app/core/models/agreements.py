"""Working agreements: the targets a team sets for itself, their history, and the exceptions
the team decided were expected.

A target is a team's own number, never a score of a person: the rules that read these rows
report items (a PR, a workflow, a queue) that passed the team's line, so the team can talk
about them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import JsonField, UtcField, utcnow


class TeamAgreement(SQLModel, table=True):
    """One target of one team (`first_review_hours: 24`), or an option (`working_hours`)."""

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(primary_key=True, max_length=40)
    value: Any = JsonField()
    set_by: str = Field(max_length=100)  # a login, or "people file"
    set_at: datetime = UtcField(nullable=False, default_factory=utcnow)


class AgreementChange(SQLModel, table=True):
    """Every change of a target, with who made it and when (None: the target was removed)."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)
    old_value: Any = JsonField(default=None, nullable=True)
    new_value: Any = JsonField(default=None, nullable=True)
    changed_by: str = Field(max_length=100)
    changed_at: datetime = UtcField(nullable=False, default_factory=utcnow)


class ExpectedException(SQLModel, table=True):
    """An exception the PR author or the manager marked as expected, with a one-line reason.

    It leaves the counts but stays in the ledger. `item` names what the exception is about
    (`acme/api#12`, `acme/api:CI`, `@login`), as the rules key their exceptions.
    """

    __table_args__ = (UniqueConstraint("team_id", "rule", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    rule: str = Field(max_length=40)
    item: str = Field(max_length=300)
    reason: str = Field(max_length=200)
    marked_by: str = Field(max_length=100)
    marked_at: datetime = UtcField(nullable=False, default_factory=utcnow)
