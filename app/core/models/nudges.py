"""Slack nudges sent (one row per recipient, item, kind and stretch) and who switched them off."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import UtcField, utcnow


class NudgeDelivery(SQLModel, table=True):
    """Claimed (status "sending") and committed before the Slack call, marked "sent" after it,
    so a rerun or a second scheduler never posts twice; a row left "sending" is uncertain."""

    __table_args__ = (UniqueConstraint("kind", "recipient", "item", "stretch"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    recipient: str = Field(max_length=100)  # a person's login, or "#team" for a team channel
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    item: str = Field(max_length=100)  # "pr:<id>" or "run:<id>"
    stretch: str = Field(max_length=40)  # which wait: a new one is a new nudge
    day: str = Field(max_length=10, index=True)  # the recipient's local date, for the daily cap
    status: str = Field(default="sending", max_length=10)  # sending / sent / failed / updated
    channel: str | None = Field(default=None, max_length=80)
    ts: str | None = Field(default=None, max_length=40)
    text: str = Field(default="", max_length=4000)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    sent_at: datetime | None = UtcField()


class NudgeOptOut(SQLModel, table=True):
    """A person's "no nudges" of one kind, or of every kind ("*")."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    kind: str = Field(max_length=30, primary_key=True)


class PromptAnswer(SQLModel, table=True):
    """A person's answer to "Did this get in your way?": one per prompt, so Slack's retries of
    the same click change nothing; a Yes points at the friction flag it raised."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="nudgedelivery.id", unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    answer: str = Field(max_length=10)  # yes / anonymous / no
    flag_id: int | None = Field(default=None, foreign_key="frictionflag.id")
    answered_at: datetime = UtcField(nullable=False, default_factory=utcnow)
