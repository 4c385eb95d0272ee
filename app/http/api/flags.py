"""Friction flags over HTTP: raise one in ten seconds, list, acknowledge, answer.

`POST /friction` honours `Idempotency-Key`: a retried request returns the first flag (200, with
`Idempotent-Replayed: true`) and never makes a second one. It is `async` and hands the flag to
the group-commit writer (`app.flags.writer`), which also resolves the token and the rate.
A flag is addressed by its random public id. Raising an anonymous flag returns its
`follow_key`; sent back as the `Flag-Follow-Key` header, it shows the author that flag and its
answers (`app.flags.follow`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response, status

from app.core.models.flags import PUBLIC_ID_PATTERN
from app.flags.follow import follow_hash, new_follow_key
from app.flags.rules import (
    FlagError,
    acknowledge,
    answer,
    get_flag,
    list_for_manager,
    list_own,
    visible_flags,
)
from app.flags.schemas import AnswerCreate, FlagCreate, FlagRaised, FlagView, TeamFlags
from app.flags.store import UnknownRepositoryError, idempotency_hash
from app.flags.writer import Failed, FlagPost, FlagWriter, Invalid, Throttled, Unauthorized
from app.http.api.limits import ERROR_RESPONSES, LimitedBodyRoute, flag_admission, too_many
from app.http.deps import (
    CsrfDep,
    SessionDep,
    ViewerDep,
    idempotency_scope,
    not_signed_in,
    sqlite_write_turn,
    token_hash_from,
)

router = APIRouter(tags=["friction"], route_class=LimitedBodyRoute)


NOT_FOUND = {404: {"description": "No such flag for this viewer"}}
FlagId = Annotated[str, Path(pattern=PUBLIC_ID_PATTERN, description="the flag's public id")]
FollowKey = Annotated[
    str | None,
    Header(alias="Flag-Follow-Key", max_length=100, description="an anonymous flag's follow key"),
]


def unknown_repository(error: UnknownRepositoryError) -> HTTPException:
    """The 422 for a flag on a repository that was never collected."""
    return HTTPException(
        422, detail=[{"loc": ["body", "repo"], "msg": str(error), "type": "unknown_repository"}]
    )


@router.post(
    "/friction",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagRaised,
    responses={
        **ERROR_RESPONSES,
        200: {"description": "A retry with the same Idempotency-Key: the first flag"},
        429: {"description": "Too many flags from this token; see Retry-After"},
    },
)
async def post_flag(
    body: FlagCreate,
    request: Request,
    response: Response,
    _csrf: CsrfDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> FlagRaised:
    """Raise a friction flag. Send `Idempotency-Key` so that retries are safe. The repository,
    if given, must be one Gemba Walk collects (else 422). An anonymous flag's answer carries
    its `follow_key`: keep it to read the answers."""
    token_hash = await token_hash_from(request)
    if not token_hash:
        raise not_signed_in()
    scope = idempotency_scope(request) or ""
    key_hash = idempotency_hash(scope, idempotency_key) if idempotency_key else None
    follow_key = new_follow_key(scope, idempotency_key) if body.anonymous else None
    post = FlagPost(
        token_hash=token_hash,
        data=body,
        key_hash=key_hash,
        follow_hash=follow_hash(follow_key) if follow_key else None,
    )
    outcome = await _flag_writer(request).submit(post)
    if isinstance(outcome, Unauthorized):
        raise not_signed_in()
    if isinstance(outcome, Throttled):
        raise too_many(outcome.wait)
    if isinstance(outcome, Invalid):
        raise unknown_repository(outcome.error)
    if isinstance(outcome, Failed):
        raise outcome.error
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return FlagRaised(**outcome.view.model_dump(), follow_key=follow_key)


def _flag_writer(request: Request) -> FlagWriter:
    """This event loop's flag writer (tests may run the app on more than one loop)."""
    state = request.app.state
    loop = asyncio.get_running_loop()
    writer: FlagWriter | None = getattr(state, "flag_writer", None)
    if writer is None or writer.loop is not loop:
        turn = sqlite_write_turn(request)
        writer = state.flag_writer = FlagWriter(state.engine, flag_admission(request), loop, turn)
    return writer


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
def get_one_flag(
    flag_id: FlagId, session: SessionDep, viewer: ViewerDep, follow_key: FollowKey = None
) -> FlagView:
    """One flag and its answers, for a viewer who may see it or holds its follow key."""
    try:
        return get_flag(session, viewer, flag_id, [follow_key] if follow_key else [])
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.post(
    "/friction/{flag_id}/acknowledge",
    response_model=FlagView,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_acknowledge(
    flag_id: FlagId, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagView:
    """A manager says "seen": the author sees the status change."""
    return _act(lambda: acknowledge(session, viewer, flag_id))


@router.post(
    "/friction/{flag_id}/answer",
    response_model=FlagView,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def post_answer(
    flag_id: FlagId, body: AnswerCreate, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> FlagView:
    """A manager answers with a note, added to the flag's thread; the author sees it."""
    return _act(lambda: answer(session, viewer, flag_id, body.note))


def _act(action: Callable[[], FlagView]) -> FlagView:
    try:
        return action()
    except FlagError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except PermissionError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None
