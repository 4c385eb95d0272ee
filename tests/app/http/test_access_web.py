"""Browser sign-in: the token becomes an HttpOnly SameSite cookie; CSRF guards state changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request

from app.core.settings import Settings
from app.http.deps import CSRF_HEADER, SESSION_COOKIE, csrf_token
from app.http.main import create_app
from tests.app.http.access_world import World, build_world


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World]]:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    with TestClient(create_app(settings)) as client:
        yield client, world


def token_for_cookie(app: FastAPI, cookie: str) -> str:
    scope = {"type": "http", "headers": [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())]}
    return csrf_token(Request({**scope, "app": app}))


def test_sign_in_sets_an_httponly_samesite_cookie(web: tuple[TestClient, World]) -> None:
    client, world = web
    assert 'name="token"' in client.get("/signin").text
    response = client.post(
        "/signin", data={"token": world.secrets["person"]}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Secure" not in cookie
    assert client.get("/api/v1/me").json()["login"] == "bob"


def test_a_bad_or_revoked_token_does_not_sign_in(web: tuple[TestClient, World]) -> None:
    client, world = web
    for secret in (world.secrets["revoked"], "gw_<b>nope</b>"):
        response = client.get("/signin", params={"token": secret}, follow_redirects=False)
        assert response.status_code == 401 and "set-cookie" not in response.headers
        assert "<b>nope" not in response.text
    client.cookies.set(SESSION_COOKIE, world.secrets["revoked"])
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_requests_need_the_csrf_token_bearer_requests_do_not(
    web: tuple[TestClient, World],
) -> None:
    client, world = web
    client.cookies.set(SESSION_COOKIE, world.secrets["person"])
    body = {"summary": "docs are out of date", "category": "docs"}
    assert client.post("/api/v1/friction", json=body).status_code == 403
    other = token_for_cookie(client.app, world.secrets["manager"])  # type: ignore[arg-type]
    assert (
        client.post("/api/v1/friction", json=body, headers={CSRF_HEADER: other}).status_code == 403
    )
    mine = token_for_cookie(client.app, world.secrets["person"])  # type: ignore[arg-type]
    assert (
        client.post("/api/v1/friction", json=body, headers={CSRF_HEADER: mine}).status_code == 201
    )
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {world.secrets['person']}"}
    assert client.post("/api/v1/friction", json=body, headers=bearer).status_code == 201


def test_sign_out_is_a_csrf_protected_form(web: tuple[TestClient, World]) -> None:
    client, world = web
    client.cookies.set(SESSION_COOKIE, world.secrets["person"])
    assert client.post("/signout", follow_redirects=False).status_code == 403
    mine = token_for_cookie(client.app, world.secrets["person"])  # type: ignore[arg-type]
    response = client.post("/signout", data={"csrf_token": mine}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]


def test_cookie_is_secure_behind_https(settings: Settings, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    https = settings.model_copy(update={"base_url": "https://gemba.example.com"})
    with TestClient(create_app(https)) as client:
        response = client.get(
            "/signin", params={"token": world.secrets["person"]}, follow_redirects=False
        )
    assert "Secure" in response.headers["set-cookie"]
