"""The shapes of friction flags on the way in and out: what a developer sends, what a viewer
sees. Also the API's request and response schemas, so the two cannot drift."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from app.core.models import CATEGORIES

SUMMARY_MAX = 200
DETAILS_MAX = 5000

# The categories live with the table (app.core.models.flags.CATEGORIES); Literal of that tuple.
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


def _refuse_nul(value: str | None) -> str | None:
    """PostgreSQL cannot store a NUL character in text; refused on every backend alike."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


class FlagCreate(BaseModel):
    """What a developer sends; unknown fields are refused so typos do not vanish silently."""

    model_config = ConfigDict(extra="forbid")

    category: Category = "other"
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    details: str = Field(default="", max_length=DETAILS_MAX)
    repo: str | None = Field(default=None, max_length=200)
    pull_number: int | None = Field(default=None, ge=1, le=2**31 - 1)
    path: str | None = Field(default=None, max_length=2000)
    workflow: str | None = Field(default=None, max_length=300)
    run_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    anonymous: StrictBool = False  # true or false only: `0` or `"no"` must not pass for false

    @field_validator("summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("summary must not be blank")
        return value

    _no_nul = field_validator("summary", "details", "repo", "path", "workflow")(_refuse_nul)


class AnswerCreate(BaseModel):
    """A manager's answer; it is added to the flag's thread."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=DETAILS_MAX)

    @field_validator("note")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("note must not be blank")
        return value

    _no_nul = field_validator("note")(_refuse_nul)


class AnswerView(BaseModel):
    """One answer in a flag's thread: what was said, by whom, when."""

    model_config = ConfigDict(frozen=True)

    author_login: str | None  # None only for an answer whose author was since removed
    body: str
    created_at: datetime


class FlagView(BaseModel):
    """A flag as shown to someone allowed to see it; `author_login` is None when anonymous.

    `id` is the flag's random public id (it says nothing about when the flag was raised). An
    anonymous flag's `created_at` is the start of its UTC day. `answers` is the whole thread,
    oldest first; `answer`, `answered_by_login` and `answered_at` repeat its latest entry.
    Also the API's response schema, so the two cannot drift.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    team_id: int | None
    team_name: str | None
    category: str
    summary: str
    details: str
    anonymous: bool
    author_login: str | None
    repo: str | None
    pull_number: int | None
    path: str | None
    workflow: str | None
    run_id: int | None
    created_at: datetime
    status: str
    answer: str | None
    answered_by_login: str | None
    answered_at: datetime | None
    answers: list[AnswerView] = Field(default_factory=list)


class FlagRaised(FlagView):
    """The answer to raising a flag. `follow_key` (anonymous flags only) is the one way for
    its author to read the answers later: Gemba Walk keeps only its hash, tied to nobody."""

    follow_key: str | None = None


class TeamFlags(BaseModel):
    """A managed team's flags, plus counts of anonymous flags too few to show one by one."""

    team_id: int
    team_name: str
    members: int
    flags: list[FlagView] = Field(default_factory=list)
    anonymous_counts: dict[str, int] = Field(default_factory=dict)
