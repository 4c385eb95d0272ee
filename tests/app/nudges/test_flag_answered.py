"""flag_answered: the author of a named flag hears of a manager's answer; anonymous flags never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.settings import Settings
from app.nudges import send
from app.nudges.slack import web_client
from tests import world as rows

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _sent(engine, slack, settings, now=NOW):
    report = send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), now, settings)
    return [(n.kind, n.recipient) for n in report.sent]


def answered_flag(session, author, team, summary: str, answered: timedelta, by, created=5):
    """A flag `author` (None: anonymous) raised `created` days ago that `by` answered
    `answered` before NOW."""
    return rows.make_flag(
        session,
        author,
        summary=summary,
        team=team,
        created_at=NOW - timedelta(days=created),
        status="answered",
        answer="Fixed it",
        answered_by_id=by.id,
        answered_at=NOW - answered,
    )


def test_a_named_flag_answered_within_two_days_tells_its_author_once_per_answer(
    engine, session, slack, settings
):
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    mia = rows.make_person(session, "mia", slack_user_id="U0BOB0001")
    team = rows.make_team(session, "Payments", manager=mia, members=[ada])
    hour = timedelta(hours=1)
    named = answered_flag(session, ada, team, "CI queue is slow", hour, mia)
    answered_flag(session, None, team, "Reviews take ages", hour, mia)
    answered_flag(session, ada, team, "Old one", timedelta(days=3), mia, created=9)
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


def test_links_to_gemba_walk_start_at_gemba_base_url(engine, session, slack, settings, monkeypatch):
    monkeypatch.setenv("GEMBA_BASE_URL", "https://gemba.example.org/walk/")
    configured = Settings(_env_file=None, database_url=settings.database_url)
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    mia = rows.make_person(session, "mia")
    team = rows.make_team(
        session, "Pay Ops", manager=mia, members=[ada], slack_channel="C0PAYMENTS1"
    )
    flag = answered_flag(session, ada, team, "CI queue is slow", timedelta(hours=1), mia)
    session.commit()
    send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), NOW, configured)
    links = {
        m["text"].split()[0]: m["blocks"][1]["elements"][0]["url"] for m in slack.workspace.messages
    }
    assert links == {
        "Your": f"https://gemba.example.org/walk/flags/{flag.public_id}",
        "Good": "https://gemba.example.org/walk/teams/Pay%20Ops",
    }
