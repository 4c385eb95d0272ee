"""A person's Slack nudges and prompt answers: theirs to see; their manager sees named ones."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from app.core.access import can_view_person
from app.core.people import person_for_login
from app.http.api.limits import ERROR_RESPONSES
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from app.nudges.history import answers_of, sent_to

router = APIRouter(tags=["nudges"])


class NudgeOut(BaseModel):
    kind: str
    item: str
    text: str
    status: str
    sent_at: datetime | None


class AnswerOut(BaseModel):
    item: str
    answer: str
    answered_at: datetime


class NudgesOut(BaseModel):
    sent: list[NudgeOut]
    answers: list[AnswerOut]


@router.get(
    "/people/{login}/nudges",
    response_model=NudgesOut,
    responses={**ERROR_RESPONSES, 404: {"description": "No such person for this viewer"}},
)
def nudges(login: str, session: SessionDep, settings: SettingsDep, viewer: ViewerDep) -> NudgesOut:
    """Nudges sent to LOGIN and their answers; anonymous answers only for LOGIN themself."""
    person = person_for_login(session, login)
    if (
        person is None
        or person.id is None
        or not can_view_person(session, viewer, person.id, team_only_mode=settings.team_only_mode)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such person")
    own = person.id == viewer.person_id
    return NudgesOut(
        sent=[NudgeOut(**vars(n)) for n in sent_to(session, person.id)],
        answers=[AnswerOut(**vars(a)) for a in answers_of(session, person.id, with_anonymous=own)],
    )
