"""GET /api/v1/pulls and /api/v1/reviews/flow: numbers, validation and who may see what."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.http.main import create_app
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls
from tests.signed_in import bearer_headers
from tests.world import reviews as sc
from tests.world.github_api import GithubApi

PEOPLE = {
    "teams": [{"name": "Core", "manager": "mia", "members": ["ann", "bob"]}],
    "people": [{"login": login} for login in ("mia", "ann", "bob", "zed")],
}


def _signed_in(
    engine: Engine, config: Settings
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    headers = bearer_headers(engine, PEOPLE, ("mia", "ann", "zed"))
    with TestClient(create_app(config)) as test_client:
        yield test_client, headers


@pytest.fixture
def client(
    engine: Engine, settings: Settings, github_api: GithubApi
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """Signed-in clients over the collected scenario."""
    github_api.write_repo(sc.OWNER, sc.REPO, **sc.build())
    config = settings.model_copy(update={"github_api_url": github_api.url})
    collect_pulls(engine, make_github(config), sc.FULL_NAME)
    yield from _signed_in(engine, config)


@pytest.fixture
def empty_client(
    engine: Engine, settings: Settings
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """Signed-in clients over an empty database (validation needs no data)."""
    yield from _signed_in(engine, settings)


def test_pulls_carry_numbers_and_timestamps_for_visible_authors(client) -> None:  # type: ignore[no-untyped-def]
    http, headers = client
    answer = http.get("/api/v1/pulls", params={"repo": sc.FULL_NAME}, headers=headers["mia"])
    assert answer.status_code == 200
    body = answer.json()
    pulls = {p["number"]: p for p in body["pulls"]}
    assert len(pulls) == 10 and body["hidden"] == 0  # the bot's PR is not a person's
    one = pulls[1]
    assert (one["ready_at"], one["first_review_at"], one["first_approval_at"]) == (
        "2026-11-02T09:00:00Z",
        "2026-11-02T11:00:00Z",
        "2026-11-02T13:00:00Z",
    )
    assert (one["pickup_hours"], one["review_hours"], one["merge_hours"]) == (2.0, 2.0, 2.0)
    assert pulls[8]["pickup_hours"] is None  # missing steps are null, never -1
    window = {"repo": sc.FULL_NAME, "since": "2026-11-02T13:00:00", "until": "2026-11-03"}
    in_window = http.get("/api/v1/pulls", params=window, headers=headers["mia"]).json()["pulls"]
    assert sorted(p["number"] for p in in_window) == [1, 2, 3, 4, 7, 8, 10, 11]  # 5, 6 closed at 12
    outsider = http.get("/api/v1/pulls", params={"repo": sc.FULL_NAME}, headers=headers["zed"])
    assert outsider.json()["pulls"] == [] and outsider.json()["hidden"] == 10


def test_flow_by_repo_team_and_person_with_access_rules(client) -> None:  # type: ignore[no-untyped-def]
    http, headers = client
    weeks = {"weeks": 104}
    repo = http.get(
        "/api/v1/reviews/flow", params={"repo": sc.FULL_NAME, **weeks}, headers=headers["zed"]
    )
    assert repo.status_code == 200
    body = repo.json()
    assert body["summary"]["merged"] == 7 and body["summary"]["merged_without_approval"] == 2
    assert body["reviewer_load"] == [] and body["hidden"]["reviewer_load"] > 0
    team = http.get("/api/v1/reviews/flow", params={"team": "Core"}, headers=headers["mia"])
    assert team.status_code == 200
    assert [w["number"] for w in team.json()["waiting"]["unreviewed"]] == [8]
    loads = {row["reviewer"] for row in team.json()["reviewer_load"]}
    assert loads <= {"ann", "bob"}
    forbidden = [
        ({"team": "Core"}, "zed"),
        ({"person": "ann"}, "zed"),
    ]
    for params, who in forbidden:
        answer = http.get("/api/v1/reviews/flow", params=params, headers=headers[who])
        assert answer.status_code == 404, params
    own = http.get("/api/v1/reviews/flow", params={"person": "ann"}, headers=headers["ann"])
    assert own.status_code == 200 and own.json()["scope"] == "person ann"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/reviews/flow", {}, "repo"),
        ("/api/v1/reviews/flow", {"repo": "a/b", "team": "Core"}, "team"),
        ("/api/v1/reviews/flow", {"repo": "not a repo"}, "repo"),
        ("/api/v1/reviews/flow", {"repo": "a/b", "weeks": 0}, "weeks"),
        ("/api/v1/pulls", {}, "repo"),
        ("/api/v1/pulls", {"repo": "a/b", "since": "yesterday"}, "since"),
        ("/api/v1/pulls", {"repo": "a/b", "since": "2026-11-02", "until": "2026-11-01"}, "until"),
    ],
)
def test_bad_parameters_get_422_with_the_field(empty_client, path, params, field) -> None:  # type: ignore[no-untyped-def]
    http, headers = empty_client
    answer = http.get(path, params=params, headers=headers["mia"])
    assert answer.status_code == 422
    assert any(field in detail["loc"] for detail in answer.json()["detail"])


def test_unknown_team_is_404_and_no_token_is_401(empty_client) -> None:  # type: ignore[no-untyped-def]
    http, headers = empty_client
    unknown = http.get("/api/v1/reviews/flow", params={"team": "Nope"}, headers=headers["mia"])
    assert unknown.status_code == 404
    assert http.get("/api/v1/pulls", params={"repo": sc.FULL_NAME}).status_code == 401
