"""Admin API: import people and teams, map unknown identities, manage tokens.

Every route here requires an admin token (`gemba token create LOGIN --admin`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from app.core.people import (
    PeopleError,
    import_people,
    map_identity,
    person_for_login,
    unknown_identities,
)
from app.core.tokens import TokenInfo, create_token, list_tokens, revoke_token
from app.http.api.limits import ERROR_RESPONSES, RowId, large_body_route
from app.http.deps import AdminDep, CsrfDep, SessionDep, get_admin

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(get_admin)],
    route_class=large_body_route(2 * 1024 * 1024),
)

BAD_INPUT = {422: {"description": "The document or the request is invalid; see detail"}}


class ImportOut(BaseModel):
    people_created: list[str]
    people_updated: list[str]
    teams_created: list[str]
    teams_updated: list[str]
    identities_added: int


async def _document(request: Request) -> Any:
    """The request body as YAML or JSON (by Content-Type; YAML is a superset of JSON)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
        if "json" in request.headers.get("content-type", ""):
            return json.loads(text)
        return yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"cannot parse the body: {message}"
        ) from None


PEOPLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.post(
    "/people/import",
    response_model=ImportOut,
    responses={**ERROR_RESPONSES, **BAD_INPUT},
    openapi_extra=PEOPLE_BODY,
)
def post_import(
    document: Annotated[Any, Depends(_document)], session: SessionDep, _csrf: CsrfDep
) -> ImportOut:
    """Import the people file (the same format as `gemba people import`); idempotent."""
    try:
        report = import_people(session, document)
    except PeopleError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error).splitlines()
        ) from None
    return ImportOut(
        people_created=report.people_created,
        people_updated=report.people_updated,
        teams_created=report.teams_created,
        teams_updated=report.teams_updated,
        identities_added=report.identities_added,
    )


class UnknownOut(BaseModel):
    kind: str
    value: str
    seen: int


@router.get("/identities/unknown", response_model=list[UnknownOut], responses=ERROR_RESPONSES)
def get_unknown(request: Request, session: SessionDep) -> list[UnknownOut]:
    """Emails and logins seen in commits, PRs and reviews that no person claims yet."""
    bots = request.app.state.settings.bot_logins
    return [
        UnknownOut(kind=u.kind, value=u.value, seen=u.seen)
        for u in unknown_identities(session, ignore_logins=bots)
    ]


class MapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["email", "login"]
    value: str = Field(min_length=1, max_length=320)
    login: str = Field(min_length=1, max_length=100)


class IdentityOut(BaseModel):
    kind: str
    value: str
    login: str


@router.post(
    "/identities/map",
    response_model=IdentityOut,
    responses={**ERROR_RESPONSES, **BAD_INPUT},
)
def post_map(body: MapIn, session: SessionDep, _csrf: CsrfDep) -> IdentityOut:
    """Claim an email or login for a person."""
    try:
        map_identity(session, body.kind, body.value, body.login)
    except PeopleError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    return IdentityOut(kind=body.kind, value=body.value.strip(), login=body.login)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=100)
    is_admin: bool = False
    label: str | None = Field(default=None, max_length=100)


class NewTokenOut(TokenInfo):
    secret: str = Field(description="Shown once; only its hash is stored")


@router.get("/tokens", response_model=list[TokenInfo], responses=ERROR_RESPONSES)
def get_tokens(session: SessionDep) -> list[TokenInfo]:
    return list_tokens(session)


@router.post(
    "/tokens",
    response_model=NewTokenOut,
    status_code=status.HTTP_201_CREATED,
    responses={**ERROR_RESPONSES, **BAD_INPUT},
)
def post_token(body: TokenIn, session: SessionDep, _admin: AdminDep, _csrf: CsrfDep) -> NewTokenOut:
    """Make a token for a person; the response is the only place the secret ever appears."""
    person = person_for_login(session, body.login)
    if person is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"no person with login {body.login!r}"
        )
    token, secret = create_token(session, person, is_admin=body.is_admin, label=body.label)
    [info] = [t for t in list_tokens(session, person_id=person.id) if t.id == token.id]
    return NewTokenOut(**info.model_dump(), secret=secret)


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=TokenInfo,
    responses={**ERROR_RESPONSES, 404: {"description": "No such token"}},
)
def post_revoke(token_id: RowId, session: SessionDep, _csrf: CsrfDep) -> TokenInfo:
    if not revoke_token(session, token_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such token")
    [info] = [t for t in list_tokens(session) if t.id == token_id]
    return info
