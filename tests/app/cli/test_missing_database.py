"""No command creates a database by accident: a read command on a missing SQLite file says so
and exits 1, leaving no file or folder behind; only db upgrade, collect, sync and demo make one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import get_settings


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "args",
    [
        ["hotspots", "--repo", "acme/shop"],
        ["digest", "preview", "--to", "amara"],
        ["people", "unknown"],
        ["token", "list"],
        ["serve"],
    ],
)
def test_a_read_command_on_a_mistyped_path_says_so_and_creates_nothing(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]
) -> None:
    typo = tmp_path / "dta" / "gemba.db"
    monkeypatch.setenv("GEMBA_DATABASE_URL", f"sqlite:///{typo}")
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k))
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert f"no database at {typo}" in result.stderr and "gemba db upgrade" in result.stderr
    assert not typo.parent.exists() and started == []


def test_the_default_database_is_not_created_by_a_read_command(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["digest", "preview", "--to", "amara"])
    assert result.exit_code == 1 and "no database at gemba.db" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_creates_the_database_and_its_folders(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wanted = tmp_path / "data" / "new" / "gemba.db"
    monkeypatch.setenv("GEMBA_DATABASE_URL", f"sqlite:///{wanted}")
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert wanted.exists()
    listed = runner.invoke(cli, ["token", "list"])
    assert listed.exit_code == 0, listed.stderr
