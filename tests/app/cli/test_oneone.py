"""`gemba oneone held|list`: a 1:1 marked from the command line moves the person page's period."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.models import Person
from app.core.settings import get_settings
from dashboards.periods import resolve_period
from tests import world as rows


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def gemba(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_held_from_the_cli_starts_since_the_last_1on1(run: CliRunner, engine: Engine) -> None:
    with Session(engine) as session:
        rows.make_person(session, "alice", name=None, email=None)
        session.commit()
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    code, out, err = gemba(run, "oneone", "held", "--person", "alice", "--date", day)
    assert (code, err) == (0, "")
    assert out == f"1:1 with alice held {day} 23:59 UTC\n"
    with Session(engine) as session:
        alice = session.exec(select(Person).where(Person.login == "alice")).one()
        period = resolve_period(session, None, now=datetime.now(UTC), person_id=alice.id)
    assert period.start.date().isoformat() == day
    assert period.label.startswith("Since the last 1:1 (")
    code, out, _ = gemba(run, "oneone", "list", "--person", "alice", "--json")
    assert code == 0
    assert json.loads(out) == [{"held_at": f"{day}T23:59:59+00:00", "marked_by": None}]
    code, out, _ = gemba(run, "oneone", "list", "--person", "alice")
    assert out == f"{day} 23:59 UTC  marked by the CLI\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "nobody"], "no person with login 'nobody'"),
        (
            ["--person", "alice", "--date", "2999-01-01"],
            "--date: a 1:1 cannot be held in the future",
        ),
        (["--person", "alice", "--date", "soon"], "--date: 'soon' is not a date"),
    ],
)
def test_held_refuses_unknown_people_and_bad_dates(
    run: CliRunner, engine: Engine, args: list[str], message: str
) -> None:
    with Session(engine) as session:
        rows.make_person(session, "alice", name=None, email=None)
        session.commit()
    code, out, err = gemba(run, "oneone", "held", *args)
    assert code == 1
    assert out == ""
    assert message in err
