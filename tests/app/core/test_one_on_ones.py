"""A 1:1 is an explicit event: what a date means, who may mark one, and which one is the last."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from app.core import one_on_ones
from app.core.access import Viewer
from app.core.models import Person
from app.core.one_on_ones import OneOnOneError, held_moment, parse_held
from tests import world as rows

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def test_a_date_means_its_end_or_now_when_it_is_today() -> None:
    assert held_moment(date(2026, 11, 18), None, now=NOW) == datetime(
        2026, 11, 18, 23, 59, 59, tzinfo=UTC
    )
    assert held_moment(date(2026, 11, 20), None, now=NOW) == NOW
    assert held_moment(date(2026, 11, 20), time(9, 0), now=NOW) == NOW.replace(hour=9, minute=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, NOW),
        ("", NOW),
        ("2026-11-18", datetime(2026, 11, 18, 23, 59, 59, tzinfo=UTC)),
        ("2026-11-20T09:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20T10:00+01:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
    ],
)
def test_parse_held(text: str | None, expected: datetime) -> None:
    assert parse_held(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-11-21", "future"),
        ("2026-11-20T16:00", "future"),
        ("1999-12-31", "too long ago"),
        ("next tuesday", "not a date"),
        ("2026-13-01", "not a date"),
    ],
)
def test_parse_held_refuses_what_cannot_be_a_held_1on1(text: str, message: str) -> None:
    with pytest.raises(OneOnOneError, match=message):
        parse_held(text, now=NOW)


def _org(session: Session) -> tuple[Person, Person, Person]:
    maya, alice, carol = (rows.make_person(session, login) for login in ("maya", "alice", "carol"))
    rows.make_team(session, "platform", manager=maya, members=[alice])
    return maya, alice, carol


def test_only_someone_above_the_person_may_mark_their_1on1_held(session: Session) -> None:
    maya, alice, carol = _org(session)
    assert alice.id is not None
    as_maya = Viewer(person_id=maya.id or 0, login="maya")
    as_alice = Viewer(person_id=alice.id, login="alice")
    as_carol = Viewer(person_id=carol.id or 0, login="carol")
    as_admin = Viewer(person_id=carol.id or 0, login="carol", is_admin=True)
    may = one_on_ones.may_mark_held
    assert may(session, as_maya, alice.id, team_only_mode=False)
    assert may(session, as_admin, alice.id, team_only_mode=False)
    assert not may(session, as_alice, alice.id, team_only_mode=False)  # not your own
    assert not may(session, as_carol, alice.id, team_only_mode=False)
    assert not may(session, as_maya, alice.id, team_only_mode=True)  # no individual pages


def test_the_last_held_1on1_is_the_newest_up_to_the_moment_asked(session: Session) -> None:
    maya, alice, _ = _org(session)
    assert alice.id is not None
    assert one_on_ones.last_held(session, alice.id, until=NOW) is None
    earlier, later = NOW - timedelta(days=9), NOW - timedelta(days=2)
    one_on_ones.mark_held(session, alice.id, later, marked_by_id=maya.id)
    one_on_ones.mark_held(session, alice.id, earlier, marked_by_id=None)
    again = one_on_ones.mark_held(session, alice.id, later, marked_by_id=None)
    assert again.marked_by_id == maya.id  # the same moment twice keeps the first record
    assert one_on_ones.last_held(session, alice.id, until=NOW) == later
    assert one_on_ones.last_held(session, alice.id, until=later - timedelta(seconds=1)) == earlier
    assert one_on_ones.last_held_for(session, {alice.id, maya.id or 0}, until=NOW) == {
        alice.id: later
    }
    assert [(h.held_at, h.marked_by) for h in one_on_ones.history(session, alice.id)] == [
        (later, "maya"),
        (earlier, None),
    ]
