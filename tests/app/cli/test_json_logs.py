"""With GEMBA_LOG_FORMAT=json every process logs JSON: a collect, and `gemba serve` with its web
workers, uvicorn's start-up lines and access log included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings
from tests.dashboards.digest.smtp_server import free_port
from tests.world.git import linear_history


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh SQLite install with JSON logs, as environment variables (for subprocesses too)."""
    monkeypatch.setenv("GEMBA_DATABASE_URL", f"sqlite:///{tmp_path / 'gemba.db'}")
    monkeypatch.setenv("GEMBA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEMBA_LOG_FORMAT", "json")
    get_settings.cache_clear()
    yield {k: v for k, v in os.environ.items() if k.startswith("GEMBA_")}
    get_settings.cache_clear()


def _records(stderr: str) -> list[dict[str, Any]]:
    """Every line on stderr, each of which must be one JSON object."""
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def test_a_collect_logs_json(json_logs: dict[str, str], tmp_path: Path) -> None:
    repo = linear_history(tmp_path / "api", commits=3, files=3)
    for mode in ("full", "unchanged"):
        result = CliRunner().invoke(cli, ["collect", "git", str(repo), "--name", "acme/api"])
        assert result.exit_code == 0, result.output
        (record,) = [r for r in _records(result.stderr) if r["logger"] == "gemba.collect"]
        assert (record["message"], record["repository"], record["mode"]) == (
            "collected",
            "acme/api",
            mode,
        )
        assert record["level"] == "info" and record["source"] == "git"


def _serve(env: dict[str, str], port: int, *args: str) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")} | env
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *args],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _get_until_up(url: str, process: subprocess.Popen[str], seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gemba serve exited {process.returncode}: {process.stderr.read()}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr


def test_serve_with_two_workers_logs_json_access_log_included(
    json_logs: dict[str, str],
) -> None:
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    port = free_port()
    process = _serve(json_logs, port, "--workers", "2")
    try:
        assert _get_until_up(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        stderr = _stop(process)
    records = _records(stderr)  # fails on any line that is not JSON
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} == {("GET", "/healthz", 200)}
    assert all(r["client"].startswith("127.0.0.1:") for r in access)
    started = [r for r in records if r["message"].startswith("Started server process")]
    assert len(started) == 2  # both web workers' start-up lines, as JSON
    assert "color_message" not in records[0]


def test_serve_with_text_logs_keeps_uvicorns_access_line(json_logs: dict[str, str]) -> None:
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    port = free_port()
    process = _serve(json_logs | {"GEMBA_LOG_FORMAT": "text"}, port)
    try:
        assert _get_until_up(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        stderr = _stop(process)
    assert '"GET /healthz HTTP/1.1" 200' in stderr
    assert not any(line.startswith("{") for line in stderr.splitlines())
