"""Friction flags in the browser: raise one from your page, read it, acknowledge and answer it.

- `POST /flags`: a developer raises a flag (named or anonymous; tied to a PR, a CI run, a file
  or nothing). For an anonymous flag the browser keeps the follow key in an HttpOnly cookie,
  so its author alone finds the answers on their own page (`app.flags.follow`). The cookie's
  name is keyed to the signed-in person, so someone else signing in on the same browser
  does not see them.
- `GET /flags`: the flags to answer, for a manager; `GET /flags/{id}`: one flag and its thread.
- `POST /flags/{id}/acknowledge` and `/flags/{id}/answer`: the manager's buttons.

Every form carries the CSRF token (`app.http.deps.verify_csrf`); the rules of who sees and
answers which flag are `app.flags.rules`', the same as the API's.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.core.access import Viewer
from app.core.models import CATEGORIES, Repository
from app.core.models.flags import PUBLIC_ID_PATTERN
from app.core.settings import reveal
from app.flags import rules
from app.flags.follow import MAX_KEPT, follow_hash, new_follow_key, valid_keys
from app.flags.schemas import AnswerCreate, FlagCreate, FlagView
from app.flags.store import UnknownRepositoryError, create_flag
from app.http.deps import CsrfDep, OptionalViewerDep, SessionDep, csrf_token
from app.http.error_pages import SignInRequiredError, wants_json
from app.http.templating import templates

router = APIRouter(include_in_schema=False)
FOLLOW_COOKIE = "gemba_follow"
FOLLOW_MAX_AGE = 2 * 365 * 24 * 3600  # the keys are the only way back to the answers
HTTP_422 = 422  # named differently across Starlette versions
FlagId = Annotated[str, Path(pattern=PUBLIC_ID_PATTERN)]


def _viewer(request: Request, viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise SignInRequiredError(wants_json(request))
    return viewer


def follow_cookie(request: Request, viewer: Viewer) -> str:
    """This person's follow cookie on this browser (another person's is another name)."""
    key = reveal(request.app.state.settings.secret_key).encode()
    tag = hmac.new(key, f"follow-cookie\n{viewer.person_id}".encode(), hashlib.sha256)
    return f"{FOLLOW_COOKIE}_{tag.hexdigest()[:16]}"


def follow_keys(request: Request, viewer: Viewer) -> list[str]:
    """The follow keys this person's browser holds (their anonymous flags), newest last."""
    return valid_keys(request.cookies.get(follow_cookie(request, viewer), "").split("."))


def _back(request: Request, default: str) -> str:
    """Where a form returns: its `next` field when it is a path on this site, else `default`."""
    target = request.query_params.get("next", "")
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(HTTP_422, detail=[{"loc": ["body", field], "msg": message}])


def _refused(error: ValidationError) -> HTTPException:
    """A form's validation errors as the 422 every front door gives: field and sentence."""
    detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"]} for e in error.errors()]
    return HTTPException(HTTP_422, detail=detail)


def _optional_int(field: str, text: str) -> int | None:
    text = text.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit():
        raise _invalid(field, f"{field} must be a whole number")
    return int(text)


def collected_repositories(session: Session) -> list[str]:
    """The repositories a flag may name: those Gemba Walk collects."""
    return list(session.exec(select(Repository.name).order_by(col(Repository.name))))


def person_flag_context(
    request: Request, session: Session, viewer: Viewer, is_self: bool, flag_ids: list[str]
) -> dict[str, Any]:
    """What the person page needs for its flag forms: on your own page the raise form and
    the anonymous flags this browser raised; on a report's page which flags you may answer."""
    if is_self:
        return {
            "flag_categories": CATEGORIES,
            "flag_repositories": collected_repositories(session),
            "followed_flags": rules.followed(session, follow_keys(request, viewer)),
            "answerable_flags": set(),
        }
    return {"answerable_flags": rules.answerable(session, viewer, flag_ids), "followed_flags": []}


