"""`/api/v1/ci/...` over collected data: numbers, validation, and who may see whose time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.http.main import create_app
from tests.collectors.ci.test_fetch import _collect
from tests.signed_in import bearer_headers
from tests.world.ci import T0, history
from tests.world.github_api import GithubApi

PEOPLE = {
    "teams": [{"name": "core", "manager": "mia", "members": ["ana"]}],
    "people": [{"login": login} for login in ("ana", "bo", "mia")],
}
WINDOW = {
    "since": (T0 - timedelta(days=1)).isoformat(),
    "until": (T0 + timedelta(days=7)).isoformat(),
}


def _tokens(engine: Engine) -> dict[str, dict[str, str]]:
    return bearer_headers(engine, PEOPLE, ("ana", "bo", "mia"))


@pytest.fixture
def client(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The app over the collected history of test_ci_runs, with tokens for ana, bo and mia."""
    history().write(github_api)
    _collect(engine, settings, github_api)
    headers = _tokens(engine)
    with TestClient(create_app(settings)) as test_client:
        yield test_client, headers


@pytest.fixture
def empty_client(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict]]:
    headers = _tokens(engine)
    with TestClient(create_app(settings)) as test_client:
        yield test_client, headers


def test_health_and_flaky_for_any_signed_in_viewer(client: tuple[TestClient, dict]) -> None:
    http, headers = client
    assert http.get("/api/v1/ci/health", params=WINDOW).status_code == 401
    health = http.get(
        "/api/v1/ci/health", params={**WINDOW, "repo": "acme/app"}, headers=headers["bo"]
    ).json()
    ci = next(w for w in health["workflows"] if w["workflow"] == "CI")
    assert ci["weeks"][0]["success_rate"] == 0.5
    week = ci["weeks"][0]
    assert week["red_hours"] == 1.0  # main red from run 101's end to run 102's end
    assert {"duration_p50_minutes", "duration_p90_minutes", "queue_p90_minutes"} <= set(week)
    assert not {"red_time", "duration_p50", "queue_p50"} & set(week)  # no unit-less names

    as_bo = http.get("/api/v1/ci/flaky", params=WINDOW, headers=headers["bo"]).json()
    as_mia = http.get("/api/v1/ci/flaky", params=WINDOW, headers=headers["mia"]).json()
    assert (as_bo["flaky"], as_bo["groups"]) == (1, 3)
    assert as_bo["workflows"][0]["person"] is None and as_bo["workflows"][0]["rerun_by"] == []
    assert as_mia["workflows"][0]["person"] == "ana"  # mia manages ana
    assert as_bo["jobs"][0]["job"] == "test (3.11)"
    group = as_mia["workflows"][0]
    assert group["waited_hours"] == 0.5  # failure at +5 min, passing rerun at +35
    assert group["runner_minutes"] == 6.0  # the failed attempt's jobs
    assert "wait" not in group and "runner_time" not in group


