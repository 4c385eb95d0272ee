"""1:1s as explicit events: a manager marks one held, and "since the last 1:1" starts there.

Agenda items and notes never move that start: a developer who adds "can we talk about review
load?" the day before must not shrink the manager's preparation to one day. The web form and
`gemba oneone held` both come through here, so they agree on what a date means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core import access
from app.core.access import Viewer
from app.core.models import OneOnOne, Person
from app.core.models.base import as_utc

EARLIEST = date(2000, 1, 1)  # a 1:1 before this is a typo, not history


class OneOnOneError(ValueError):
    """A date that cannot be a held 1:1 (in the future, or malformed)."""


@dataclass(frozen=True)
class HeldOneOnOne:
    held_at: datetime
    marked_by: str | None  # login; None when marked from the command line


def held_moment(day: date, at: time | None, *, now: datetime) -> datetime:
    """When a 1:1 on `day` took place, in UTC: at `at` when given; otherwise at the end of that
    day, or now when that day is today (so what happens after the 1:1 counts for the next)."""
    if day < EARLIEST:
        raise OneOnOneError(f"a 1:1 on {day.isoformat()} is too long ago to mark")
    if at is not None:
        moment = datetime.combine(day, at.replace(tzinfo=None), tzinfo=UTC)
    elif day == now.astimezone(UTC).date():
        moment = now
    else:
        moment = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    if moment > now:
        raise OneOnOneError(
            f"a 1:1 cannot be held in the future ({moment:%Y-%m-%d %H:%M} UTC is after now)"
        )
    return moment.replace(microsecond=0)


def parse_held(text: str | None, *, now: datetime) -> datetime:
    """`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS][+HH:MM]` (UTC without an offset); none: now."""
    if text is None or not text.strip():
        return now.replace(microsecond=0)
    value = text.strip()
    try:
        if len(value) == len("YYYY-MM-DD"):
            day, at = date.fromisoformat(value), None
        else:
            moment = datetime.fromisoformat(value)
            moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
            day, at = moment.date(), moment.time()
    except ValueError:
        raise OneOnOneError(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"
        ) from None
    return held_moment(day, at, now=now)


def may_mark_held(
    session: Session, viewer: Viewer, person_id: int, *, team_only_mode: bool
) -> bool:
    """Whoever may open the person's page, except the person: their managers and admins."""
    return viewer.person_id != person_id and access.can_view_person(
        session, viewer, person_id, team_only_mode=team_only_mode
    )


def mark_held(
    session: Session, person_id: int, held_at: datetime, *, marked_by_id: int | None
) -> OneOnOne:
    """Record the 1:1; marking the same moment twice keeps the first record."""
    held_at = held_at.astimezone(UTC).replace(microsecond=0)
    existing = session.exec(
        select(OneOnOne).where(OneOnOne.person_id == person_id, OneOnOne.held_at == held_at)
    ).first()
    if existing is not None:
        return existing
    row = OneOnOne(person_id=person_id, held_at=held_at, marked_by_id=marked_by_id)
    session.add(row)
    session.flush()
    return row


def last_held(session: Session, person_id: int, *, until: datetime) -> datetime | None:
    """The newest 1:1 held by `until` (a page as of `until` ignores later ones)."""
    latest = session.exec(
        select(func.max(OneOnOne.held_at)).where(
            OneOnOne.person_id == person_id, col(OneOnOne.held_at) <= until
        )
    ).one()
    return as_utc(latest)


def last_held_for(
    session: Session, person_ids: set[int], *, until: datetime
) -> dict[int, datetime]:
    """The newest 1:1 of each person, in one query (the home page's next 1:1s)."""
    if not person_ids:
        return {}
    rows = session.exec(
        select(OneOnOne.person_id, func.max(OneOnOne.held_at))
        .where(col(OneOnOne.person_id).in_(person_ids), col(OneOnOne.held_at) <= until)
        .group_by(OneOnOne.person_id)
    )
    return {pid: as_utc(at) or at for pid, at in rows}


def history(session: Session, person_id: int, *, limit: int = 10) -> list[HeldOneOnOne]:
    """The person's held 1:1s, newest first, with who marked each."""
    rows = session.exec(
        select(OneOnOne.held_at, Person.login)
        .join(Person, Person.id == OneOnOne.marked_by_id, isouter=True)  # type: ignore[arg-type]
        .where(OneOnOne.person_id == person_id)
        .order_by(col(OneOnOne.held_at).desc())
        .limit(limit)
    )
    return [HeldOneOnOne(as_utc(at) or at, login) for at, login in rows]
