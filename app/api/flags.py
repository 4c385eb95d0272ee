"""Friction flags over HTTP: raise one in ten seconds, list, acknowledge, answer.

`POST /friction` honours `Idempotency-Key`: a retried request returns the first flag (200, with
`Idempotent-Replayed: true`) and never makes a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status

from app.api.limits import ERROR_RESPONSES, LimitedBodyRoute, RowId, check_rate
from app.deps import CsrfDep, SessionDep, ViewerDep, idempotency_scope
from app.flags import (
    FlagAnswer,
    FlagCreate,
    FlagError,
    FlagView,
    TeamFlags,
    acknowledge,
    answer,
    create_flag,
    get_flag,
    list_for_manager,
    list_own,
    visible_flags,
)

router = APIRouter(tags=["friction"], route_class=LimitedBodyRoute)


NOT_FOUND = {404: {"description": "No such flag for this viewer"}}


@router.post(
    "/friction",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagView,
    responses={
        **ERROR_RESPONSES,
        200: {"description": "A retry with the same Idempotency-Key: the first flag"},
        429: {"description": "Too many flags from this token; see Retry-After"},
    },
)
def post_flag(
    body: FlagCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    viewer: ViewerDep,
    _csrf: CsrfDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> FlagView:
    """Raise a friction flag. Send `Idempotency-Key` so that retries are safe."""
    check_rate(request, viewer.token_id or f"person:{viewer.person_id}")
    view, created = create_flag(
        session,
        viewer,
        body,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope(request),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return view


@router.get("/friction", response_model=list[FlagView], responses=ERROR_RESPONSES)
def get_flags(
    session: SessionDep,
    viewer: ViewerDep,
    scope: Literal["mine", "visible"] = "mine",
    repo: Annotated[str | None, Query(max_length=200)] = None,
    pull_number: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    path: Annotated[str | None, Query(max_length=2000)] = None,
    workflow: Annotated[str | None, Query(max_length=300)] = None,
    run_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[FlagView]:
    """`mine`: flags you raised under your name. `visible`: every flag you may see (your
    reports' and your teams'), optionally only those tied to one repo, PR, file or workflow."""
    if scope == "mine":
        return list_own(session, viewer)
    return visible_flags(
        session,
        viewer,
        repo=repo,
        pull_number=pull_number,
        path=path,
        workflow=workflow,
        run_id=run_id,
    )


@router.get("/friction/teams", response_model=list[TeamFlags], responses=ERROR_RESPONSES)
def get_team_flags(session: SessionDep, viewer: ViewerDep) -> list[TeamFlags]:
    """For managers: each managed team's flags; anonymous ones as counts in small teams."""
    return list_for_manager(session, viewer)


@router.get(
    "/friction/{flag_id}", response_model=FlagView, responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def get_one_flag(flag_id: RowId, session: SessionDep, viewer: ViewerDep) -> FlagView:
    try:
        return get_flag(session, viewer, flag_id)
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.post(
    "/friction/{flag_id}/acknowledge",
    response_model=FlagView,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_acknowledge(
    flag_id: RowId, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagView:
    """A manager says "seen": the author sees the status change."""
    return _act(lambda: acknowledge(session, viewer, flag_id))


@router.post(
    "/friction/{flag_id}/answer",
    response_model=FlagView,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_answer(
    flag_id: RowId, body: FlagAnswer, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagView:
    """A manager answers with a note; the author sees it (the loop closes)."""
    return _act(lambda: answer(session, viewer, flag_id, body.note))


def _act(action: Callable[[], FlagView]) -> FlagView:
    try:
        return action()
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except PermissionError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None
