"""Friction flags over HTTP: raise one in ten seconds, list, acknowledge, answer.

`POST /friction` honours `Idempotency-Key`: a retried request returns the first flag (200, with
`Idempotent-Replayed: true`) and never makes a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict

from app.api.limits import ERROR_RESPONSES, LimitedBodyRoute, check_rate
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


class FlagOut(BaseModel):
    """A flag; `author_login` is null for anonymous flags (no author is stored at all)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    team_id: int | None
    team_name: str | None
    category: str
    summary: str
    details: str
    anonymous: bool
    author_login: str | None
    repo: str | None
    pull_number: int | None
    path: str | None
    workflow: str | None
    run_id: int | None
    created_at: datetime
    status: str
    answer: str | None
    answered_by_login: str | None
    answered_at: datetime | None


class TeamFlagsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    team_id: int
    team_name: str
    members: int
    flags: list[FlagOut]
    anonymous_counts: dict[str, int]


def _out(view: FlagView) -> FlagOut:
    return FlagOut.model_validate(view)


NOT_FOUND = {404: {"description": "No such flag for this viewer"}}


@router.post(
    "/friction",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagOut,
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
) -> FlagOut:
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
    return _out(view)


@router.get("/friction", response_model=list[FlagOut], responses=ERROR_RESPONSES)
def get_flags(
    session: SessionDep,
    viewer: ViewerDep,
    scope: Literal["mine", "visible"] = "mine",
    repo: Annotated[str | None, Query(max_length=200)] = None,
    pull_number: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    path: Annotated[str | None, Query(max_length=2000)] = None,
    workflow: Annotated[str | None, Query(max_length=300)] = None,
    run_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[FlagOut]:
    """`mine`: flags you raised under your name. `visible`: every flag you may see (your
    reports' and your teams'), optionally only those tied to one repo, PR, file or workflow."""
    if scope == "mine":
        return [_out(v) for v in list_own(session, viewer)]
    views = visible_flags(
        session,
        viewer,
        repo=repo,
        pull_number=pull_number,
        path=path,
        workflow=workflow,
        run_id=run_id,
    )
    return [_out(v) for v in views]


@router.get("/friction/teams", response_model=list[TeamFlagsOut], responses=ERROR_RESPONSES)
def get_team_flags(session: SessionDep, viewer: ViewerDep) -> list[TeamFlagsOut]:
    """For managers: each managed team's flags; anonymous ones as counts in small teams."""
    return [_team_out(t) for t in list_for_manager(session, viewer)]


def _team_out(team: TeamFlags) -> TeamFlagsOut:
    return TeamFlagsOut(
        team_id=team.team_id,
        team_name=team.team_name,
        members=team.members,
        flags=[_out(v) for v in team.flags],
        anonymous_counts=team.anonymous_counts,
    )


@router.get(
    "/friction/{flag_id}", response_model=FlagOut, responses={**ERROR_RESPONSES, **NOT_FOUND}
)
def get_one_flag(flag_id: int, session: SessionDep, viewer: ViewerDep) -> FlagOut:
    try:
        return _out(get_flag(session, viewer, flag_id))
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.post(
    "/friction/{flag_id}/acknowledge",
    response_model=FlagOut,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_acknowledge(
    flag_id: int, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagOut:
    """A manager says "seen": the author sees the status change."""
    return _act(lambda: acknowledge(session, viewer, flag_id))


@router.post(
    "/friction/{flag_id}/answer",
    response_model=FlagOut,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_answer(
    flag_id: int, body: FlagAnswer, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagOut:
    """A manager answers with a note; the author sees it (the loop closes)."""
    return _act(lambda: answer(session, viewer, flag_id, body.note))


def _act(action: Callable[[], FlagView]) -> FlagOut:
    try:
        return _out(action())
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except PermissionError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None
