"""People, the identities they appear under in git and GitHub, teams and who manages whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import UtcField, utcnow


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, index=True, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    is_bot: bool = False
    digest_opt_in: bool = False
    unsubscribe_token: str | None = Field(default=None, max_length=64, unique=True)
    digest_unsubscribed: bool = False
    # Slack member id: from the people file, else looked up by email (checked_at caches a miss)
    slack_user_id: str | None = Field(default=None, max_length=20)
    slack_checked_at: datetime | None = UtcField()
    # when Slack nudges may reach them ("09:00-13:00"); None: the team's or the setting's hours
    nudge_hours: str | None = Field(default=None, max_length=11)
    # GitHub's user id, set by `gemba people sync`: a renamed login stays the same person
    github_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)


class Identity(SQLModel, table=True):
    """An email or login seen in the data; `person_id` is null until someone maps it."""

    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # "email" or "login"
    value: str = Field(max_length=320, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    first_seen_at: datetime | None = UtcField()


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    timezone: str = Field(default="UTC", max_length=64)
    slack_channel: str | None = Field(default=None, max_length=80)  # where team nudges go
    # GitHub's team id, set by `gemba people sync`: a renamed team stays the same team
    github_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)


class TeamMember(SQLModel, table=True):
    """Membership; a member of a team reports to the team's manager."""

    team_id: int = Field(foreign_key="team.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 is stored, the secret is shown once."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    label: str | None = Field(default=None, max_length=100)
    is_admin: bool = False
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    last_used_at: datetime | None = UtcField()
    revoked_at: datetime | None = UtcField()


class PageView(SQLModel, table=True):
    """Someone other than the person opened their page: the person can see who looked."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    viewer_id: int = Field(foreign_key="person.id")
    viewed_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    what: str = Field(default="page", max_length=50)


class OneOnOne(SQLModel, table=True):
    """A 1:1 the manager marked as held: "since the last 1:1" starts at the newest one.

    Notes and agenda items never move that start; only this explicit event does.
    """

    __table_args__ = (UniqueConstraint("person_id", "held_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    held_at: datetime = UtcField(nullable=False)
    marked_by_id: int | None = Field(default=None, foreign_key="person.id")  # None: the CLI
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)


class OneOnOneNote(SQLModel, table=True):
    """A manager's private note, or (shared=True) an item on the shared 1:1 agenda."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    shared: bool = False
    body: str = Field(max_length=5000)
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    done: bool = False
