"""flag_answered: the author of a named flag hears of a manager's answer; anonymous flags never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.nudges import send
from app.nudges.slack import web_client
from tests import world as rows

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _sent(engine, slack, settings, now=NOW):
    report = send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), now, settings)
    return [(n.kind, n.recipient) for n in report.sent]


def test_a_named_flag_answered_within_two_days_tells_its_author_once_per_answer(
    engine, session, slack, settings
):
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    mia = rows.make_person(session, "mia", slack_user_id="U0BOB0001")
    team = rows.make_team(session, "Payments", manager=mia, members=[ada])
    answered = dict(status="answered", answer="Fixed the runner", answered_by_id=mia.id)
    named = rows.make_flag(
        session,
        ada,
        summary="CI queue is slow",
        team=team,
        created_at=NOW - timedelta(days=5),
        answered_at=NOW - timedelta(hours=1),
        **answered,
    )
    rows.make_flag(
        session,
        None,
        summary="Reviews take ages",
        team=team,
        created_at=NOW - timedelta(days=5),
        answered_at=NOW - timedelta(hours=1),
        **answered,
    )
    rows.make_flag(
        session,
        ada,
        summary="Old one",
        team=team,
        created_at=NOW - timedelta(days=9),
        answered_at=NOW - timedelta(days=3),
        **answered,
    )
    session.commit()
    assert _sent(engine, slack, settings) == [("flag_answered", "ada")]
    assert f"/flags/{named.public_id}" in str(slack.workspace.messages[0]["blocks"])
    assert _sent(engine, slack, settings) == []
    named.answered_at = NOW + timedelta(hours=1)  # a second answer in the thread
    session.add(named)
    session.commit()
    assert _sent(engine, slack, settings, now=NOW + timedelta(hours=2)) == [
        ("flag_answered", "ada")
    ]
