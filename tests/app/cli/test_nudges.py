"""`gemba nudges send|preview|off|on` against the Slack stand-in: what is due goes out once,
a dry run and a preview send nothing, a person switched off gets nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.models import Repository
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


def test_people_unknown_json_lists_who_slack_did_not_know_by_email(run, slack, engine):
    with Session(engine, expire_on_commit=False) as session:
        rows.make_person(session, "eve", email="eve@example.com")
        repo = session.exec(select(Repository)).one()
        ready = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        rows.make_pull(session, repo, "ada", number=5, ready_at=ready, requested_reviewers=["eve"])
        session.commit()
    # a PR waiting on eve: the send looks her up by email, and Slack has no such member
    gemba(run, "nudges", "send", "--now", NOW)
    code, out = gemba(run, "people", "unknown", "--json")
    assert code == 0
    slack_rows = [row for row in json.loads(out) if row["kind"] == "slack"]
    assert slack_rows == [{"kind": "slack", "value": "eve@example.com", "login": "eve"}]
    assert "slack  eve: no Slack member has eve@example.com" in gemba(run, "people", "unknown")[1]
