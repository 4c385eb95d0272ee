"""The scheduler sends due Slack nudges every ten minutes once a bot token is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from app.ops.scheduler import Scheduler
from tests import world as rows
from tests.app.sandbox.slack.conftest import slack

__all__ = ["slack"]


def test_nudges_run_every_ten_minutes_and_send_once(engine, session, settings, slack):
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    bob = rows.make_person(session, "bob", slack_user_id="U0BOB0001")
    rows.make_team(session, "Payments", manager=None, members=[ada, bob])
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    rows.make_pull(
        session,
        rows.make_repo(session),
        "ada",
        number=4,
        ready_at=now - timedelta(hours=30),
        requested_reviewers=["bob"],
    )
    session.commit()
    config = settings.model_copy(
        update={"slack_bot_token": SecretStr("xoxb-sandbox"), "slack_api_url": slack.url}
    )
    scheduler = Scheduler(config, engine)
    assert "nudges" in scheduler.tick(now)
    assert "nudges" not in scheduler.tick(now + timedelta(minutes=9))
    assert "nudges" in scheduler.tick(now + timedelta(minutes=10))
    assert len(slack.workspace.messages) == 1
