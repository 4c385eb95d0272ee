"""A database the CLI cannot use ends in one clear line and exit 1, not a traceback."""

from __future__ import annotations

import socket
import sys

import pytest

from app.cli import main
from app.core.settings import get_settings


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense://", "Can't load plugin"),
        ("postgresql+psycopg://nobody@127.0.0.1:{port}/x", "connection"),
    ],
)
def test_an_unusable_database_url_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, reason: str
) -> None:
    monkeypatch.setenv("GEMBA_DATABASE_URL", url.format(port=_closed_port()))
    monkeypatch.setattr(sys, "argv", ["gemba", "db", "upgrade"])
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as ended:
            main()
    finally:
        get_settings.cache_clear()
    assert ended.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: database: ") and reason in err
    assert "GEMBA_DATABASE_URL" in err and "Traceback" not in err
