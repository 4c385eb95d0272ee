"""The person's own page: switch Slack nudges off or on, every kind or one (nobody else can)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.people import person_for_login
from app.http.deps import CsrfDep, OptionalViewerDep, SessionDep
from app.http.error_pages import SignInRequiredError, wants_json
from app.nudges import optout

router = APIRouter(include_in_schema=False)


@router.post("/people/{login}/nudges")
def switch_nudges(
    request: Request,
    login: str,
    session: SessionDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
    switch: Annotated[str, Form(pattern="^(on|off)$")],
    kind: Annotated[str, Form(max_length=30)] = "all",
) -> Response:
    """Only the person themself switches their nudges (404 for anyone else)."""
    if viewer is None:
        raise SignInRequiredError(wants_json(request))
    person = person_for_login(session, login)
    if person is None or person.id is None or person.id != viewer.person_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no page you may open")
    if kind != "all" and kind not in optout.KINDS:
        raise HTTPException(422, detail=f"unknown kind {kind!r}")
    optout.switch(session, person.id, None if kind == "all" else kind, off=switch == "off")
    return RedirectResponse(f"/people/{person.login}#nudges", status.HTTP_303_SEE_OTHER)
