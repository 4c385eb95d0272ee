"""Browser sign-in: a single-use link or a pasted token opens a server-side session.

The cookie `gemba_session` (HttpOnly, SameSite=Lax) holds a session secret, never the API
token, so signing out ends that session for good and the token never sits in a cookie jar or
a URL. A sign-in link (`/signin/link?code=...`, made by `gemba token link`) is exchanged and
then redirected away from, so neither it nor any token stays in the address bar. After
signing in the browser returns to `next`, when that is a path on this site. Cross-origin
POSTs (login CSRF) are refused by `app.http.guard`; forms that change state need the CSRF
token from `app.http.deps.csrf_token`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.settings import Settings, reveal
from app.core.signin import BadLinkError, end_session, open_session, redeem_link, safe_next
from app.core.tokens import viewer_for_secret
from app.http.deps import SESSION_COOKIE, CsrfDep, SessionDep, csrf_token
from app.http.templating import templates

router = APIRouter(tags=["sign-in"], include_in_schema=False)

NextQuery = Annotated[str, Query(max_length=2000)]
NextForm = Annotated[str, Form(max_length=2000)]


def _page(request: Request, next_path: str, error: str = "", code: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    context = {
        "page": None,
        "error": error,
        "next": safe_next(next_path),
        "link_minutes": settings.signin_link_minutes,
    }
    return templates.TemplateResponse(request, "signin.html", context, status_code=code)


def _signed_in(request: Request, session: SessionDep, token_id: int, next_path: str) -> Response:
    settings: Settings = request.app.state.settings
    opened = open_session(session, token_id, timedelta(days=settings.session_days))
    response = RedirectResponse(safe_next(next_path), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        opened.secret,
        max_age=settings.session_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        path="/",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/signin", response_model=None)
def signin_page(request: Request, next: NextQuery = "/") -> Response:
    """The sign-in form; `next` is where to go afterwards."""
    return _page(request, next)


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=500)],
    next: NextForm = "/",
) -> Response:
    """Exchange a pasted token for a session."""
    viewer = viewer_for_secret(session, token.strip())
    if viewer is None or viewer.token_id is None:
        return _page(request, next, "That token is unknown or revoked.", 401)
    return _signed_in(request, session, viewer.token_id, next)


@router.get("/signin/link", response_model=None)
def signin_link(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Query(max_length=500)],
    next: NextQuery = "/",
) -> Response:
    """Exchange a sign-in link for a session once, then leave its URL behind."""
    key = reveal(request.app.state.settings.secret_key)
    try:
        token_id = redeem_link(session, key, code, datetime.now(UTC))
    except BadLinkError as error:
        return _page(request, next, str(error), status.HTTP_400_BAD_REQUEST)
    return _signed_in(request, session, token_id, next)


@router.post("/signout", response_model=None)
def signout(request: Request, session: SessionDep, _csrf: CsrfDep) -> Response:
    """End this browser's session (its cookie can never sign in again)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(session, cookie)
    response = RedirectResponse("/signin", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


__all__ = ["csrf_token", "router", "safe_next"]
