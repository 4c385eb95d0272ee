"""Browser sign-in: server-side sessions and the sign-in links already spent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.models.base import UtcField, utcnow


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored, so
    a copy of the database cannot sign anyone in. Signing out sets `ended_at`; revoking the
    token the session came from ends it too."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(unique=True, max_length=64)
    token_id: int = Field(foreign_key="apitoken.id", index=True)
    created_at: datetime = UtcField(nullable=False, default_factory=utcnow)
    expires_at: datetime = UtcField(nullable=False)
    ended_at: datetime | None = UtcField()


class SignInLinkUse(SQLModel, table=True):
    """A sign-in link that was exchanged once: the primary key refuses a second use."""

    __tablename__ = "sign_in_link_use"

    nonce_hash: str = Field(primary_key=True, max_length=64)
    used_at: datetime = UtcField(nullable=False, default_factory=utcnow)
