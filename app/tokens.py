"""Bearer tokens: made once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from app.access import Viewer
from app.models import ApiToken, Person
from app.models.base import utcnow

TOKEN_PREFIX = "gw_"


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
    token.last_used_at = utcnow()
    session.add(token)
    assert person.id is not None
    return Viewer(
        person_id=person.id, login=person.login, is_admin=token.is_admin, token_id=token.id
    )
