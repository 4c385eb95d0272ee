"""The team page's working-agreement forms: set the targets, mark an exception expected.

Both go through `app.core.agreements`, as `gemba agreements set` and the API do, so the same
values are refused with the same words, and every change is kept with who and when. Setting
targets is for the team's manager and admins; calling an exception expected is also for the
PR's author. A refused POST is a 403 whatever the form carries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from app.core import access
from app.core.access import Viewer
from app.core.agreements import (
    RULES,
    AgreementError,
    check_value,
    mark_expected,
    may_edit,
    may_mark_expected,
    set_agreements,
)
from app.core.models import Team
from app.http.deps import CsrfDep, OptionalViewerDep, SessionDep
from app.http.error_pages import SignInRequiredError, wants_json

router = APIRouter(include_in_schema=False)
HTTP_422 = 422  # named differently across Starlette versions
MAX_FIELD = 500


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(HTTP_422, detail=[{"loc": ["body", field], "msg": message}])


def _team(request: Request, session: Session, viewer: Viewer | None, name: str) -> Team:
    if viewer is None:
        raise SignInRequiredError(wants_json(request))
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is None or team.id is None or team.id not in access.visible_teams(session, viewer):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no page you may open")
    return team


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_FIELD:
        raise _invalid(name, f"{name} takes at most {MAX_FIELD} characters")
    return text


def targets_from_form(form: Any) -> dict[str, Any]:
    """Every target the form holds: an empty box or an unticked one removes that target."""
    values: dict[str, Any] = {}
    for name, rule in RULES.items():
        text = _field(form, name)
        if not rule.unit:
            values[name] = True if text == "true" else None
            continue
        if not text:
            values[name] = None
            continue
        try:
            number = float(text)
        except ValueError:
            raise _invalid(name, f"{name} takes a number of {rule.unit}, not {text!r}") from None
        try:
            values[name] = check_value(name, number)
        except AgreementError as error:
            raise _invalid(name, str(error)) from None
    labels = [label.strip() for label in _field(form, "exclude_labels").split(",")]
    values["exclude_labels"] = [label for label in labels if label] or None
    values["working_hours"] = True if _field(form, "working_hours") == "true" else None
    return values


@router.post("/teams/{name}/agreements")
async def set_targets(
    request: Request, name: str, session: SessionDep, viewer: OptionalViewerDep, _csrf: CsrfDep
) -> Response:
    """Store the targets the manager typed (the change is kept with who and when)."""
    team = _team(request, session, viewer, name)
    assert viewer is not None and team.id is not None
    if not may_edit(viewer, team):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="only the team's manager and admins set its agreements",
        )
    values = targets_from_form(await request.form())
    try:
        set_agreements(session, team.id, values, by=viewer.login)
    except AgreementError as error:
        raise _invalid("agreements", str(error)) from None
    return RedirectResponse(f"/teams/{team.name}#agreements", status.HTTP_303_SEE_OTHER)


@router.post("/teams/{name}/agreements/expected")
def mark_exception_expected(
    request: Request,
    name: str,
    session: SessionDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
    rule: Annotated[str, Form(min_length=1, max_length=40)],
    item: Annotated[str, Form(min_length=1, max_length=300)],
    reason: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Call one exception expected with a one-line reason: it leaves the counts, stays listed."""
    team = _team(request, session, viewer, name)
    assert viewer is not None and team.id is not None
    if not may_mark_expected(session, viewer, team, item):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="only the PR's author or the team's manager"
        )
    try:
        mark_expected(session, team.id, rule, item, reason, by=viewer.login)
    except AgreementError as error:
        raise _invalid("reason", str(error)) from None
    return RedirectResponse(f"/teams/{team.name}#agreements", status.HTTP_303_SEE_OTHER)
