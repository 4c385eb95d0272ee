"""The operating commands answer bad input with a clear message and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from tests.app.ops.queue_db import empty_queue
from tests.world.git import linear_history


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GEMBA_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_sync_without_repositories_says_what_to_set(run: CliRunner) -> None:
    result = run.invoke(cli, ["sync"])
    assert result.exit_code == 1
    assert "set GEMBA_REPOS" in result.output
    assert "Traceback" not in result.output


def test_sync_refuses_an_unknown_source(run: CliRunner) -> None:
    result = run.invoke(cli, ["sync", "--only", "git,svn"])
    assert result.exit_code == 1 and "unknown source(s) svn" in result.output


def test_jobs_enqueue_and_list(
    run: CliRunner, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """PostgreSQL keeps the jobs for the workers; SQLite runs them here and keeps none."""
    empty_queue(engine)
    repo = linear_history(tmp_path / "legacy", commits=3)
    queued = run.invoke(cli, ["jobs", "enqueue", "--source", "git", f"legacy={repo}"])
    assert queued.exit_code == 0, queued.output
    assert f"git legacy={repo}: queued" in queued.output
    bad = run.invoke(cli, ["jobs", "enqueue", "--source", "git", "no-equals-sign"])
    assert bad.exit_code == 1 and "NAME=PATH-or-URL" in bad.output
    listed = run.invoke(cli, ["jobs", "list", "--json"])
    empty_queue(engine)
    assert listed.exit_code == 0
    jobs = json.loads(listed.stdout)
    if engine.dialect.name == "postgresql":
        assert [(j["task"], j["status"], j["lock"]) for j in jobs] == [
            ("gemba.collect_git", "todo", "repo:legacy")
        ]
    else:
        assert "ran here (SQLite): 1 jobs done, 0 failed" in queued.output
        assert jobs == []


def test_a_worker_with_an_empty_queue_exits_when_asked(run: CliRunner, engine: Engine) -> None:
    empty_queue(engine)
    result = run.invoke(cli, ["worker", "--until-empty", "--poll", "0.1"])
    assert result.exit_code == 0, result.output
    assert ": 0 jobs done, 0 failed" in result.output
