"""The 1:1 itself on the person page: when the last one was held, the shared agenda (items since
then are "for the next 1:1"), the manager's private notes, and who looked at the person's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.core import access, one_on_ones
from app.core.access import Viewer, ViewRecord
from app.core.models import OneOnOneNote, Person
from app.core.models.base import as_utc
from app.core.one_on_ones import HeldOneOnOne

WHO_LOOKED_SHOWN = 20
VIEW_LABELS = {  # what a logged look was, as the person reads it
    "person_page": "opened your page",
    "home_page_next_1on1": "saw your top talking point on their home page",
    "api:person": "looked you up through the API",
    "api:ci": "read your CI numbers through the API",
    "api:reviews": "read your review flow through the API",
}


@dataclass
class LookedAt:
    """One look at the person's data, worded for them."""

    viewer_login: str
    viewed_at: datetime
    what: str
    label: str


def looked_at(views: list[ViewRecord]) -> list[LookedAt]:
    return [
        LookedAt(
            v.viewer_login,
            v.viewed_at,
            v.what,
            VIEW_LABELS.get(v.what, f"opened {v.what.replace('_', ' ')}"),
        )
        for v in views
    ]


@dataclass
class NoteItem:
    id: int
    body: str
    author: str
    created_at: datetime
    shared: bool
    done: bool
    for_next: bool = False  # an agenda item added since the last 1:1 was held


@dataclass
class OneOnOneState:
    """When the last 1:1 was held and whether this viewer may mark the next one held."""

    last_held_at: datetime | None
    held: list[HeldOneOnOne]  # newest first
    can_mark_held: bool
    today: str  # the form's default date (YYYY-MM-DD, UTC)


def one_on_one_state(
    session: Session, viewer: Viewer, person_id: int, now: datetime, *, team_only_mode: bool
) -> OneOnOneState:
    held = [h for h in one_on_ones.history(session, person_id) if h.held_at <= now]
    return OneOnOneState(
        last_held_at=held[0].held_at if held else None,
        held=held,
        can_mark_held=one_on_ones.may_mark_held(
            session, viewer, person_id, team_only_mode=team_only_mode
        ),
        today=now.date().isoformat(),
    )


def notes(
    session: Session, person_id: int, viewer: Viewer, is_self: bool, last_held: datetime | None
) -> tuple[list[NoteItem], list[NoteItem] | None]:
    """The shared agenda, and the viewer's own private notes (never the person's to see)."""
    rows = session.exec(
        select(OneOnOneNote, Person.login)
        .join(Person, Person.id == OneOnOneNote.author_id)  # type: ignore[arg-type]
        .where(OneOnOneNote.person_id == person_id)
        .order_by(col(OneOnOneNote.created_at).desc())
        .limit(100)
    )
    agenda: list[NoteItem] = []
    private: list[NoteItem] = []
    for note, author in rows:
        created = as_utc(note.created_at) or note.created_at
        item = NoteItem(
            note.id or 0,
            note.body,
            author,
            created,
            note.shared,
            note.done,
            for_next=note.shared and (last_held is None or created > last_held),
        )
        if note.shared:
            agenda.append(item)
        elif note.author_id == viewer.person_id and not is_self:
            private.append(item)
    return agenda, None if is_self else private


def for_next_one_on_one(session: Session, person_id: int, last_held: datetime | None) -> list[str]:
    """The open agenda items added since the last 1:1, oldest first (the home pages' count)."""
    rows = session.exec(
        select(OneOnOneNote.body, OneOnOneNote.created_at)
        .where(
            OneOnOneNote.person_id == person_id,
            col(OneOnOneNote.shared),
            ~col(OneOnOneNote.done),
        )
        .order_by(col(OneOnOneNote.created_at))
    )
    return [body for body, at in rows if last_held is None or (as_utc(at) or at) > last_held]


def who_looked(
    session: Session, viewer: Viewer, person_id: int, *, limit: int = WHO_LOOKED_SHOWN
) -> list[LookedAt] | None:
    """Who opened this person's data, for the person themself (None for anyone else)."""
    if viewer.person_id != person_id:
        return None
    return looked_at(access.views_of(session, person_id, limit=limit))
