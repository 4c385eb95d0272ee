"""`gemba digest preview|send` and the Monday schedule in each team's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.models import DigestDelivery
from app.core.settings import Settings, get_settings
from dashboards.digest.delivery import due_digests, send_due
from tests.dashboards.digest.org import SECRET, WEEK, build_org
from tests.dashboards.digest.smtp_server import PASSWORD, USER, SmtpServer, free_port

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[dict[str, str]]:
    values = {
        "GEMBA_DATABASE_URL": settings.database_url,
        "GEMBA_DATA_DIR": str(settings.data_dir),
        "GEMBA_SMTP_HOST": "127.0.0.1",
        "GEMBA_SMTP_PORT": str(free_port()),  # nothing listens there
        "GEMBA_SMTP_FROM": "gemba@example.test",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def test_preview_writes_html_and_text_and_prints_where(
    env: dict[str, str], session: Session
) -> None:
    build_org(session)
    result = runner.invoke(cli, ["digest", "preview", "--to", "alice", "--week", WEEK])
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.output.split()]
    assert [p.suffix for p in paths] == [".html", ".txt"]
    assert paths[0].parent == Path(env["GEMBA_DATA_DIR"]).resolve() / "previews"
    html = paths[0].read_text()
    assert html.startswith("<!DOCTYPE html>") and "Payments" in html and SECRET not in html
    assert "THE TEAM'S WEEK" in paths[1].read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["preview", "--to", "nobody"], "no person with login 'nobody'"),
        (["preview", "--to", "alice", "--week", "47"], "must look like 2026-W47"),
        (["send", "--week", "2026-W99"], "ISO weeks 1 to"),
        (["send", "--due", "--week", WEEK], "leave out --week"),
    ],
)
def test_bad_input_gets_a_clear_error(
    env: dict[str, str], session: Session, args: list[str], message: str
) -> None:
    build_org(session)
    result = runner.invoke(cli, ["digest", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_send_reports_pending_and_exits_non_zero_when_smtp_is_down(
    env: dict[str, str], session: Session, engine: Engine
) -> None:
    build_org(session)
    dry = runner.invoke(cli, ["digest", "send", "--week", WEEK, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would send: alice 2026-W47 Gemba Walk 2026-W47: Payments" in dry.output
    result = runner.invoke(
        cli, ["digest", "send", "--week", WEEK, "--retries", "1", "--backoff", "0"]
    )
    assert result.exit_code == 1
    assert "sent 0, already sent 0, pending 3" in result.output
    assert "pending: alice 2026-W47: ConnectionRefusedError" in result.output
    status = runner.invoke(cli, ["digest", "status"])
    assert "2026-W47 alice: failed after 2 attempt(s), last error: ConnectionRefusedError" in (
        status.output
    )
    with Session(engine) as fresh:
        rows = fresh.exec(select(DigestDelivery)).all()
    assert [(r.status, r.attempts) for r in rows] == [("failed", 2)]  # the rest never claimed


def test_send_then_rerun_through_a_real_server(
    env: dict[str, str],
    session: Session,
    smtp: SmtpServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_org(session)
    for key, value in {
        "GEMBA_SMTP_PORT": str(smtp.port),
        "GEMBA_SMTP_STARTTLS": "true",
        "GEMBA_SMTP_USER": USER,
        "GEMBA_SMTP_PASSWORD": PASSWORD,
        "GEMBA_SMTP_CA_FILE": str(certificate[0]),
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    first = runner.invoke(cli, ["digest", "send", "--week", WEEK])
    second = runner.invoke(cli, ["digest", "send", "--week", WEEK])
    assert first.exit_code == 0, first.output
    assert "sent 3, already sent 0, pending 0" in first.output
    assert second.exit_code == 0 and "sent 0, already sent 3, pending 0" in second.output
    assert len(smtp.received) == 3 and all(r.tls and r.authenticated for r in smtp.received)
    status = runner.invoke(cli, ["digest", "status", "--week", WEEK])
    assert status.exit_code == 0
    assert status.output.count("sent after 1 attempt(s), sent 20") == 3


MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def test_digests_fall_due_at_the_set_hour_in_each_teams_time_zone(
    session: Session, mail_settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    build_org(session)
    early = MONDAY.replace(hour=6, minute=30)  # 07:30 in Berlin, 01:30 in New York
    assert due_digests(session, early, mail_settings) == []
    berlin = MONDAY.replace(hour=7, minute=30)  # 08:30 in Berlin
    assert sorted((d.login, d.week) for d in due_digests(session, berlin, mail_settings)) == [
        ("alice", "2026-W48"),
        ("bob", "2026-W48"),
    ]
    report = send_due(engine, mail_settings, berlin)
    assert report.ok and len(report.sent) == 2
    assert due_digests(session, berlin, mail_settings) == []  # sent: not due again
    new_york = MONDAY.replace(hour=13, minute=30)  # 08:30 in New York
    assert [d.login for d in due_digests(session, new_york, mail_settings)] == ["dave"]
    tuesday = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # a scheduler that was down catches up
    assert [d.login for d in due_digests(session, tuesday, mail_settings)] == ["dave"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["send", "--week", "garbage", "--dry-run"], "must look like 2026-W47"),
        (["send", "--week", "2026-W99", "--dry-run"], "ISO weeks 1 to"),
        (["status", "--week", "W47"], "must look like 2026-W47"),
    ],
)
def test_a_bad_week_fails_even_with_nobody_to_send_to(
    env: dict[str, str], session: Session, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["digest", *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
