"""The schedule sends due Slack nudges every ten minutes once a bot token is set, each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from app.ops import worker
from app.ops.queue import NUDGES_CRON, Queue
from app.ops.tasks import Runtime
from tests import world as rows
from tests.app.ops.queue_db import empty_queue
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
    empty_queue(engine)
    schedule = Queue(Runtime(config, engine)).app.periodic_registry.periodic_tasks
    assert {key[0]: task.cron for key, task in schedule.items()}["gemba.nudges"] == NUDGES_CRON
    assert NUDGES_CRON == "*/10 * * * *"
    queue = Queue(Runtime(config, engine), schedule=False)
    for tick in (now, now + timedelta(minutes=10)):  # the second finds the nudge sent
        with queue.app.open():
            queue.nudges.defer(timestamp=int(tick.timestamp()))
        done = worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.1))
        assert (done.done, done.failed) == (1, 0)
    empty_queue(engine)
    assert len(slack.workspace.messages) == 1
