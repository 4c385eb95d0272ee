"""`gemba serve` refuses a port or worker count that cannot work, before starting anything
(uvicorn would bind port 99999 as 34463 and print the wrong URL)."""

from __future__ import annotations

from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--port", "99999"], "--port"),
        (["--port", "0"], "--port"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_serve_refuses_impossible_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], option: str
) -> None:
    monkeypatch.setenv("GEMBA_DATABASE_URL", f"sqlite:///{tmp_path / 'gemba.db'}")
    get_settings.cache_clear()
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k))
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert started == []
    get_settings.cache_clear()
