"""Settings are validated, and `.env.example` documents every one of them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.settings import Settings
from tests.paths import ROOT as CHECKOUT

ROOT = CHECKOUT


def test_env_example_lists_every_setting() -> None:
    documented = set(
        re.findall(r"^#?\s*(GEMBA_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    expected = {f"GEMBA_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "add these to .env.example"
    assert documented - expected == set(), "these are in .env.example but not in Settings"


def test_env_example_values_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("GEMBA_") and not line.endswith("="):
            key, value = line.split("=", 1)
            monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.is_sqlite


def test_default_database_is_a_sqlite_file_in_the_working_folder() -> None:
    assert Settings(_env_file=None).database_url == "sqlite:///gemba.db"  # type: ignore[call-arg]


def test_unknown_workday_is_refused() -> None:
    with pytest.raises(ValidationError, match="workweek"):
        Settings(_env_file=None, workweek="mon,funday")  # type: ignore[call-arg]


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValueError, match="GEMBA_SECRET_KEY"):
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]


@pytest.mark.parametrize("zone", ["Europe/Berln", "Europe", "../etc/passwd", ""])
def test_a_default_timezone_that_names_no_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValidationError, match="GEMBA_DEFAULT_TIMEZONE must name an IANA time zone"):
        Settings(_env_file=None, default_timezone=zone)  # type: ignore[call-arg]


def test_a_real_default_timezone_is_kept() -> None:
    settings = Settings(_env_file=None, default_timezone="Europe/Berlin")  # type: ignore[call-arg]
    assert settings.default_timezone == "Europe/Berlin"


def test_the_cli_names_a_bad_timezone_in_one_line(tmp_path: Path) -> None:
    """Checked at start-up: `gemba` stops before touching anything."""
    env = {**os.environ, "GEMBA_DEFAULT_TIMEZONE": "Europe/Berln"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "GEMBA_DEFAULT_TIMEZONE must name an IANA time zone" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "gemba.db").exists()
