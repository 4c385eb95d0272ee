"""FastAPI dependencies as `Annotated` aliases: the session, the settings, the viewer, CSRF.

CSRF for forms (used by the pages): a signed-in browser carries the `gemba_session` cookie (a
server-side session, never the API token; see `app.core.signin`), so every state-changing
form must also carry `csrf_token(request)`, an HMAC of that cookie under
`settings.secret_key`. In a template: `<input type="hidden" name="csrf_token"
value="{{ csrf_token }}">` (pass `csrf_token(request)` into the context); in JavaScript: the
`X-CSRF-Token` header. Add `_: CsrfDep` (or `dependencies=[Depends(verify_csrf)]`) to the
route. Requests that authenticate with an `Authorization: Bearer` header are not exposed to
CSRF (a browser never adds that header by itself) and pass without the token. Cross-origin
POSTs are refused before any route runs (`app.http.guard`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.access import Viewer
from app.core.db import begin_write
from app.core.settings import Settings, reveal
from app.core.signin import token_hash_for_session, viewer_for_session
from app.core.tokens import hash_token, viewer_for_secret

SESSION_COOKIE = "gemba_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


# Dependencies that do no I/O are `async def`: FastAPI runs them on the event loop instead of
# handing each to the thread pool, which saves a thread switch per dependency per request.


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _write_turn(request: Request) -> AsyncIterator[None]:
    """On SQLite, requests that may write (not GET or HEAD) take turns in this process.

    SQLite allows one writer at a time anyway. Waiting here is immediate when the turn frees
    and holds no thread or connection (it is an asyncio lock), while SQLite's busy handler
    sleeps between tries and a read transaction that later writes can fail with "database is
    locked". PostgreSQL needs no turns.
    """
    lock = None if request.method in ("GET", "HEAD") else sqlite_write_turn(request)
    if lock is None:
        yield
        return
    async with lock:
        yield


def sqlite_write_turn(request: Request) -> asyncio.Lock | None:
    """The lock writers of this process take turns on, on SQLite; None on PostgreSQL."""
    state = request.app.state
    if state.engine.dialect.name != "sqlite":
        return None
    lock: asyncio.Lock | None = getattr(state, "sqlite_write_turn", None)
    if lock is None:
        lock = state.sqlite_write_turn = asyncio.Lock()
    return lock


def get_session(
    request: Request, _turn: Annotated[None, Depends(_write_turn, scope="function")]
) -> Iterator[Session]:
    """One session per request: commit when the handler returns (before the response is sent,
    so a 2xx means the data is stored), roll back if it raises.

    A request that may write (not GET or HEAD) begins with the write lock on SQLite
    (`begin_write`), so that another process's commit cannot fail it halfway (`gemba serve
    --workers N`). GETs stay deferred: the SQLite driver opens no transaction for their
    reads, so a write they make (a page view, a token's last use) is the first statement of
    its transaction, and SQLite waits for the lock as for any writer.
    """
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        try:
            if request.method not in ("GET", "HEAD"):
                begin_write(session)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def secret_from(request: Request) -> str | None:
    """The secret of this request: the bearer token first, else the session cookie's."""
    return _bearer(request) or request.cookies.get(SESSION_COOKIE)


async def token_hash_from(request: Request) -> str | None:
    """The hash of the API token this request acts for: the bearer's, or the one behind the
    browser's session (one short lookup off the event loop); None when neither is live."""
    bearer = _bearer(request)
    if bearer:
        return hash_token(bearer)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None

    def lookup() -> str | None:
        with Session(request.app.state.engine) as session:
            return token_hash_for_session(session, cookie)

    return await run_in_threadpool(lookup)


def idempotency_scope(request: Request) -> str | None:
    """A per-token scope for Idempotency-Key hashes that the database cannot tie to a token.

    Derived from the secret itself (never stored), with a different prefix from the token hash.
    """
    secret = secret_from(request)
    if not secret:
        return None
    return hashlib.sha256(f"idempotency\n{secret}".encode()).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser session ("" when signed out): put it in every form."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return ""
    key = reveal(request.app.state.settings.secret_key).encode()
    return hmac.new(key, f"csrf\n{cookie}".encode(), hashlib.sha256).hexdigest()


async def verify_csrf(request: Request) -> None:
    """Refuse a cookie-authenticated state change that lacks the matching CSRF token."""
    if _bearer(request) or not request.cookies.get(SESSION_COOKIE):
        return  # a bearer header is not ambient; without a cookie the viewer check answers
    sent = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")


def get_optional_viewer(request: Request, session: SessionDep) -> Viewer | None:
    """The bearer token's viewer, else the browser session's (the cookie is never a token)."""
    bearer = _bearer(request)
    if bearer:
        return viewer_for_secret(session, bearer)
    cookie = request.cookies.get(SESSION_COOKIE)
    return viewer_for_session(session, cookie) if cookie else None


def not_signed_in() -> HTTPException:
    """The 401 for a request without a known, unrevoked token."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="sign in with a bearer token (gemba token create LOGIN)",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def get_viewer(viewer: Annotated[Viewer | None, Depends(get_optional_viewer)]) -> Viewer:
    if viewer is None:
        raise not_signed_in()
    return viewer


async def get_admin(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="admin token required")
    return viewer


OptionalViewerDep = Annotated[Viewer | None, Depends(get_optional_viewer)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AdminDep = Annotated[Viewer, Depends(get_admin)]
CsrfDep = Annotated[None, Depends(verify_csrf)]
