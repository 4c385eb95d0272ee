"""What a person was sent and what they answered, for the API and their page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.core.models import NudgeDelivery, PromptAnswer, TeamMember
from app.core.models.base import as_utc


@dataclass(frozen=True)
class SentNudge:
    kind: str
    item: str
    text: str
    status: str
    sent_at: datetime | None


@dataclass(frozen=True)
class Answer:
    item: str
    answer: str  # yes / anonymous / no
    answered_at: datetime


def sent_to(db: Session, person_id: int) -> list[SentNudge]:
    """The person's own nudges that went out (newest first)."""
    rows = db.exec(
        select(NudgeDelivery)
        .where(
            NudgeDelivery.person_id == person_id,
            col(NudgeDelivery.status).in_(["sent", "updated"]),
        )
        .order_by(col(NudgeDelivery.sent_at).desc())
    )
    return [SentNudge(r.kind, r.item, r.text, r.status, as_utc(r.sent_at)) for r in rows]


def answers_of(db: Session, person_id: int, *, with_anonymous: bool) -> list[Answer]:
    """The person's prompt answers; anonymous ones only for the person themself."""
    query = (
        select(PromptAnswer, NudgeDelivery.item)
        .join(NudgeDelivery, col(NudgeDelivery.id) == col(PromptAnswer.delivery_id))
        .where(PromptAnswer.person_id == person_id)
        .order_by(col(PromptAnswer.answered_at).desc())
    )
    if not with_anonymous:
        query = query.where(PromptAnswer.answer != "anonymous")
    return [Answer(item, a.answer, as_utc(a.answered_at)) for a, item in db.exec(query)]


@dataclass(frozen=True)
class Felt:
    """How many long waits the person said got in their way, of those they answered."""

    in_the_way: int
    answered: int

    def sentence(self, *, own: bool) -> str:
        waits = "long wait" if self.answered == 1 else "long waits"
        if own:
            return f"{self.in_the_way} of your {self.answered} {waits} got in your way"
        return f"{self.in_the_way} of {self.answered} {waits} got in their way (named answers)"


def felt(db: Session, person_id: int, *, with_anonymous: bool) -> Felt | None:
    """Their prompt answers as counts (None before any); anonymous ones only for themself."""
    answers = answers_of(db, person_id, with_anonymous=with_anonymous)
    if not answers:
        return None
    return Felt(sum(a.answer != "no" for a in answers), len(answers))


K_ANONYMOUS = 3  # anonymous answers count only from three up, so none points at its author


@dataclass(frozen=True)
class TeamFelt:
    """The team's answers in a period: how many of its long waits got in the way."""

    in_the_way: int
    answered: int

    def sentence(self) -> str:
        waits = "long wait" if self.answered == 1 else "long waits"
        share = round(100 * self.in_the_way / self.answered)
        return f"{self.in_the_way} of the team's {self.answered} {waits} got in the way ({share} %)"


def team_felt(db: Session, team_id: int, since: datetime, until: datetime) -> TeamFelt | None:
    """Members' answers given in [since, until): every named one, anonymous ones only from
    K_ANONYMOUS up; None when nothing is left to count."""
    members = select(TeamMember.person_id).where(TeamMember.team_id == team_id)
    answers = list(
        db.exec(
            select(PromptAnswer.answer).where(
                col(PromptAnswer.person_id).in_(members),
                col(PromptAnswer.answered_at) >= since,
                col(PromptAnswer.answered_at) < until,
            )
        )
    )
    anonymous = answers.count("anonymous")
    counted = [a for a in answers if a != "anonymous" or anonymous >= K_ANONYMOUS]
    if not counted:
        return None
    return TeamFelt(sum(a != "no" for a in counted), len(counted))
