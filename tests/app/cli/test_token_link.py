"""`gemba token link`: a browser sign-in link for a token, that works once and holds no secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from app.http.main import create_app


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    monkeypatch.setenv("GEMBA_BASE_URL", "http://gemba.test:8123")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_token_link_signs_a_browser_in_once(
    run: CliRunner, tmp_path: Path, settings: Settings
) -> None:
    people = tmp_path / "people.yaml"
    people.write_text("people:\n  - {login: alice}\n")
    assert run.invoke(cli, ["people", "import", str(people)]).exit_code == 0
    created = run.invoke(cli, ["token", "create", "alice"])
    assert created.exit_code == 0 and "gemba token link 1" in created.stderr
    secret = created.stdout.strip()
    result = run.invoke(cli, ["token", "link", "1", "--next", "/people/alice"])
    assert result.exit_code == 0, result.stderr
    link = result.stdout.strip()
    assert link.startswith("http://gemba.test:8123/signin/link?code=") and secret not in link
    assert "valid once, for 15 minutes" in result.stderr
    parts = urlsplit(link)
    with TestClient(create_app(settings)) as client:
        opened = client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/people/alice"
        client.cookies.clear()
        assert client.get(f"{parts.path}?{parts.query}").status_code == 400


def test_a_token_link_refuses_unknown_tokens_and_foreign_next(run: CliRunner) -> None:
    missing = run.invoke(cli, ["token", "link", "7"])
    assert missing.exit_code == 1 and "no active token with id 7" in missing.stderr
    evil = run.invoke(cli, ["token", "link", "7", "--next", "//evil.example"])
    assert evil.exit_code == 1
