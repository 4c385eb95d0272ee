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
    """How many long waits (and flaky failures) the person said got in their way, of those
    they answered: a prompt on a PR asks about its wait, one on a run about its flaky job."""

    in_the_way: int
    answered: int
    flaky_in_the_way: int = 0
    flaky_answered: int = 0

    def counts(self, whose: str, *, shares: bool = False) -> str:
        """ "3 of your 5 long waits and 1 of your 2 flaky failures", leaving out what was not
        asked about."""
        parts = []
        for hit, asked, one, many in (
            (self.in_the_way, self.answered, "long wait", "long waits"),
            (self.flaky_in_the_way, self.flaky_answered, "flaky failure", "flaky failures"),
        ):
            if asked:
                share = f" ({round(100 * hit / asked)} %)" if shares else ""
                parts.append(f"{hit} of {whose}{asked} {one if asked == 1 else many}{share}")
        return " and ".join(parts)

    def sentence(self, *, own: bool) -> str:
        if own:
            return f"{self.counts('your ')} got in your way"
        return f"{self.counts('')} got in their way (named answers)"


def felt(db: Session, person_id: int, *, with_anonymous: bool) -> Felt | None:
    """Their prompt answers as counts (None before any); anonymous ones only for themself."""
    answers = answers_of(db, person_id, with_anonymous=with_anonymous)
    if not answers:
        return None
    waits = [a for a in answers if not a.item.startswith("run:")]
    flaky = [a for a in answers if a.item.startswith("run:")]
    return Felt(
        sum(a.answer != "no" for a in waits),
        len(waits),
        sum(a.answer != "no" for a in flaky),
        len(flaky),
    )


K_ANONYMOUS = 3  # anonymous answers count only from three up, so none points at its author


@dataclass(frozen=True)
class TeamFelt(Felt):
    """The team's answers in a period, with each part's share."""

    def team_sentence(self) -> str:
        whose = "the team's "
        return f"{self.counts(whose, shares=True)} got in the way"


def team_felt(db: Session, team_id: int, since: datetime, until: datetime) -> TeamFelt | None:
    """Members' answers given in [since, until): every named one, anonymous ones only from
    K_ANONYMOUS up; None when nothing is left to count."""
    members = select(TeamMember.person_id).where(TeamMember.team_id == team_id)
    answers = list(
        db.exec(
            select(PromptAnswer.answer, NudgeDelivery.item)
            .join(NudgeDelivery, col(NudgeDelivery.id) == col(PromptAnswer.delivery_id))
            .where(
                col(PromptAnswer.person_id).in_(members),
                col(PromptAnswer.answered_at) >= since,
                col(PromptAnswer.answered_at) < until,
            )
        )
    )
    anonymous = sum(answer == "anonymous" for answer, _ in answers)
    counted = [(a, i) for a, i in answers if a != "anonymous" or anonymous >= K_ANONYMOUS]
    if not counted:
        return None
    waits = [a for a, item in counted if not item.startswith("run:")]
    flaky = [a for a, item in counted if item.startswith("run:")]
    return TeamFelt(
        sum(a != "no" for a in waits),
        len(waits),
        sum(a != "no" for a in flaky),
        len(flaky),
    )
