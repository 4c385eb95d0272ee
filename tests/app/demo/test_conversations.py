"""The demo's flags, 1:1s and notes are spread over its 120 days, not all dated today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlmodel import Session, select

from app.core.models import FrictionFlag, OneOnOne, OneOnOneNote, Person
from app.core.models.base import as_utc
from app.core.people import import_people
from app.demo import conversations, org
from app.demo.build import _flags
from app.demo.plan import HISTORY_DAYS, plan_organisation
from dashboards.periods import resolve_period
from tests import world

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def _seeded(session: Session) -> list[dict[str, object]]:
    import_people(session, org.people_document())
    plans = plan_organisation(20261125, TODAY)
    for plan in plans:
        world.make_repo(session, plan.spec.full_name, html_url=None)
    flags = _flags(plans, {})
    conversations.seed(session, flags, NOW)
    session.commit()
    return flags


def test_flags_are_dated_as_their_stories_say(session: Session) -> None:
    flags = _seeded(session)
    rows = session.exec(select(FrictionFlag)).all()
    assert len(rows) == len(flags)
    ages = sorted((NOW - (as_utc(r.created_at) or r.created_at)).days for r in rows)
    assert ages[0] >= 1 and ages[-1] >= 90 and ages[-1] < HISTORY_DAYS  # spread, none today
    assert len(set(ages)) == len(ages)
    waiting = next(r for r in rows if r.summary.startswith("Waiting on a first review"))
    assert "since last week" in waiting.summary
    assert (NOW - (as_utc(waiting.created_at) or NOW)).days < 7
    for row in rows:
        if row.anonymous:  # as the store keeps every anonymous flag: the start of its day
            assert (as_utc(row.created_at) or NOW).time().isoformat() == "00:00:00"


def test_one_on_ones_every_two_weeks_with_notes_around_them(session: Session) -> None:
    _seeded(session)
    dara = session.exec(select(Person).where(Person.login == org.WAITING_AUTHOR)).one()
    held = sorted(
        as_utc(o.held_at) or o.held_at
        for o in session.exec(select(OneOnOne).where(OneOnOne.person_id == dara.id))
    )
    assert len(held) >= 8
    assert all(b - a == timedelta(days=14) for a, b in pairwise(held))
    assert NOW - held[0] < timedelta(days=HISTORY_DAYS)
    members = [m for m in org.MEMBERS if all(m.login != t.manager for t in org.TEAMS)]
    assert len(session.exec(select(OneOnOne)).all()) >= 8 * len(members)
    notes = session.exec(select(OneOnOneNote).where(OneOnOneNote.person_id == dara.id)).all()
    open_items = [n.body for n in notes if n.shared and not n.done]
    assert open_items == [conversations.NEXT_ITEM]
    assert any(not n.shared for n in notes)  # the manager's private notes
    period = resolve_period(session, None, now=NOW, person_id=dara.id)
    assert period.start == held[-1]  # the agenda item of yesterday does not move it
    assert timedelta(days=2) <= NOW - period.start <= timedelta(days=14)
