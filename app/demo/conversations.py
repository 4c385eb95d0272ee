"""The demo's conversations, spread over its 120 days as a real team's would be: friction flags
raised on the days their stories say, 1:1s held every two weeks, agenda items before each
(ticked off in it) and the manager's private notes after, and one item for the next 1:1.

Everything is deterministic for a day; the flags go through `app.flags.store` like any other,
then get the day they were raised (an anonymous one the start of its day, as the store keeps
every anonymous flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.models import FrictionFlag, OneOnOne, OneOnOneNote, Person
from app.demo import org
from app.demo.plan import HISTORY_DAYS
from app.flags.schemas import FlagCreate
from app.flags.store import create_flag

ONE_ON_ONE_EVERY_DAYS = 14
ONE_ON_ONE_HOUR = 10  # UTC
# Topics a developer puts on the agenda before a 1:1, and what the manager writes after it.
AGENDA = (
    "Can we talk about my growth plan?",
    "The on-call rota next month",
    "Pairing on the billing migration",
    "Conference budget for the spring",
    "Is the refund work still the priority?",
    "Feedback on my design review",
)
AFTER = (
    "Follow up on the training budget",
    "Check how the new rota feels in two weeks",
    "Ask the platform team about runner capacity",
    "Celebrate the release in the team meeting",
)
NEXT_ITEM = "Can we talk about review load?"  # added the day before, as the agenda invites


@dataclass(frozen=True)
class Seeded:
    flags: int
    one_on_ones: int
    notes: int


def post_flags(session: Session, flags: Sequence[dict[str, Any]], now: datetime) -> int:
    """Raise the manifest's flags as their authors, each dated `days_ago` before `now`."""
    for index, flag in enumerate(flags):
        author = _person(session, flag["author"])
        fields = {
            k: v for k, v in flag.items() if k not in ("author", "days_ago") and v is not None
        }
        viewer = Viewer(person_id=author.id or 0, login=author.login)
        view, _ = create_flag(
            session, viewer, FlagCreate(**fields), idempotency_key=f"demo-{index}"
        )
        raised = now - timedelta(days=flag.get("days_ago", 0))
        if flag.get("anonymous"):
            raised = raised.replace(hour=0, minute=0, second=0, microsecond=0)
        row = session.exec(select(FrictionFlag).where(FrictionFlag.public_id == view.id)).one()
        row.created_at = raised
        session.add(row)
    session.flush()
    return len(flags)


def hold_one_on_ones(session: Session, now: datetime) -> tuple[int, int]:
    """Every member's fortnightly 1:1 with their manager over the demo's history, with the
    agenda items and notes around each; returns (1:1s, notes) written."""
    held = notes = 0
    for team_index, team in enumerate(org.TEAMS):
        manager = _person(session, team.manager)
        members = [m for m in org.MEMBERS if m.team == team.name and m.login != team.manager]
        for index, member in enumerate(members):
            person = _person(session, member.login)
            offset = 2 + (index * 3 + team_index * 5) % 12  # days since the last: 2 to 13
            moments = _held_moments(now, offset)
            for number, moment in enumerate(moments):
                session.add(OneOnOne(person_id=person.id, held_at=moment, marked_by_id=manager.id))
                topic = AGENDA[(index + number) % len(AGENDA)]
                notes += _note(session, person, person, topic, moment - timedelta(days=1), True)
                after = AFTER[(index + number) % len(AFTER)]
                notes += _note(session, person, manager, after, moment + timedelta(hours=1), False)
            held += len(moments)
            if member.login == org.WAITING_AUTHOR:
                notes += _note(session, person, person, NEXT_ITEM, now - timedelta(days=1), None)
    session.flush()
    return held, notes


def _held_moments(now: datetime, days_since_last: int) -> list[datetime]:
    """1:1s every two weeks back from `days_since_last` days ago, inside the history."""
    last = (now - timedelta(days=days_since_last)).replace(
        hour=ONE_ON_ONE_HOUR, minute=0, second=0, microsecond=0
    )
    moments = []
    moment = last
    while moment > now - timedelta(days=HISTORY_DAYS):
        moments.append(moment)
        moment -= timedelta(days=ONE_ON_ONE_EVERY_DAYS)
    return sorted(moments)


def _note(
    session: Session,
    person: Person,
    author: Person,
    body: str,
    at: datetime,
    shared: bool | None,
) -> int:
    """An agenda item (shared; ticked off unless it is for the next 1:1, `None`) or a
    private note."""
    session.add(
        OneOnOneNote(
            person_id=person.id,
            author_id=author.id,
            shared=shared is not False,
            body=body,
            created_at=at,
            done=shared is True,
        )
    )
    return 1


def _person(session: Session, login: str) -> Person:
    person = session.exec(select(Person).where(Person.login == login)).first()
    if person is None or person.id is None:
        raise LookupError(f"demo person {login!r} was not imported")
    return person


def seed(session: Session, flags: Sequence[dict[str, Any]], now: datetime) -> Seeded:
    """Flags, 1:1s and notes for the demo, all as of `now`."""
    posted = post_flags(session, flags, now)
    held, notes = hold_one_on_ones(session, now)
    return Seeded(posted, held, notes)
