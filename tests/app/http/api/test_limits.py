"""Request bodies: refused with 413 while they stream in (never read whole), and a JSON body
that is not UTF-8 is a 422 like any undecodable JSON."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.http.api.limits import DEFAULT_MAX_BODY
from app.http.main import create_app
from tests.signed_in import bearer_headers

CHUNK = 16 * 1024
CHUNKS = 200  # 3.2 MB offered, 50 times the limit


def _post_streaming(app: Any, path: str) -> tuple[int, int]:
    """POST a chunked body of CHUNKS chunks straight through ASGI: (status, chunks read)."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": read < CHUNKS}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], read


def test_a_chunked_body_over_the_limit_is_refused_before_it_is_all_read(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings)) as client:
        status, read = _post_streaming(client.app, "/api/v1/friction")
    assert status == 413
    assert read <= DEFAULT_MAX_BODY // CHUNK + 1 < CHUNKS


def test_a_body_that_is_not_utf8_is_a_422(settings: Settings, engine: Engine) -> None:
    people = {"people": [{"login": "ana"}], "teams": []}
    headers = bearer_headers(engine, people, ["ana"])["ana"]
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/friction",
            content=b'{"summary": "caf\xe9 is slow", "category": "docs"}',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "json_invalid"
        fine = client.post(
            "/api/v1/friction",
            content='{"summary": "café is slow", "category": "docs"}'.encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert fine.status_code == 201
