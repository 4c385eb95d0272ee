"""Who am I, whom may I see, and who looked at my data."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from app.core.access import (
    Viewer,
    can_view_person,
    managed_teams,
    record_view,
    teams_of,
    views_of,
    visible_people,
)
from app.core.models import Person, Team
from app.core.people import list_people, person_for_login
from app.http.api.limits import ERROR_RESPONSES
from app.http.deps import SessionDep, SettingsDep, ViewerDep

router = APIRouter(tags=["people"])

NOT_FOUND = {404: {"description": "No such person for this viewer"}}


class TeamRef(BaseModel):
    id: int
    name: str


class PersonOut(BaseModel):
    login: str
    name: str | None
    email: str | None
    teams: list[str]


class MeOut(BaseModel):
    login: str
    name: str | None
    email: str | None
    is_admin: bool
    teams: list[TeamRef]
    manages: list[TeamRef]
    team_only_mode: bool


class ViewOut(BaseModel):
    viewer_login: str
    viewed_at: datetime
    what: str


def _team_refs(session: SessionDep, team_ids: set[int]) -> list[TeamRef]:
    teams = [session.get(Team, tid) for tid in sorted(team_ids)]
    return [TeamRef(id=t.id, name=t.name) for t in teams if t is not None and t.id is not None]


@router.get("/me", response_model=MeOut, responses=ERROR_RESPONSES)
def me(session: SessionDep, settings: SettingsDep, viewer: ViewerDep) -> MeOut:
    person = session.get(Person, viewer.person_id)
    assert person is not None
    return MeOut(
        login=person.login,
        name=person.name,
        email=person.email,
        is_admin=viewer.is_admin,
        teams=_team_refs(session, teams_of(session, viewer.person_id)),
        manages=_team_refs(
            session, managed_teams(session, Viewer(person_id=viewer.person_id, login=viewer.login))
        ),
        team_only_mode=settings.team_only_mode,
    )


@router.get("/people", response_model=list[PersonOut], responses=ERROR_RESPONSES)
def people(session: SessionDep, settings: SettingsDep, viewer: ViewerDep) -> list[PersonOut]:
    """The people whose individual data you may see: yourself, your reports (admins: all)."""
    ids = visible_people(session, viewer, team_only_mode=settings.team_only_mode)
    return [
        PersonOut(login=r.login, name=r.name, email=r.email, teams=r.teams)
        for r in list_people(session, only=ids)
    ]


def _visible_person(
    session: SessionDep, settings: SettingsDep, viewer: Viewer, login: str
) -> Person:
    person = person_for_login(session, login)
    if person is None or person.id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such person")
    if not can_view_person(session, viewer, person.id, team_only_mode=settings.team_only_mode):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such person")
    return person


@router.get("/people/{login}", response_model=PersonOut, responses={**ERROR_RESPONSES, **NOT_FOUND})
def person(login: str, session: SessionDep, settings: SettingsDep, viewer: ViewerDep) -> PersonOut:
    """One person, if you may see them; the view is logged for them to see."""
    found = _visible_person(session, settings, viewer, login)
    assert found.id is not None
    record_view(session, viewer, found.id, "api:person")
    [row] = list_people(session, only={found.id})
    return PersonOut(login=row.login, name=row.name, email=row.email, teams=row.teams)


@router.get(
    "/people/{login}/views",
    response_model=list[ViewOut],
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def views(login: str, session: SessionDep, viewer: ViewerDep) -> list[ViewOut]:
    """Who looked at this person's data: only the person themself and admins may ask."""
    found = person_for_login(session, login)
    if found is None or found.id is None or not (viewer.is_admin or found.id == viewer.person_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such person")
    return [
        ViewOut(viewer_login=v.viewer_login, viewed_at=v.viewed_at, what=v.what)
        for v in views_of(session, found.id)
    ]
