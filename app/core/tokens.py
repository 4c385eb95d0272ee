"""Bearer tokens: made once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from app.core.access import Viewer
from app.core.models import ApiToken, Person
from app.core.models.base import as_utc, utcnow

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


_TOKENS_BY_HASH = (
    select(
        ApiToken.token_hash,
        ApiToken.id,
        ApiToken.person_id,
        ApiToken.is_admin,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        Person.login,
    )
    .join(Person, col(Person.id) == col(ApiToken.person_id))
    .where(col(ApiToken.token_hash).in_(bindparam("token_hashes", expanding=True)))
)
_TOUCH = (
    update(ApiToken)
    .where(col(ApiToken.id).in_(bindparam("token_ids", expanding=True)))
    .values(last_used_at=bindparam("now"))
)


def viewer_for_secret(session: Session, secret: str) -> Viewer | None:
    """The viewer a secret signs in, or None if it is unknown or revoked."""
    token_hash = hash_token(secret)
    return viewers_for_hashes(session, [token_hash]).get(token_hash)


def viewers_for_hashes(session: Session, token_hashes: Iterable[str]) -> dict[str, Viewer]:
    """The viewer each token hash signs in; unknown and revoked tokens are left out.

    One query for any number of tokens (the flag writer resolves a whole batch at once);
    `last_used_at` is written at most once a minute per token so that reads do not all
    become writes.
    """
    wanted = sorted(set(token_hashes))
    if not wanted:
        return {}
    now = utcnow()
    found: dict[str, Viewer] = {}
    stale: list[int] = []
    connection = session.connection()  # Core rows, without the ORM's per-call overhead
    for row in connection.execute(_TOKENS_BY_HASH, {"token_hashes": wanted}):
        token_hash, token_id, person_id, is_admin, revoked_at, last_used_at, login = row
        if revoked_at is not None:
            continue
        last = as_utc(last_used_at)
        if last is None or now - last > LAST_USED_RESOLUTION:
            stale.append(token_id)
        found[token_hash] = Viewer(
            person_id=person_id, login=login, is_admin=is_admin, token_id=token_id
        )
    if stale:
        connection.execute(_TOUCH, {"token_ids": stale, "now": now})
    return found


class TokenInfo(BaseModel):
    """A token as listed: everything but the secret (which is not stored anywhere).

    Also the admin API's response schema.
    """

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
