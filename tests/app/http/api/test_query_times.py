"""Times in query strings are ISO 8601 only: a bare number (`until=0.5`) is a 422, never read
as seconds since 1970."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.http.main import create_app
from tests.signed_in import bearer_headers

ROUTES = [
    ("/api/v1/ci/health", "until"),
    ("/api/v1/ci/flaky", "since"),
    ("/api/v1/ci/lost", "until"),
    ("/api/v1/pulls", "until"),
    ("/api/v1/pulls", "since"),
    ("/api/v1/hotspots?repo=acme/shop", "since"),
]


@pytest.fixture
def client(settings: Settings, engine: Engine) -> TestClient:
    headers = bearer_headers(engine, {"people": [{"login": "ana"}], "teams": []}, ["ana"])
    return TestClient(create_app(settings), headers=headers["ana"])


@pytest.mark.parametrize(("path", "field"), ROUTES)
@pytest.mark.parametrize("number", ["0.5", "1700000000", "-3", "1e9", ".5"])
def test_a_number_is_not_a_time(client: TestClient, path: str, field: str, number: str) -> None:
    join = "&" if "?" in path else "?"
    with client:
        response = client.get(f"{path}{join}{field}={number}")
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == ["query", field] and "ISO 8601" in error["msg"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/api/v1/ci/health", "2026-11-30T09:00:00Z"),
        ("/api/v1/ci/health", "2026-11-30T09:00:00+01:00"),
        ("/api/v1/ci/flaky", "2026-11-30T00:00:00.5Z"),
    ],
)
def test_an_iso_time_is_taken(client: TestClient, path: str, value: str) -> None:
    with client:
        response = client.get(path, params={"since": value})
    assert response.status_code == 200, response.text
