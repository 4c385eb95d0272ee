"""Browser sign-in: single-use, expiring sign-in links and the server-side sessions they open.

A sign-in link names a token (by id, never its secret) and an expiry, signed with HMAC-SHA256
under `GEMBA_SECRET_KEY`; its random nonce is recorded when the link is exchanged, so a second
use fails. Exchanging a link or a pasted token opens a session: the cookie holds a random
secret whose SHA-256 is stored in `web_session`. A session signs in the token's viewer until
it expires, is ended by signing out, or its token is revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.access import Viewer
from app.core.models import ApiToken, Person
from app.core.models.base import as_utc, utcnow
from app.core.models.sessions import SignInLinkUse, WebSession
from app.core.settings import Settings, reveal

SESSION_PREFIX = "gs_"
LONGEST_LINK = timedelta(days=7)  # the most GEMBA_SIGNIN_LINK_MINUTES allows
LINK_PURPOSE = b"gemba sign-in link\n"


class BadLinkError(ValueError):
    """A sign-in link that is forged, malformed, expired, spent, or for a revoked token."""


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the cookie value (shown to the browser once) and when it ends."""

    secret: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, payload: str) -> str:
    return _b64(hmac.new(key.encode(), LINK_PURPOSE + payload.encode(), "sha256").digest())


def make_link_code(key: str, token_id: int, lifetime: timedelta, now: datetime) -> str:
    """The code of a sign-in link for `token_id`, valid for `lifetime` from `now`, once."""
    body = {"t": token_id, "e": int((now + lifetime).timestamp()), "n": secrets.token_hex(16)}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_signature(key, payload)}"


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else "/": never another host (`//evil`,
    `/\\evil`, `https://evil`), never back to the sign-in pages."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(("/signin", "/signout")):
        return "/"
    return target


def link_url(
    settings: Settings, token_id: int, next_path: str | None = None, now: datetime | None = None
) -> str:
    """The sign-in link for a token, at the public URL: valid once, for
    `GEMBA_SIGNIN_LINK_MINUTES`; `next_path` is the page it opens."""
    lifetime = timedelta(minutes=settings.signin_link_minutes)
    code = make_link_code(reveal(settings.secret_key), token_id, lifetime, now or utcnow())
    query = {"code": code, **({"next": next_path} if next_path else {})}
    return f"{settings.base_url.rstrip('/')}/signin/link?{urlencode(query)}"


def redeem_link(session: Session, key: str, code: str, now: datetime) -> int:
    """The token id a link signs in, spending the link; BadLinkError when it cannot be used."""
    payload, _, signature = code.partition(".")
    if not signature or not hmac.compare_digest(signature, _signature(key, payload)):
        raise BadLinkError("This sign-in link is not valid. Ask for a new one.")
    try:
        body = json.loads(_unb64(payload))
        token_id, expires, nonce = int(body["t"]), int(body["e"]), str(body["n"])
    except (ValueError, KeyError, TypeError) as error:
        raise BadLinkError("This sign-in link is not valid. Ask for a new one.") from error
    if now.timestamp() > expires:
        raise BadLinkError("This sign-in link has expired. Ask for a new one.")
    try:
        with session.begin_nested():
            session.add(SignInLinkUse(nonce_hash=_hash(nonce), used_at=now))
    except IntegrityError as error:
        raise BadLinkError("This sign-in link was already used. Ask for a new one.") from error
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise BadLinkError("The token behind this sign-in link was revoked.")
    return token_id


def open_session(session: Session, token_id: int, lifetime: timedelta) -> OpenedSession:
    """Start a browser session for a token; the secret goes into the cookie only."""
    now = utcnow()
    _forget_the_past(session, now)
    secret = SESSION_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + lifetime
    session.add(WebSession(session_hash=_hash(secret), token_id=token_id, expires_at=expires_at))
    session.flush()
    return OpenedSession(secret=secret, expires_at=expires_at)


def _forget_the_past(session: Session, now: datetime) -> None:
    """Drop sessions that can no longer sign anyone in, and spent links older than any link
    can live (such a link is refused as expired anyway), so neither table only grows."""
    session.execute(
        delete(WebSession).where(
            (col(WebSession.expires_at) < now) | col(WebSession.ended_at).is_not(None)
        )
    )
    session.execute(delete(SignInLinkUse).where(col(SignInLinkUse.used_at) < now - LONGEST_LINK))


_SESSION_VIEWER = (
    select(
        WebSession.expires_at,
        ApiToken.id,
        ApiToken.person_id,
        ApiToken.is_admin,
        Person.login,
        ApiToken.token_hash,
    )
    .join(ApiToken, col(ApiToken.id) == col(WebSession.token_id))
    .join(Person, col(Person.id) == col(ApiToken.person_id))
    .where(col(WebSession.ended_at).is_(None), col(ApiToken.revoked_at).is_(None))
)


def _live_row(session: Session, secret: str) -> tuple[Viewer, str] | None:
    query = _SESSION_VIEWER.where(WebSession.session_hash == _hash(secret))
    row = session.exec(query).first()
    if row is None:
        return None
    expires_at, token_id, person_id, is_admin, login, token_hash = row
    expires = as_utc(expires_at)
    if expires is None or expires <= utcnow():
        return None
    viewer = Viewer(person_id=person_id, login=login, is_admin=is_admin, token_id=token_id)
    return viewer, token_hash


def viewer_for_session(session: Session, secret: str) -> Viewer | None:
    """The viewer a session cookie signs in; None when unknown, ended, expired or revoked."""
    found = _live_row(session, secret)
    return found[0] if found else None


def token_hash_for_session(session: Session, secret: str) -> str | None:
    """The hash of the token behind a live session (what the flag writer resolves)."""
    found = _live_row(session, secret)
    return found[1] if found else None


def end_session(session: Session, secret: str) -> None:
    """Sign a browser out: its session can never be used again."""
    session.execute(
        update(WebSession)
        .where(col(WebSession.session_hash) == _hash(secret))
        .where(col(WebSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
