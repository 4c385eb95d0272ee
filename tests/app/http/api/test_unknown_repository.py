"""A repository name that was never collected is an error at every door, worded the same way:
exit 1 in the terminal, 404 from the API, both naming the known repositories. Never an empty
list that looks like a quiet repository."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.settings import Settings, get_settings
from app.http.main import create_app
from dashboards.reports.repositories import MAX_SHOWN, unknown_repository_message
from tests import world as rows
from tests.signed_in import bearer_headers

KNOWN = ["acme/app", "acme/shop"]
MESSAGE = "no repository named 'unknown/x', known: acme/app, acme/shop"
CLI_COMMANDS = [
    ["pulls"],
    ["pulls", "--json"],
    ["reviews", "flow"],
    ["hotspots"],
    ["coupling"],
    ["ownership"],
    ["knowledge-risk"],
    ["ci", "health"],
    ["ci", "flaky"],
    ["ci", "lost", "--json"],
]
API_ROUTES = [
    "/api/v1/pulls",
    "/api/v1/reviews/flow",
    "/api/v1/hotspots",
    "/api/v1/coupling",
    "/api/v1/ownership",
    "/api/v1/knowledge-risk",
    "/api/v1/ci/health",
    "/api/v1/ci/flaky",
    "/api/v1/ci/lost",
]


@pytest.fixture
def known(engine: Engine) -> None:
    with Session(engine) as session:
        for name in KNOWN:
            rows.make_repo(session, name, html_url=None, default_branch=None)
        session.commit()


@pytest.fixture
def runner(known: None, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.parametrize("command", CLI_COMMANDS, ids=" ".join)
def test_every_command_with_repo_refuses_an_unknown_one(
    runner: CliRunner, command: list[str]
) -> None:
    result = runner.invoke(cli, [*command, "--repo", "unknown/x"])
    assert result.exit_code == 1, result.output
    assert MESSAGE in result.stderr and "gemba collect" in result.stderr
    assert result.stdout == ""  # no empty list, no table header


def test_a_known_repository_with_no_data_is_not_an_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["pulls", "--repo", "acme/shop", "--json"])
    assert result.exit_code == 0 and result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", API_ROUTES)
def test_every_route_with_repo_answers_404_for_an_unknown_one(
    known: None, engine: Engine, settings: Settings, path: str
) -> None:
    headers = bearer_headers(engine, {"people": [{"login": "ana"}]}, ["ana"])["ana"]
    with TestClient(create_app(settings)) as client:
        answer = client.get(path, params={"repo": "unknown/x"}, headers=headers)
        assert answer.status_code == 404
        assert answer.json() == {"detail": MESSAGE}
        assert client.get(path, params={"repo": "acme/shop"}, headers=headers).status_code == 200
        spec = client.get("/openapi.json").json()
        assert "404" in spec["paths"][path]["get"]["responses"]


def test_the_team_page_refuses_an_unknown_repository_filter(
    known: None, engine: Engine, settings: Settings
) -> None:
    people = {"teams": [{"name": "core", "manager": "mia", "members": ["ana"]}]}
    people["people"] = [{"login": "ana"}, {"login": "mia"}]  # type: ignore[list-item]
    headers = bearer_headers(engine, people, ["mia"])["mia"]
    json = {**headers, "accept": "application/json"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/teams/core?repository=acme/shop", headers=json).status_code == 200
        assert client.get("/teams/core?repository=unknown/x", headers=json).status_code == 404


def test_the_message_puts_close_names_first_and_stays_short() -> None:
    many = [f"acme/svc-{i:03d}" for i in range(40)] + ["acme/shop"]
    message = unknown_repository_message("acme/shpo", sorted(many))
    assert message.startswith("no repository named 'acme/shpo', known: acme/shop, ")
    assert message.endswith(f"and {len(many) - MAX_SHOWN} more")
    assert unknown_repository_message("a/b", []) == "no repository named 'a/b'; none collected yet"
