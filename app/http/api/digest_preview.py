"""The signed-in viewer's own weekly digest, exactly as the email would show it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.core.models import Person
from app.flags.lookup import lookup
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from dashboards.digest.build import render_parts
from dashboards.digest.delivery import digest_for

router = APIRouter(tags=["digest"])


@router.get(
    "/digest/preview",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/plain": {}}},
        404: {"description": "The viewer gets no digest"},
        422: {"description": "Malformed or future week"},
    },
)
def preview(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    week: str | None = Query(None, description="ISO week such as 2026-W47", max_length=10),
    format: Literal["html", "text"] = Query("html", description="html or text"),
) -> Response:
    """The HTML (or plain text) of the digest the viewer would receive for `week`."""
    person = session.get(Person, viewer.person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such person")
    try:
        data = digest_for(session, person, week, settings, datetime.now(UTC), flags=lookup)
    except ValueError as error:
        raise HTTPException(
            422,
            detail=[{"loc": ["query", "week"], "msg": str(error), "type": "value_error"}],
        ) from error
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="you get no weekly digest")
    text, html = render_parts(data)
    if format == "text":
        return PlainTextResponse(text)
    return HTMLResponse(html)
