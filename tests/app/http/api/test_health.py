from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.http.main import create_app


def test_healthz_answers_with_the_database_dialect(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == settings.database_url.split(":")[0].split("+")[0]


def test_openapi_document_is_served(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/openapi.json").json()["info"]["title"] == "Gemba Walk"
