"""Bearer tokens: made once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.access import Viewer
from app.models import ApiToken, Person
from app.models.base import as_utc, utcnow

TOKEN_PREFIX = "gw_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, person: Person, *, is_admin: bool = False, label: str | None = None
) -> tuple[ApiToken, str]:
    """Return the stored token row and the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert person.id is not None
    token = ApiToken(
        person_id=person.id, token_hash=hash_token(secret), is_admin=is_admin, label=label
    )
    session.add(token)
    session.flush()
    return token, secret


def viewer_for_secret(session: Session, secret: str) -> Viewer | None:
    """The viewer a secret signs in, or None if it is unknown or revoked."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    person = session.get(Person, token.person_id)
    if person is None:
        return None
    now = utcnow()
    last = as_utc(token.last_used_at)
    if last is None or now - last > LAST_USED_RESOLUTION:
        # Written at most once a minute, so that reads do not all become writes.
        token.last_used_at = now
        session.add(token)
    assert person.id is not None
    return Viewer(
        person_id=person.id, login=person.login, is_admin=token.is_admin, token_id=token.id
    )


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: everything but the secret (which is not stored anywhere)."""

    id: int
    login: str
    label: str | None
    is_admin: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def list_tokens(session: Session, *, person_id: int | None = None) -> list[TokenInfo]:
    query = (
        select(ApiToken, Person.login)
        .join(Person, Person.id == ApiToken.person_id)  # type: ignore[arg-type]
        .order_by(ApiToken.id)  # type: ignore[arg-type]
    )
    if person_id is not None:
        query = query.where(ApiToken.person_id == person_id)
    return [
        TokenInfo(
            id=token.id or 0,
            login=login,
            label=token.label,
            is_admin=token.is_admin,
            created_at=as_utc(token.created_at) or token.created_at,
            last_used_at=as_utc(token.last_used_at),
            revoked_at=as_utc(token.revoked_at),
        )
        for token, login in session.exec(query)
    ]


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token; False when there is no such token. Revoking twice is harmless."""
    token = session.get(ApiToken, token_id)
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
    return True
