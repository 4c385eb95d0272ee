"""The action commands (`sync`, `collect git|github`, `digest send`, `worker`) print their
summary as JSON on stdout with --json, and keep their exit codes (docs/operate.md, section 11):
a script can read what was done even when the command failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from tests.app.cli.test_pulls import gemba as stand_in_gemba
from tests.app.ops.queue_db import empty_queue
from tests.dashboards.digest.org import WEEK, build_org
from tests.dashboards.digest.smtp_server import free_port
from tests.world.git import linear_history
from tests.world.github import make_pull
from tests.world.github_api import GithubApi

__all__ = ["stand_in_gemba"]  # a fixture: test_pulls' `gemba` on the GitHub stand-in


@pytest.fixture
def runner(
    stand_in_gemba: CliRunner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """`gemba` on the GitHub stand-in (test_pulls' fixture), with a data folder and an SMTP
    server that is not there."""
    for key, value in {
        "GEMBA_DATA_DIR": str(settings.data_dir),
        "GEMBA_SMTP_HOST": "127.0.0.1",
        "GEMBA_SMTP_PORT": str(free_port()),  # nothing listens there
        "GEMBA_SMTP_FROM": "gemba@example.test",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield stand_in_gemba
    get_settings.cache_clear()


def test_sync_json_names_each_repository_and_still_exits_1_on_a_failure(
    runner: CliRunner, github_api: GithubApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_api.write_repo("acme", "api", pulls=[make_pull("acme", "api", 1)])
    monkeypatch.setenv("GEMBA_REPOS", "acme/api acme/gone")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["sync", "--only", "pulls", "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == 1
    api, gone = summary["repositories"]
    assert api["repository"] == "acme/api" and api["errors"] == {}
    assert api["done"]["pulls"].startswith("1 pull requests stored")
    assert gone["repository"] == "acme/gone" and list(gone["errors"]) == ["pulls"]
    assert "acme/api: pulls: 1 pull requests stored" in result.stderr  # the lines moved there
    assert "1 of 2 repositories had errors" in result.stderr


def test_collect_github_json_has_the_collectors_counts(
    runner: CliRunner, github_api: GithubApi
) -> None:
    github_api.write_repo("acme", "api", pulls=[make_pull("acme", "api", n) for n in (1, 2)])
    result = runner.invoke(cli, ["collect", "github", "acme/api", "--json"])
    assert result.exit_code == 0, result.output
    (repo,) = json.loads(result.stdout)
    assert repo["repository"] == "acme/api"
    assert (repo["pulls"]["fetched"], repo["pulls"]["skipped_unchanged"]) == (2, 0)
    assert repo["ci"]["runs"] == 0 and repo["ci"]["repository"] == "acme/api"
    assert repo["delivery"]["repository"] == "acme/api"
    again = runner.invoke(cli, ["collect", "github", "acme/api", "--only", "pulls", "--json"])
    assert [
        (r["pulls"]["fetched"], r["pulls"]["skipped_unchanged"]) for r in json.loads(again.stdout)
    ] == [(0, 2)]
    assert "ci" not in json.loads(again.stdout)[0]


def test_collect_git_json_full_then_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    repo = linear_history(tmp_path / "legacy", commits=4, files=3)
    first = runner.invoke(cli, ["collect", "git", str(repo), "--name", "acme/legacy", "--json"])
    assert first.exit_code == 0, first.output
    done = json.loads(first.stdout)
    assert (done["repository"], done["mode"], done["commits_added"]) == ("acme/legacy", "full", 4)
    again = runner.invoke(cli, ["collect", "git", str(repo), "--name", "acme/legacy", "--json"])
    assert again.exit_code == 0, again.output
    unchanged = json.loads(again.stdout)
    assert unchanged.keys() == done.keys()  # the quick answer has the collector's shape
    assert (unchanged["mode"], unchanged["head"], unchanged["commits_added"]) == (
        "unchanged",
        done["head"],
        0,
    )


def test_digest_send_json_dry_run_then_smtp_down(runner: CliRunner, session: Session) -> None:
    build_org(session)
    dry = runner.invoke(cli, ["digest", "send", "--week", WEEK, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    would = json.loads(dry.stdout)["would_send"]
    assert {"login": "alice", "week": WEEK, "subject": f"Gemba Walk {WEEK}: Payments"} in would
    down = runner.invoke(
        cli, ["digest", "send", "--week", WEEK, "--retries", "0", "--backoff", "0", "--json"]
    )
    assert down.exit_code == 1
    report = json.loads(down.stdout)
    assert report["sent"] == [] and len(report["pending"]) == len(would)
    assert report["pending"][0]["error"].startswith("ConnectionRefusedError")  # the rest wait


def test_worker_json_and_exit_1_when_a_job_failed_for_good(
    runner: CliRunner, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that fails for good makes `gemba worker` exit 1. On SQLite the job runs in the
    process that queues it (`gemba jobs enqueue`), which exits 1 the same way."""
    monkeypatch.setattr("app.ops.queue.RETRY", False)  # fail at once, not after five retries
    empty_queue(engine)
    idle = runner.invoke(cli, ["worker", "--until-empty", "--poll", "0.1", "--json"])
    assert idle.exit_code == 0, idle.output
    assert json.loads(idle.stdout) | {"worker": "w"} == {
        "worker": "w",
        "database": engine.dialect.name,
        "done": 0,
        "failed": 0,
        "retried": 0,
        "errors": [],
    }
    queued = runner.invoke(cli, ["jobs", "enqueue", "--source", "git", "gone=/no/such/clone"])
    if engine.dialect.name != "postgresql":
        assert queued.exit_code == 1
        assert "1 jobs failed" in queued.stderr
        return
    assert queued.exit_code == 0, queued.output
    failed = runner.invoke(cli, ["worker", "--until-empty", "--poll", "0.1", "--json"])
    empty_queue(engine)
    assert failed.exit_code == 1, failed.output
    summary = json.loads(failed.stdout)
    assert (summary["done"], summary["failed"]) == (0, 1)
    assert "/no/such/clone" in summary["errors"][0]
    assert "1 jobs failed" in failed.stderr
