"""A person's say in their nudges: off for every kind or one, and back on; CLI and page alike."""

from __future__ import annotations

from sqlmodel import Session, select

from app.core.models import NudgeOptOut

KINDS = ("review_waiting", "ci_flaky", "flag_answered", "team_daily", "prompt")
EVERY = "*"


def switch(db: Session, person_id: int, kind: str | None, *, off: bool) -> None:
    """Switch `kind` (None: every kind) off or on; on for every kind clears each one too."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    key = kind or EVERY
    if off:
        if db.get(NudgeOptOut, (person_id, key)) is None:
            db.add(NudgeOptOut(person_id=person_id, kind=key))
    else:
        query = select(NudgeOptOut).where(NudgeOptOut.person_id == person_id)
        for found in db.exec(query if kind is None else query.where(NudgeOptOut.kind == key)):
            db.delete(found)
    db.commit()


def switched_off(db: Session, person_id: int) -> set[str]:
    """The kinds the person switched off ("*" for all)."""
    return set(db.exec(select(NudgeOptOut.kind).where(NudgeOptOut.person_id == person_id)))
