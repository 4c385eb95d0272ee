"""The unsubscribe link in every digest: GET shows a confirmation button, POST unsubscribes.

GET never changes anything, because mail scanners open links before people do; the POST is
also what RFC 8058 one-click unsubscribe (`List-Unsubscribe-Post`) sends. The token in the
path is the only credential, so no sign-in is needed; a signed-in browser must still send its
CSRF token (the confirmation form carries it), like every other state change.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from sqlmodel import select

from app.core.models import Person
from app.http.deps import CSRF_FIELD, CsrfDep, SessionDep, csrf_token
from dashboards.digest.delivery import unsubscribe

router = APIRouter(tags=["digest"])

UNKNOWN = "This unsubscribe link is not valid (it may be from an old email)."
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Gemba Walk weekly email</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto;line-height:1.5">
<h1 style="font-size:1.3em">Gemba Walk weekly email</h1>
{body}
</body></html>"""


def _page(body: str, code: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=code)


@router.get(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    responses={404: {"description": "Unknown token"}},
)
def confirm(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    """Ask before unsubscribing: a link opened by a mail scanner changes nothing."""
    person = session.exec(select(Person).where(Person.unsubscribe_token == token)).first()
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=UNKNOWN)
    if person.digest_unsubscribed:
        return _page("<p>You are unsubscribed: no more weekly emails will be sent to you.</p>")
    return _page(
        f"<p>Stop sending the weekly digest to {escape(person.email or person.login)}?</p>"
        '<form method="post" action="">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">'
        '<button type="submit">Unsubscribe</button></form>'
    )


@router.post(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    responses={404: {"description": "Unknown token"}},
)
def confirmed(token: str, session: SessionDep, _csrf: CsrfDep) -> HTMLResponse:
    """Unsubscribe (also the RFC 8058 one-click POST from mail clients)."""
    if unsubscribe(session, token) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=UNKNOWN)
    return _page("<p>Done: no more weekly emails will be sent to you.</p>")
