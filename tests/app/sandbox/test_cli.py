"""`gemba github-record` round trip (recorded from the stand-in itself), `github-sandbox`."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings
from tests.app.sandbox.recordings import replay


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


def test_record_waits_out_a_secondary_rate_limit_visibly(rich, gemba, tmp_path, monkeypatch):
    monkeypatch.setenv("GEMBA_GITHUB_RETRIES", "2")
    get_settings.cache_clear()
    rich.inject(path=r"/pulls/2/reviews", kind="secondary_rate_limit", retry_after=1)
    result = gemba("github-record", "acme/app", "--out", str(tmp_path), "--no-actions")
    assert result.exit_code == 0, result.output
    assert "secondary rate limit" in result.stderr
    reviews = json.loads((tmp_path / "acme" / "app" / "reviews.json").read_text())
    assert set(reviews) == {"1", "2", "3"}


def test_record_limit_keeps_the_most_recently_updated_pulls(rich, gemba, tmp_path):
    result = gemba(
        "github-record", "acme/app", "--out", str(tmp_path), "--limit", "1", "--no-actions"
    )
    assert result.exit_code == 0, result.output
    pulls = json.loads((tmp_path / "acme" / "app" / "pulls.json").read_text())
    assert [p["number"] for p in pulls] == [3]
    assert not (tmp_path / "acme" / "app" / "runs.json").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_github_sandbox_command_serves_until_ctrl_c(rich):
    """The real command in this process; a helper thread queries it, then presses Ctrl-C."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    seen: dict[str, object] = {}

    def query_then_interrupt() -> None:
        try:
            for _ in range(300):
                try:
                    seen["pull"] = httpx.get(f"{url}/repos/acme/app/pulls/1", timeout=30).json()
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=query_then_interrupt, daemon=True).start()
        result = CliRunner().invoke(
            cli, ["github-sandbox", str(rich.scenario_dir), "--port", str(port)]
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.exit_code == 0, result.output
    assert f"GitHub stand-in serving 1 repositories at {url}" in result.output
    assert f"export GEMBA_GITHUB_API_URL={url}" in result.output
    assert result.output.rstrip().endswith("stopped")
    assert seen["pull"]["number"] == 1


def test_github_sandbox_refuses_a_busy_port(rich):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["github-sandbox", str(rich.scenario_dir), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_github_sandbox_refuses_a_missing_folder(tmp_path):
    result = CliRunner().invoke(cli, ["github-sandbox", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