@router.post("/flags")
def raise_flag(
    request: Request,
    session: SessionDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
    summary: Annotated[str, Form(max_length=1000)],
    category: Annotated[str, Form(max_length=30)] = "other",
    details: Annotated[str, Form(max_length=10000)] = "",
    anonymous: Annotated[str, Form(max_length=10)] = "",
    repo: Annotated[str, Form(max_length=300)] = "",
    pull_number: Annotated[str, Form(max_length=20)] = "",
    run_id: Annotated[str, Form(max_length=25)] = "",
    path: Annotated[str, Form(max_length=2100)] = "",
) -> Response:
    """Raise a flag from the browser; back to your page, where it is listed."""
    who = _viewer(request, viewer)
    is_anonymous = anonymous == "on"
    try:
        data = FlagCreate(
            category=category,  # type: ignore[arg-type]
            summary=summary.strip(),
            details=details.strip(),
            repo=repo.strip() or None,
            pull_number=_optional_int("pull_number", pull_number),
            run_id=_optional_int("run_id", run_id),
            path=path.strip() or None,
            anonymous=is_anonymous,
        )
    except ValidationError as error:
        raise _refused(error) from None
    key = new_follow_key() if is_anonymous else None
    try:
        create_flag(session, who, data, follow_hash=follow_hash(key) if key else None)
    except UnknownRepositoryError as error:
        raise _invalid("repo", str(error)) from None
    response = RedirectResponse(
        _back(request, f"/people/{who.login}#flags"), status.HTTP_303_SEE_OTHER
    )
    if key:
        keys = valid_keys([*follow_keys(request, who), key])[-MAX_KEPT:]
        response.set_cookie(
            follow_cookie(request, who),
            ".".join(keys),
            max_age=FOLLOW_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.base_url.startswith("https://"),
            path="/",
        )
    return response


@router.get("/flags", response_model=None)
def flags_to_answer(request: Request, session: SessionDep, viewer: OptionalViewerDep) -> Response:
    """The flags waiting for this viewer's answer, the longest waiting first."""
    who = _viewer(request, viewer)
    flags = rules.to_answer(session, who)
    if wants_json(request):
        return JSONResponse([f.model_dump(mode="json") for f in flags])
    context = {
        "page": None,
        "flags": flags,
        "csrf_token": csrf_token(request),
        "viewer_login": who.login,
    }
    return templates.TemplateResponse(request, "flags.html", context)


@router.get("/flags/{flag_id}", response_model=None)
def flag_page(
    request: Request, flag_id: FlagId, session: SessionDep, viewer: OptionalViewerDep
) -> Response:
    """One flag, what it is tied to, and its answers; the buttons for who may answer it."""
    who = _viewer(request, viewer)
    keys = follow_keys(request, who)
    try:
        flag = rules.get_flag(session, who, flag_id, keys)
    except rules.FlagError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such flag") from None
    if wants_json(request):
        return JSONResponse(flag.model_dump(mode="json"))
    context = {
        "page": None,
        "flag": flag,
        "csrf_token": csrf_token(request),
        "may_answer": rules.may_answer(session, who, flag_id),
        "followed": _follows(session, flag, keys),
    }
    return templates.TemplateResponse(request, "flag.html", context)


def _follows(session: Session, flag: FlagView, keys: list[str]) -> bool:
    """Whether this browser raised the (anonymous) flag: it holds the flag's follow key."""
    return flag.anonymous and any(f.id == flag.id for f in rules.followed(session, keys))


@router.post("/flags/{flag_id}/acknowledge")
def acknowledge_flag(
    request: Request,
    flag_id: FlagId,
    session: SessionDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
) -> Response:
    """ "Seen, we are on it": the author sees the status change."""
    who = _viewer(request, viewer)
    _act(lambda: rules.acknowledge(session, who, flag_id))
    return RedirectResponse(_back(request, f"/flags/{flag_id}"), status.HTTP_303_SEE_OTHER)


@router.post("/flags/{flag_id}/answer")
def answer_flag(
    request: Request,
    flag_id: FlagId,
    session: SessionDep,
    viewer: OptionalViewerDep,
    _csrf: CsrfDep,
    note: Annotated[str, Form(max_length=10000)],
) -> Response:
    """Add an answer to the flag's thread."""
    who = _viewer(request, viewer)
    try:
        body = AnswerCreate(note=note.strip())
    except ValidationError as error:
        raise _refused(error) from None
    _act(lambda: rules.answer(session, who, flag_id, body.note))
    return RedirectResponse(_back(request, f"/flags/{flag_id}"), status.HTTP_303_SEE_OTHER)


def _act(action: Any) -> None:
    try:
        action()
    except rules.FlagError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such flag") from None
    except PermissionError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None
