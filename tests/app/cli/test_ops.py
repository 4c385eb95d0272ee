"""The operating commands answer bad input with a clear message and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings


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


def test_jobs_enqueue_and_list(run: CliRunner) -> None:
    queued = run.invoke(cli, ["jobs", "enqueue", "acme/api", "acme/web"])
    assert queued.exit_code == 0, queued.output
    assert "repo acme/api: queued" in queued.output
    bad = run.invoke(cli, ["jobs", "enqueue", "--source", "git", "no-equals-sign"])
    assert bad.exit_code == 1 and "NAME=PATH-or-URL" in bad.output
    listed = run.invoke(cli, ["jobs", "list", "--json"])
    assert listed.exit_code == 0
    assert [job["target"] for job in json.loads(listed.output)] == [
        "acme/api",
        "acme/web",
    ]


def test_a_worker_with_an_empty_queue_exits_when_asked(run: CliRunner) -> None:
    result = run.invoke(cli, ["worker", "--until-empty", "--poll", "0.1"])
    assert result.exit_code == 0, result.output
    assert ": 0 jobs" in result.output
