"""`/api/v1/agreements...`: who may read and set a team's targets, and what an answer shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import Settings
from app.http.main import create_app
from tests.dashboards.reports.test_agreements import MONDAY, PEOPLE, collected  # noqa: F401
from tests.signed_in import bearer_headers

WINDOW = {"since": MONDAY.isoformat(), "until": (MONDAY + timedelta(days=14)).isoformat()}
OUTSIDER = {**PEOPLE, "people": [*PEOPLE["people"], {"login": "zed"}]}


@pytest.fixture
def api(
    engine: Engine,
    session: Session,
    collected: Settings,  # noqa: F811
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    headers = bearer_headers(engine, OUTSIDER, ("ann", "bob", "mia", "zed"))
    with TestClient(create_app(collected)) as client:
        yield client, headers


def test_the_manager_sets_targets_and_members_only_read(api: tuple[TestClient, dict]) -> None:
    http, headers = api
    body = {"values": {"review_hours": 10, "merge_without_review": True}}
    refused = http.put(
        "/api/v1/agreements", params={"team": "core"}, json=body, headers=headers["ann"]
    )
    assert refused.status_code == 403
    stored = http.put(
        "/api/v1/agreements", params={"team": "core"}, json=body, headers=headers["mia"]
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["agreements"] == {"review_hours": 10, "merge_without_review": True}
    assert {c["by"] for c in stored.json()["history"]} == {"mia"}
    read = http.get("/api/v1/agreements", params={"team": "core"}, headers=headers["ann"])
    assert read.status_code == 200 and read.json()["may_edit"] is False
    hidden = http.get("/api/v1/agreements", params={"team": "core"}, headers=headers["zed"])
    assert hidden.status_code == 404
    bad = http.put(
        "/api/v1/agreements",
        params={"team": "core"},
        json={"values": {"review_hours": "soon"}},
        headers=headers["mia"],
    )
    assert bad.status_code == 422 and "takes a number" in bad.text


def test_exceptions_name_a_person_only_to_who_may_see_them(api: tuple[TestClient, dict]) -> None:
    http, headers = api
    http.put(
        "/api/v1/agreements",
        params={"team": "core"},
        json={"values": {"review_hours": 10}},
        headers=headers["mia"],
    )
    as_mia = http.get(
        "/api/v1/agreements/exceptions", params={"team": "core", **WINDOW}, headers=headers["mia"]
    ).json()
    [row] = as_mia["exceptions"]
    assert (row["rule"], row["pull_number"], row["value_hours"], row["person"]) == (
        "review_hours",
        9,
        10.02,
        "ann",
    )
    assert row["flags"] == {"open": 0, "acknowledged": 0, "answered": 0, "items": []}
    as_bob = http.get(
        "/api/v1/agreements/exceptions", params={"team": "core", **WINDOW}, headers=headers["bob"]
    ).json()
    assert as_bob["counts"] == {"review_hours": 1}
    assert as_bob["exceptions"][0]["person"] is None  # bob may not see ann's numbers
    tried = http.get(
        "/api/v1/agreements/backtest",
        params={"team": "core", "name": "pr_size_lines", "value": 400, "days": 366},
        headers=headers["bob"],
    ).json()
    assert tried["counts"] == {"pr_size_lines": 1}
    wrong = http.get(
        "/api/v1/agreements/backtest",
        params={"team": "core", "name": "nope", "value": 1},
        headers=headers["bob"],
    )
    assert wrong.status_code == 422


def test_the_author_marks_an_exception_expected_and_others_may_not(
    api: tuple[TestClient, dict],
) -> None:
    http, headers = api
    http.put(
        "/api/v1/agreements",
        params={"team": "core"},
        json={"values": {"review_hours": 10}},
        headers=headers["mia"],
    )
    mark = {"team": "core", "rule": "review_hours", "item": "acme/api#9", "reason": "big one"}
    assert (
        http.post("/api/v1/agreements/expected", json=mark, headers=headers["bob"]).status_code
        == 403
    )
    assert (
        http.post("/api/v1/agreements/expected", json=mark, headers=headers["ann"]).status_code
        == 204
    )
    after = http.get(
        "/api/v1/agreements/exceptions", params={"team": "core", **WINDOW}, headers=headers["mia"]
    ).json()
    assert after["counts"] == {} and after["exceptions"][0]["expected_reason"] == "big one"
