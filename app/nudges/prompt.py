"""The in-the-moment question and its answer: a Yes raises a friction flag on that PR."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.models import (
    FrictionFlag,
    NudgeDelivery,
    Person,
    PromptAnswer,
    PullRequest,
    Repository,
    WorkflowRun,
)
from app.flags.schemas import FlagCreate
from app.flags.store import create_flag

QUESTION = "Did this get in your way?"
ANSWERS = {"prompt_yes": "yes", "prompt_anonymous": "anonymous", "prompt_no": "no"}
CATEGORY = {"pr": "review_wait", "run": "flaky_build"}


def prompt_blocks(text: str, delivery_id: int) -> list[dict]:
    """The question with its three buttons; each carries the delivery it answers."""
    button = [("Yes, flag it", "prompt_yes"), ("Yes, anonymously", "prompt_anonymous")]
    button.append(("No", "prompt_no"))
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{text} *{QUESTION}*"}},
        {
            "type": "actions",
            "block_id": "gemba_prompt",
            "elements": [
                {
                    "type": "button",
                    "action_id": action,
                    "text": {"type": "plain_text", "text": label},
                    "value": str(delivery_id),
                }
                for label, action in button
            ],
        },
    ]


class AnswerError(ValueError):
    """An interaction that does not answer a prompt sent to this Slack user."""


def record_answer(db: Session, slack_user: str, action_id: str, value: str) -> PromptAnswer:
    """Store the answer once (a replay returns the first); a Yes raises a flag on the item."""
    if action_id not in ANSWERS or not value.isdigit():
        raise AnswerError(f"unknown action {action_id!r}")
    delivery = db.get(NudgeDelivery, int(value))
    person = db.get(Person, delivery.person_id) if delivery and delivery.person_id else None
    if delivery is None or delivery.kind != "prompt" or person is None:
        raise AnswerError("no such prompt")
    if person.slack_user_id != slack_user:
        raise AnswerError("this prompt was sent to someone else")
    found = db.exec(select(PromptAnswer).where(PromptAnswer.delivery_id == delivery.id)).first()
    if found is not None:
        return found
    answer = PromptAnswer(delivery_id=delivery.id, person_id=person.id, answer=ANSWERS[action_id])
    if answer.answer != "no":
        flag_id = _raise_flag(db, person, delivery, anonymous=answer.answer == "anonymous")
        # an anonymous flag is never tied back to its author, here either
        answer.flag_id = flag_id if answer.answer == "yes" else None
    db.add(answer)
    try:
        db.commit()
    except IntegrityError:  # the same click delivered twice at once: the first one stands
        db.rollback()
        return db.exec(select(PromptAnswer).where(PromptAnswer.delivery_id == delivery.id)).one()
    return answer


def _raise_flag(db: Session, person: Person, delivery: NudgeDelivery, *, anonymous: bool) -> int:
    kind, _, ident = delivery.item.partition(":")
    data = {"category": CATEGORY[kind], "summary": delivery.text[:200], "anonymous": anonymous}
    if kind == "pr":
        pull = db.get(PullRequest, int(ident))
        repo = db.get(Repository, pull.repository_id) if pull else None
        if pull and repo:
            data |= {"repo": repo.name, "pull_number": pull.number}
    else:
        run = db.get(WorkflowRun, int(ident))
        repo = db.get(Repository, run.repository_id) if run else None
        data |= {"run_id": int(ident)}
        if run and repo:
            data |= {"repo": repo.name, "workflow": run.name}
    viewer = Viewer(person_id=person.id or 0, login=person.login)
    view, _ = create_flag(
        db, viewer, FlagCreate(**data), idempotency_key=f"slack-prompt:{delivery.id}"
    )
    return _flag_id(db, view.id)


def _flag_id(db: Session, public_id: str) -> int:
    return db.exec(select(FrictionFlag.id).where(FrictionFlag.public_id == public_id)).one()
