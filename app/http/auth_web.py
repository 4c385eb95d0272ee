"""Browser sign-in with a token: an HttpOnly, SameSite=Lax session cookie, and sign-out.

The cookie holds the token secret itself (it is what the API would take as a bearer), so
revoking the token signs the browser out too. Forms that change state need the CSRF token
from `app.http.deps.csrf_token` (see the docstring there).
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.tokens import viewer_for_secret
from app.http.deps import SESSION_COOKIE, CsrfDep, SessionDep, csrf_token

router = APIRouter(tags=["sign-in"], include_in_schema=False)

COOKIE_MAX_AGE = 30 * 24 * 3600

SIGNIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Gemba Walk</title></head>
<body><main>
<h1>Sign in to Gemba Walk</h1>
<p>Paste the token you got from <code>gemba token create YOUR_LOGIN</code>.</p>
{error}
<form method="post" action="/signin">
<label>Token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
</main></body></html>
"""


def _page(error: str = "", code: int = status.HTTP_200_OK) -> HTMLResponse:
    message = f'<p role="alert">{escape(error)}</p>' if error else ""
    return HTMLResponse(SIGNIN_PAGE.format(error=message), status_code=code)


def _sign_in(request: Request, session: SessionDep, token: str) -> Response:
    if viewer_for_secret(session, token.strip()) is None:
        return _page("That token is unknown or revoked.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token.strip(),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.base_url.startswith("https://"),
        path="/",
    )
    return response


@router.get("/signin", response_model=None)
def signin_page(request: Request, session: SessionDep, token: str | None = None) -> Response:
    """The sign-in form; `?token=` signs in directly (handy for a link sent by an admin)."""
    if token:
        return _sign_in(request, session, token)
    return _page()


@router.post("/signin", response_model=None)
def signin(request: Request, session: SessionDep, token: Annotated[str, Form()]) -> Response:
    return _sign_in(request, session, token)


@router.post("/signout", response_model=None)
def signout(request: Request, _csrf: CsrfDep) -> Response:
    """Forget the cookie (the token stays valid: revoke it to end every session)."""
    response = RedirectResponse("/signin", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


__all__ = ["csrf_token", "router"]
