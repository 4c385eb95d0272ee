"""`gemba flag`, `gemba flags answer|acknowledge|show` on a local install: public ids in every
line, answers as a thread, an unknown repository or flag is one clear line and exit 1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings
from tests.app.http.access_world import build_world

RAISED = re.compile(r"^flag ([a-z2-7]{13}) raised", re.M)


@pytest.fixture
def run(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    with Session(engine, expire_on_commit=False) as session:
        build_world(session)
        session.commit()
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def gemba(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_answer_twice_from_the_terminal_and_the_author_reads_the_thread(run: CliRunner) -> None:
    code, out, _ = gemba(run, "flag", "CI queue is slow", "--as", "bob", "--repo", "acme/pay")
    assert code == 0, out
    found = RAISED.search(out)
    assert found, out
    flag_id = found.group(1)
    assert gemba(run, "flags", "acknowledge", flag_id, "--as", "alice")[0] == 0
    code, out, _ = gemba(run, "flags", "answer", flag_id, "We add runners Monday", "--as", "alice")
    assert code == 0 and out.startswith(f"answered flag {flag_id}:")
    assert gemba(run, "flags", "answer", flag_id, "Runners added", "--as", "dana")[0] == 0
    code, out, _ = gemba(run, "flags", "list", "--as", "bob")
    assert code == 0
    line = next(chunk for chunk in out.split("\n" + flag_id) if "CI queue" in chunk)
    assert line.index("answer from alice") < line.index("answer from dana")
    code, out, _ = gemba(run, "flags", "show", flag_id, "--as", "bob", "--json")
    shown = json.loads(out)
    assert [a["body"] for a in shown["answers"]] == ["We add runners Monday", "Runners added"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["flag", "typo", "--as", "bob", "--repo", "acme/shpo"], "no repository named 'acme/shpo'"),
        (["flags", "answer", "aaaaaaaaaaaaa", "hello", "--as", "alice"], "no such flag"),
        (["flags", "answer", "1", "hello", "--as", "alice"], "no such flag"),  # row ids are no id
        (["flags", "answer", "aaaaaaaaaaaaa", "   ", "--as", "alice"], "note: Value error"),
    ],
)
def test_mistakes_are_one_line_and_exit_1(run: CliRunner, args: list[str], message: str) -> None:
    code, out, err = gemba(run, *args)
    assert code == 1 and message in err and "Traceback" not in err + out, err


def test_a_report_cannot_answer_their_managers_flag(run: CliRunner) -> None:
    code, out, _ = gemba(run, "flag", "Planning runs long", "--as", "alice")
    flag_id = RAISED.search(out).group(1)  # type: ignore[union-attr]
    code, _, err = gemba(run, "flags", "answer", flag_id, "me", "--as", "bob")
    assert code == 1 and "no such flag" in err


def test_the_anonymous_author_reads_the_answer_with_the_follow_key(run: CliRunner) -> None:
    code, out, _ = gemba(run, "flag", "Release checklist is 40 steps", "--anonymous", "--as", "bob")
    assert code == 0 and "raised anonymously" in out
    flag_id = RAISED.search(out).group(1)  # type: ignore[union-attr]
    key = re.search(r"--key (\S+)", out).group(1)  # type: ignore[union-attr]
    assert gemba(run, "flags", "answer", flag_id, "We cut it to 12", "--as", "alice")[0] == 0
    code, out, _ = gemba(run, "flags", "show", flag_id, "--key", key, "--as", "bob")
    assert code == 0 and "anonymous" in out and "We cut it to 12" in out
    code, _, err = gemba(run, "flags", "show", flag_id, "--as", "tom")
    assert code == 1 and "no such flag" in err