def test_time_lost_respects_who_may_see_whom(client: tuple[TestClient, dict]) -> None:
    http, headers = client
    as_bo = http.get("/api/v1/ci/lost", params=WINDOW, headers=headers["bo"]).json()
    assert as_bo["by_person"] == [] and as_bo["hidden_people"] == 1
    assert as_bo["waited_hours"] == 0.5  # the aggregate stays, in hours as the CLI shows it
    assert "waited" not in as_bo and "runner_time" not in as_bo
    mine = http.get(
        "/api/v1/ci/lost", params={**WINDOW, "person": "ana"}, headers=headers["ana"]
    ).json()
    assert mine["by_person"][0]["key"] == "ana"
    assert mine["person"]["reruns"] == 1 and mine["person"]["flaked_pulls"][0]["number"] == 7
    assert mine["by_person"][0]["waited_hours"] == 0.5
    assert set(mine["by_person"][0]) == {"key", "flaky_groups", "waited_hours", "runner_minutes"}
    assert {"waited_on_ci_hours", "waited_on_flaky_hours"} <= set(mine["person"])
    team = http.get(
        "/api/v1/ci/lost", params={**WINDOW, "team": "core"}, headers=headers["mia"]
    ).json()
    assert [r["key"] for r in team["by_team"]] == ["core"]
    assert (
        http.get("/api/v1/ci/lost", params={"person": "ana"}, headers=headers["bo"]).status_code
        == 404
    )
    assert (
        http.get("/api/v1/ci/lost", params={"team": "core"}, headers=headers["bo"]).status_code
        == 404
    )
    assert (
        http.get("/api/v1/ci/lost", params={"team": "nope"}, headers=headers["mia"]).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-03-05T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "since"),
        ({"since": "2026-03-01T00:00:00"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"repo": "not a repo"}, "repo"),
        ({"until": "0001-01-01T00:00:00Z"}, "until"),
        ({"since": "2024-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
    ],
)
def test_bad_queries_get_422_naming_the_field(
    empty_client: tuple[TestClient, dict], params: dict, field: str
) -> None:
    http, headers = empty_client
    response = http.get("/api/v1/ci/health", params=params, headers=headers["bo"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_team_and_person_narrow_health_and_flakes_to_their_builds(
    client: tuple[TestClient, dict],
) -> None:
    http, headers = client
    team = http.get("/api/v1/ci/flaky", params={**WINDOW, "team": "core"}, headers=headers["mia"])
    assert (team.json()["groups"], team.json()["flaky"]) == (1, 1)  # ana's one commit
    mine = http.get("/api/v1/ci/health", params={**WINDOW, "person": "bo"}, headers=headers["bo"])
    [ci] = mine.json()["workflows"]
    assert (ci["weeks"][0]["runs"], ci["weeks"][0]["success_rate"]) == (2, 0.5)
    other = http.get("/api/v1/ci/health", params={"person": "ana"}, headers=headers["bo"])
    assert other.status_code == 404
    both = http.get(
        "/api/v1/ci/flaky", params={"team": "core", "person": "ana"}, headers=headers["mia"]
    )
    assert both.status_code == 422


def test_time_lost_says_its_units_in_the_openapi_schema(client: tuple[TestClient, dict]) -> None:
    http, _ = client
    spec = http.get("/openapi.json").json()
    lost = spec["paths"]["/api/v1/ci/lost"]["get"]
    assert "hours" in lost["description"] and "runner_minutes" in lost["description"]
    ref = lost["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert fields["waited_hours"]["description"].startswith("Hours")
    assert "minutes" in fields["runner_minutes"]["description"].lower()
    for name, field in fields.items():
        if field.get("type") == "number":
            assert name.endswith(("_hours", "_minutes")), name


@pytest.mark.parametrize(
    "path", ["/api/v1/ci/health", "/api/v1/ci/flaky", "/api/v1/ci/lost", "/api/v1/reviews/flow"]
)
def test_a_hidden_person_or_team_answers_like_one_that_does_not_exist(
    client: tuple[TestClient, dict], path: str
) -> None:
    """bo may not see ana or team core: the answer must not tell them that those exist."""
    http, headers = client
    for kind, hidden, missing in (("person", "ana", "nobody"), ("team", "core", "nope")):
        seen = http.get(path, params={kind: hidden}, headers=headers["bo"])
        unknown = http.get(path, params={kind: missing}, headers=headers["bo"])
        assert seen.status_code == unknown.status_code == 404, (path, kind)
        assert seen.json()["detail"].replace(hidden, "X") == unknown.json()["detail"].replace(
            missing, "X"
        )


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("/api/v1/ci/health", "api:ci"),
        ("/api/v1/ci/flaky", "api:ci"),
        ("/api/v1/ci/lost", "api:ci"),
        ("/api/v1/reviews/flow", "api:reviews"),
    ],
)
def test_a_managers_person_filter_is_in_that_persons_view_log(
    client: tuple[TestClient, dict], path: str, what: str
) -> None:
    http, headers = client
    before = http.get("/api/v1/people/ana/views", headers=headers["ana"]).json()
    assert http.get(path, params={"person": "ana"}, headers=headers["mia"]).status_code == 200
    http.get(path, params={"person": "ana"}, headers=headers["ana"])  # one's own: not logged
    after = http.get("/api/v1/people/ana/views", headers=headers["ana"]).json()
    assert len(after) == len(before) + 1
    assert (after[0]["viewer_login"], after[0]["what"]) == ("mia", what)
