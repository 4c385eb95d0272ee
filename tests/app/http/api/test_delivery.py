"""GET /api/v1/delivery: validated input, the team access rule, PR rows only of visible authors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.settings import Settings
from app.http.main import create_app
from tests import world as rows
from tests.collectors.delivery.test_sync import _collect
from tests.world import delivery as sc
from tests.world.github_api import GithubApi

WINDOW = {"since": "2026-03-01T00:00:00Z", "until": "2026-03-09T00:00:00Z"}


@pytest.fixture
def tokens(settings: Settings, engine: Engine, github_api: GithubApi) -> dict[str, str]:
    sc.write(github_api)
    _collect(engine, github_api)
    secrets = {}
    with session_scope(engine) as session:
        people = {
            login: rows.make_person(session, login, name=None, email=None)
            for login in ("viewer", "lead", "octocat")
        }
        rows.make_team(session, "shop", manager=people["lead"], members=[people["octocat"]])
        for login in ("viewer", "lead"):
            secrets[login] = rows.make_token(session, people[login])
    return secrets


@pytest.fixture
def client(settings: Settings, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _get(client: TestClient, token: str, **params: str):
    return client.get(
        "/api/v1/delivery", params=params, headers={"Authorization": f"Bearer {token}"}
    )


def test_input_is_validated(client: TestClient, tokens: dict[str, str]) -> None:
    viewer = tokens["viewer"]
    assert client.get("/api/v1/delivery", params={"repo": sc.FULL_NAME}).status_code == 401
    assert _get(client, viewer).status_code == 422  # neither repo nor team
    assert _get(client, viewer, repo=sc.FULL_NAME, team="shop").status_code == 422
    assert _get(client, viewer, repo="not a repo").status_code == 422
    assert _get(client, viewer, repo="acme/nope").status_code == 404
    backwards = {"since": WINDOW["until"], "until": WINDOW["since"]}
    assert _get(client, viewer, repo=sc.FULL_NAME, **backwards).status_code == 422
    assert _get(client, viewer, repo=sc.FULL_NAME, since="12").status_code == 422


def test_a_repository_keys_for_anyone_pr_rows_only_for_who_may_see_them(
    client: TestClient, tokens: dict[str, str]
) -> None:
    answer = _get(client, tokens["viewer"], repo=sc.FULL_NAME, **WINDOW).json()
    assert answer["failure_rate"]["rate"] == 3 / 5
    assert answer["hidden"] == {"lead_times": 5}
    assert answer["lead_times"] == [] and answer["undeployed"] == []
    assert all(d["pulls"] == [] for d in answer["deployments"])
    assert all(w["pulls"] == [] for w in answer["lead_weeks"])
    assert answer["lead_weeks"][0]["median_hours"] is not None  # computed over every PR


def test_a_team_for_its_manager_only(client: TestClient, tokens: dict[str, str]) -> None:
    assert _get(client, tokens["viewer"], team="shop", **WINDOW).status_code == 404
    answer = _get(client, tokens["lead"], team="shop", **WINDOW).json()
    assert (answer["scope"], answer["name"]) == ("team", "shop")
    assert answer["hidden"] == {"lead_times": 0}
    assert [i["pull"] for i in answer["lead_times"]] == [f"acme/shop#{n}" for n in range(1, 6)]
    shipped = {d["id"]: d["pulls"] for d in answer["deployments"]}
    assert shipped["acme/shop#deployment:2"] == ["acme/shop#2", "acme/shop#3"]
