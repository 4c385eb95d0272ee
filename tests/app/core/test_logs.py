"""GEMBA_LOG_FORMAT=json: one JSON object per line with the caller's fields; text otherwise."""

from __future__ import annotations

import json
import logging

import pytest

from app.core.logs import configure_logging
from app.core.settings import Settings


def _emit(settings: Settings, capsys: pytest.CaptureFixture[str]) -> str:
    configure_logging(settings)
    logging.getLogger("gemba.sync").info(
        "collected", extra={"repository": "acme/api", "source": "git", "seconds": 1.5}
    )
    logging.getLogger("gemba.sync").debug("not shown at INFO")
    return capsys.readouterr().err


def test_json_lines_carry_the_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    line = _emit(Settings(_env_file=None, log_format="json"), capsys)  # type: ignore[call-arg]
    assert len(line.splitlines()) == 1
    record = json.loads(line)
    assert record["level"] == "info" and record["logger"] == "gemba.sync"
    assert record["message"] == "collected"
    assert (record["repository"], record["source"], record["seconds"]) == ("acme/api", "git", 1.5)
    assert record["time"].endswith("+00:00")


def test_text_lines_are_readable_and_configuring_twice_does_not_duplicate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    configure_logging(settings)
    output = _emit(settings, capsys)
    assert output.count("collected") == 1
    assert "INFO gemba.sync: collected repository=acme/api source=git seconds=1.5" in output


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log_format"):
        Settings(_env_file=None, log_format="xml")  # type: ignore[call-arg]


def test_libraries_log_their_warnings_and_the_queues_failures_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Procrastinate's start and success lines (a kilobyte each) wait for DEBUG; a retried or
    failed job and any library's warning always reach the log, in the configured format."""
    configure_logging(Settings(_env_file=None, log_format="json"))  # type: ignore[call-arg]
    queue = logging.getLogger("procrastinate.worker")
    queue.setLevel(logging.INFO)  # as `gemba worker` sets it, to count the jobs
    queue.info("Job started", extra={"action": "start_job"})
    queue.info("Job ended: Success", extra={"action": "job_success"})
    queue.info("Job ended: Error, to retry", extra={"action": "job_error_retry"})
    logging.getLogger("github.Requester").warning("rate limit")
    shown = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["logger"], r["message"]) for r in shown] == [
        ("procrastinate.worker", "Job ended: Error, to retry"),
        ("github.Requester", "rate limit"),
    ]
    configure_logging(Settings(_env_file=None, log_format="json", log_level="DEBUG"))  # type: ignore[call-arg]
    queue.info("Job ended: Success", extra={"action": "job_success"})
    assert json.loads(capsys.readouterr().err)["action"] == "job_success"
    logging.getLogger("gemba").setLevel(logging.INFO)
    queue.setLevel(logging.NOTSET)
