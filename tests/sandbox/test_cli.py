"""`gemba github-record` round trip (recorded from the stand-in itself), `github-sandbox`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import get_settings
from tests.sandbox.recordings import replay


@pytest.fixture
def gemba(github_api, monkeypatch):
    monkeypatch.setenv("GEMBA_GITHUB_API_URL", github_api.url)
    monkeypatch.setenv("GEMBA_GITHUB_TOKEN", "sandbox-token")
    monkeypatch.setenv("GEMBA_GITHUB_SECONDS_BETWEEN_REQUESTS", "0")
    monkeypatch.setenv("GEMBA_GITHUB_RETRIES", "0")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, list(args))
    get_settings.cache_clear()


def _load(folder: Path, name: str):
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else None


def test_record_from_the_stand_in_round_trips_every_file(rich, gemba, tmp_path):
    run = next(e.body for e in replay("WorkflowRun.setUp.txt") if "/actions/runs/" in e.path)
    jobs = replay("WorkflowRun.test_jobs.txt")[0].body["jobs"]
    source = rich.write_repo(
        "acme",
        "app",
        runs=[run],
        run_attempts={str(run["id"]): [run]},
        jobs={str(run["id"]): jobs},
    )
    out = tmp_path / "recorded"
    rich.clear_requests()
    result = gemba("github-record", "acme/app", "--out", str(out))
    assert result.exit_code == 0, result.output
    recorded = out / "acme" / "app"
    empty = {"workflows.json": []}
    for name in (
        "repository.json",
        "pulls.json",
        "reviews.json",
        "review_comments.json",
        "pull_commits.json",
        "timelines.json",
        "workflows.json",
        "runs.json",
        "run_attempts.json",
        "jobs.json",
    ):
        original = _load(source, name)
        if original is None:
            original = empty.get(name, {})
        mine = _load(recorded, name)
        if isinstance(original, dict) and name != "repository.json":
            mine = {k: v for k, v in mine.items() if v}  # PRs without reviews record as []
        assert mine == original, name
    assert "http://127.0.0.1" not in (recorded / "pulls.json").read_text()
    # repository + pulls list + 5 per PR (detail, reviews, comments, commits, timeline)
    # + workflows + runs + jobs of the one run (attempt 1, so no earlier attempts)
    assert len(rich.requests) == 2 + 5 * 3 + 3
    assert f"with {len(rich.requests)} requests" in result.output


def test_record_reports_unknown_repository_and_bad_token(rich, gemba, tmp_path):
    missing = gemba("github-record", "acme/nope", "--out", str(tmp_path))
    assert missing.exit_code == 1
    assert "repository acme/nope not found" in missing.output
    rich.set_tokens({"another-token": "alice"})
    refused = gemba("github-record", "acme/app", "--out", str(tmp_path))
    assert refused.exit_code == 1 and "Bad credentials" in refused.output
    bad_name = gemba("github-record", "acme", "--out", str(tmp_path))
    assert bad_name.exit_code == 1 and "expected OWNER/REPO" in bad_name.output


def test_record_limit_keeps_the_most_recently_updated_pulls(rich, gemba, tmp_path):
    result = gemba(
        "github-record", "acme/app", "--out", str(tmp_path), "--limit", "1", "--no-actions"
    )
    assert result.exit_code == 0, result.output
    pulls = json.loads((tmp_path / "acme" / "app" / "pulls.json").read_text())
    assert [p["number"] for p in pulls] == [3]
    assert not (tmp_path / "acme" / "app" / "runs.json").exists()


def test_github_sandbox_command_serves_until_interrupted(rich, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "github-sandbox", str(rich.scenario_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("GitHub stand-in serving 1 repositories at http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{url}/repos/acme/app/pulls/1", timeout=30).json()["number"] == 1
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in out


def test_github_sandbox_refuses_a_missing_folder(tmp_path):
    result = CliRunner().invoke(cli, ["github-sandbox", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
