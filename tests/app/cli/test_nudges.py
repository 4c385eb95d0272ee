"""`gemba nudges send|preview|off|on` against the Slack stand-in: what is due goes out once,
a dry run and a preview send nothing, a person switched off gets nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings
from tests import world as rows
from tests.app.sandbox.slack.conftest import slack

__all__ = ["slack"]
NOW = "2026-03-02T10:00:00+00:00"


@pytest.fixture
def run(db_url: str, engine: Engine, slack, monkeypatch) -> Iterator[CliRunner]:
    with Session(engine, expire_on_commit=False) as session:
        ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
        bob = rows.make_person(session, "bob", slack_user_id="U0BOB0001")
        rows.make_team(session, "Payments", manager=None, members=[ada, bob])
        ready = datetime(2026, 3, 1, 8, 0, tzinfo=UTC) - timedelta(hours=1)
        rows.make_pull(
            session,
            rows.make_repo(session),
            "ada",
            number=4,
            ready_at=ready,
            requested_reviewers=["bob"],
        )
        session.commit()
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    monkeypatch.setenv("GEMBA_SLACK_BOT_TOKEN", "xoxb-sandbox")
    monkeypatch.setenv("GEMBA_SLACK_API_URL", slack.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def gemba(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_send_once_dry_run_and_preview_send_nothing(run, slack):
    code, out = gemba(run, "nudges", "send", "--dry-run", "--now", NOW)
    assert code == 0 and "would send  review_waiting  to bob" in out
    code, out = gemba(run, "nudges", "preview", "--to", "bob", "--now", NOW)
    assert code == 0 and "[review_waiting] PR #4" in out
    assert slack.workspace.messages == []
    assert "sent        review_waiting  to bob" in gemba(run, "nudges", "send", "--now", NOW)[1]
    assert "sent" not in gemba(run, "nudges", "send", "--now", NOW)[1]
    assert len(slack.workspace.messages) == 1


def test_off_and_on_by_kind(run, slack):
    assert gemba(run, "nudges", "off", "--login", "bob", "--kind", "review_waiting")[0] == 0
    assert "switched off" in gemba(run, "nudges", "send", "--now", NOW)[1]
    assert gemba(run, "nudges", "on", "--login", "bob")[0] == 0
    assert "sent" in gemba(run, "nudges", "send", "--now", NOW)[1]


def test_bad_input_is_one_clear_line(run):
    code, out = gemba(run, "nudges", "off", "--login", "bob", "--kind", "loud")
    assert code == 1 and "unknown kind 'loud'" in out
    code, out = gemba(run, "nudges", "send", "--now", "yesterday")
    assert code == 1 and "not an ISO date" in out
