"""team_daily: the team channel's note at the digest hour on working days; anonymous flags
only as counts from three up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.agreements import set_agreements
from app.nudges import send
from app.nudges.slack import web_client
from tests import world as rows

MONDAY_8_BERLIN = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _sent(engine, slack, settings, now):
    report = send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), now, settings)
    return [(n.kind, n.recipient) for n in report.sent if n.kind == "team_daily"]


def _payments(session):
    """Ada's team in Berlin, with its Slack channel."""
    ada = rows.make_person(session, "ada")
    return rows.make_team(
        session,
        "Payments",
        manager=None,
        members=[ada],
        timezone="Europe/Berlin",
        slack_channel="C0PAYMENTS1",
    )


def test_the_note_goes_at_the_digest_hour_once_a_working_day(engine, session, slack, settings):
    team = _payments(session)
    rows.make_pull(
        session,
        rows.make_repo(session),
        "ada",
        number=3,
        ready_at=MONDAY_8_BERLIN - timedelta(hours=2),
    )
    for n in range(3):
        rows.make_flag(
            session,
            None,
            summary=f"slow {n}",
            category="slow_build",
            team=team,
            created_at=MONDAY_8_BERLIN - timedelta(hours=3),
        )
    for n in range(2):
        rows.make_flag(
            session,
            None,
            summary=f"docs {n}",
            category="docs",
            team=team,
            created_at=MONDAY_8_BERLIN - timedelta(hours=3),
        )
    session.commit()
    before = MONDAY_8_BERLIN - timedelta(minutes=1)
    assert _sent(engine, slack, settings, before) == []
    assert _sent(engine, slack, settings, MONDAY_8_BERLIN) == [("team_daily", "#Payments")]
    assert _sent(engine, slack, settings, MONDAY_8_BERLIN + timedelta(hours=1)) == []
    [note] = [m for m in slack.workspace.messages if m["channel"] == "C0PAYMENTS1"]
    assert "Waiting for a first review: 1" in note["text"] and "#3 Change 3" in note["text"]
    assert "slow_build 3 anonymous" in note["text"] and "docs" not in note["text"]
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    assert _sent(engine, slack, settings, saturday) == []


def test_the_note_lists_new_agreement_exceptions_since_fridays_note_and_names_no_one(
    engine, session, slack, settings
):
    team = _payments(session)
    set_agreements(session, team.id, {"first_review_hours": 4, "wip_prs_per_person": 1}, by="t")
    repo = rows.make_repo(session)
    friday_11_berlin = datetime(2026, 2, 27, 10, 0, tzinfo=UTC)
    rows.make_pull(session, repo, "ada", number=3, ready_at=friday_11_berlin)
    thursday = friday_11_berlin - timedelta(days=1)  # past the line before Friday's note
    rows.make_pull(session, repo, "ada", number=4, ready_at=thursday - timedelta(hours=5))
    session.commit()
    assert _sent(engine, slack, settings, MONDAY_8_BERLIN) == [("team_daily", "#Payments")]
    [note] = slack.workspace.messages
    assert "New agreement exceptions since the last note:\n" in note["text"]
    assert "• first_review_hours: 1 (acme/shop#3)" in note["text"]
    assert "• wip_prs_per_person: 1\n" in note["text"] and "ada" not in note["text"]
