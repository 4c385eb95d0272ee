"""A team's working agreements (`/api/v1/agreements...`): targets, exceptions, backtest.

Reading: anyone who may see the team's aggregates. Changing targets: the team's manager and
admins. An exception names its PR's author (or the person whose queue it is) only to a viewer
who may see that person; everyone else sees the item and the situation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.core.access import Viewer
from app.core.agreements import (
    RULES,
    AgreementError,
    agreements_of,
    history_of,
    mark_expected,
    may_edit,
    may_mark_expected,
    set_agreements,
)
from app.flags.lookup import flags_by_item
from app.http.api.query import IsoTime, bad_query
from app.http.api.visibility import LoginVisibility, visible_team
from app.http.deps import CsrfDep, SessionDep, SettingsDep, ViewerDep
from dashboards.reports.agreements import (
    ExceptionsOut,
    exception_out,
    flag_items,
    team_exceptions,
    with_flags,
)

router = APIRouter(prefix="/agreements", tags=["agreements"])

TeamQuery = Annotated[str, Query(min_length=1, max_length=100, description="Team name")]
NOT_FOUND = {404: {"description": "No such team visible to you"}}
MAX_DAYS = 366


class ChangeOut(BaseModel):
    name: str
    old: Any
    new: Any
    by: str
    at: datetime


class AgreementsOut(BaseModel):
    team: str
    agreements: dict[str, Any]
    history: list[ChangeOut]
    may_edit: bool


class AgreementsIn(BaseModel):
    """Targets to set; a null removes one."""

    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any] = Field(min_length=1, max_length=20)


class ExpectedIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    team: str = Field(min_length=1, max_length=100)
    rule: str = Field(min_length=1, max_length=40)
    item: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=200)


def _window(
    since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise bad_query(name, "give a time zone (e.g. 2026-03-01T00:00:00Z)")
    end = until or now
    start = since or end - timedelta(days=30)
    if start >= end:
        raise bad_query("since", "since must be before until")
    if end - start > timedelta(days=MAX_DAYS):
        raise bad_query("since", f"the window may span at most {MAX_DAYS} days")
    return start, end


def _answer(session: Any, viewer: Viewer, settings: Any, result: Any) -> ExceptionsOut:
    visible = LoginVisibility(session, viewer, settings.team_only_mode)
    keyed = flags_by_item(session, viewer, flag_items(result.exceptions))
    return ExceptionsOut(
        team=result.team,
        since=result.since,
        until=result.until,
        agreements=dict(result.targets.limits),
        counts=dict(result.counts),
        exceptions=[
            with_flags(exception_out(e, show_person=visible.login(e.person)), keyed)
            for e in result.exceptions
        ],
    )


@router.get("", response_model=AgreementsOut, responses=NOT_FOUND)
def get_agreements(team: TeamQuery, session: SessionDep, viewer: ViewerDep) -> AgreementsOut:
    """The team's targets and every change, latest first."""
    found = visible_team(session, viewer, team)
    assert found.id is not None
    return AgreementsOut(
        team=found.name,
        agreements=agreements_of(session, found.id),
        history=[
            ChangeOut(
                name=c.name, old=c.old_value, new=c.new_value, by=c.changed_by, at=c.changed_at
            )
            for c in history_of(session, found.id)
        ],
        may_edit=may_edit(viewer, found),
    )


@router.put(
    "",
    response_model=AgreementsOut,
    responses={**NOT_FOUND, 403: {"description": "Only the team's manager and admins"}},
)
def put_agreements(
    team: TeamQuery, body: AgreementsIn, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep
) -> AgreementsOut:
    """Set targets (the change is kept with who and when)."""
    found = visible_team(session, viewer, team)
    if not may_edit(viewer, found):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="only the team's manager and admins set its agreements",
        )
    assert found.id is not None
    try:
        set_agreements(session, found.id, body.values, by=viewer.login)
    except AgreementError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    return get_agreements(team, session, viewer)


@router.get("/exceptions", response_model=ExceptionsOut, responses=NOT_FOUND)
def get_exceptions(
    team: TeamQuery,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    since: Annotated[
        IsoTime | None, Query(description="From (ISO 8601; default 30 days ago)")
    ] = None,
    until: Annotated[IsoTime | None, Query(description="Until (ISO 8601; default now)")] = None,
) -> ExceptionsOut:
    """Every exception to the team's agreements dated in [since, until)."""
    found = visible_team(session, viewer, team)
    now = datetime.now(UTC)
    start, end = _window(since, until, now)
    result = team_exceptions(session, found, settings, since=start, until=end, now=now)
    return _answer(session, viewer, settings, result)


@router.get("/backtest", response_model=ExceptionsOut, responses=NOT_FOUND)
def get_backtest(
    team: TeamQuery,
    name: Annotated[str, Query(max_length=40, description="An agreement name")],
    value: Annotated[float, Query(gt=0, le=1_000_000, description="The target to try")],
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 30,
) -> ExceptionsOut:
    """How many exceptions `name=value` would have raised over the last `days` days."""
    found = visible_team(session, viewer, team)
    rule = RULES.get(name)
    if rule is None:
        raise bad_query("name", f"no agreement named {name!r} (known: {', '.join(RULES)})")
    tried: Any = True if not rule.unit else (int(value) if value.is_integer() else value)
    now = datetime.now(UTC)
    result = team_exceptions(
        session,
        found,
        settings,
        since=now - timedelta(days=days),
        until=now,
        now=now,
        overrides={name: tried},
        only={name},
    )
    return _answer(session, viewer, settings, result)


@router.post(
    "/expected",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, 403: {"description": "Only the PR's author or the team's manager"}},
)
def post_expected(body: ExpectedIn, session: SessionDep, viewer: ViewerDep, _csrf: CsrfDep) -> None:
    """Mark one exception expected, with a one-line reason: it leaves the counts, stays listed."""
    found = visible_team(session, viewer, body.team)
    assert found.id is not None
    if not may_mark_expected(session, viewer, found, body.item):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="only the PR's author or the team's manager"
        )
    try:
        mark_expected(session, found.id, body.rule, body.item, body.reason, by=viewer.login)
    except AgreementError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
