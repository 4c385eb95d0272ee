"""The person page's "1:1 held" form: the manager marks the 1:1 held, the period moves.

`gemba oneone held` does the same from the command line; both go through
`app.core.one_on_ones`, so a date means the same thing in either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core import one_on_ones
from app.core.access import can_view_person
from app.core.one_on_ones import OneOnOneError
from app.core.people import person_for_login
from app.http.deps import CsrfDep, OptionalViewerDep, SessionDep, SettingsDep
from app.http.error_pages import SignInRequiredError, wants_json

router = APIRouter(include_in_schema=False)
HTTP_422 = 422  # named differently across Starlette versions


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(HTTP_422, detail=[{"loc": ["body", field], "msg": message}])


def _parse(held_on: str, held_time: str) -> tuple[date, time | None]:
    try:
        day = date.fromisoformat(held_on.strip())
    except ValueError:
        raise _invalid("held_on", "held_on must be a date, YYYY-MM-DD") from None
    if not held_time.strip():
        return day, None
    try:
        return day, time.fromisoformat(held_time.strip())
    except ValueError:
        raise _invalid("held_time", "held_time must be a time, HH:MM (UTC)") from None


def _now(request: Request) -> datetime:
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


@router.post("/people/{login}/one-on-ones")
def mark_held(
    request: Request,
    login: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
    held_on: Annotated[str, Form(max_length=10)],
    held_time: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Mark the person's 1:1 held (their managers and admins; the person cannot)."""
    if viewer is None:
        raise SignInRequiredError(wants_json(request))
    person = person_for_login(session, login)
    if (
        person is None
        or person.id is None
        or not can_view_person(session, viewer, person.id, team_only_mode=settings.team_only_mode)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no page you may open")
    if not one_on_ones.may_mark_held(
        session, viewer, person.id, team_only_mode=settings.team_only_mode
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="your manager marks your 1:1 held")
    day, at = _parse(held_on, held_time)
    try:
        held_at = one_on_ones.held_moment(day, at, now=_now(request))
    except OneOnOneError as error:
        raise _invalid("held_on", str(error)) from None
    one_on_ones.mark_held(session, person.id, held_at, marked_by_id=viewer.person_id)
    return RedirectResponse(f"/people/{person.login}", status.HTTP_303_SEE_OTHER)
