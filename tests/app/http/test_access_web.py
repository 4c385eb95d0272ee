"""Browser sign-in: a single-use link or a pasted token opens a server-side session (never the
token as the cookie); sign-out ends it; CSRF and the origin check guard state changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.requests import Request

from app.core.models import ApiToken
from app.core.models.base import utcnow
from app.core.settings import Settings
from app.core.signin import link_url
from app.core.tokens import hash_token, revoke_token
from app.http.auth_web import safe_next
from app.http.deps import CSRF_HEADER, SESSION_COOKIE, csrf_token
from app.http.main import create_app
from tests.app.http.access_world import World, build_world
from tests.signed_in import sign_in


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


def token_id(engine: Engine, secret: str) -> int:
    with Session(engine) as session:
        token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
        found = token.one().id
    assert found is not None
    return found


def link_path(settings: Settings, engine: Engine, secret: str, **kwargs: object) -> str:
    url = urlsplit(link_url(settings, token_id(engine, secret), **kwargs))  # type: ignore[arg-type]
    return f"{url.path}?{url.query}"


def test_sign_in_sets_a_session_cookie_that_is_not_the_token(
    web: tuple[TestClient, World],
) -> None:
    client, world = web
    assert 'name="token"' in client.get("/signin").text
    response = client.post(
        "/signin", data={"token": world.secrets["person"]}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Secure" not in cookie
    assert world.secrets["person"] not in cookie
    assert client.get("/api/v1/me").json()["login"] == "bob"


def test_the_api_token_itself_is_not_accepted_as_the_cookie(
    web: tuple[TestClient, World],
) -> None:
    client, world = web
    client.cookies.set(SESSION_COOKIE, world.secrets["person"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_a_bad_or_revoked_token_does_not_sign_in(web: tuple[TestClient, World]) -> None:
    client, world = web
    for secret in (world.secrets["revoked"], "gw_<b>nope</b>"):
        response = client.post("/signin", data={"token": secret}, follow_redirects=False)
        assert response.status_code == 401 and "set-cookie" not in response.headers
        assert "<b>nope" not in response.text
    old_link = client.get("/signin", params={"token": world.secrets["person"]})
    assert "set-cookie" not in old_link.headers  # a token in a URL never signs in


def test_sign_out_ends_the_session_for_good(web: tuple[TestClient, World]) -> None:
    client, world = web
    cookie = sign_in(client, world.secrets["person"])
    assert client.post("/signout", follow_redirects=False).status_code == 403
    mine = token_for_cookie(client.app, cookie)  # type: ignore[arg-type]
    response = client.post("/signout", data={"csrf_token": mine}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    client.cookies.set(SESSION_COOKIE, cookie)  # a copy of the cookie kept by someone
    assert client.get("/api/v1/me").status_code == 401
    bearer = {"Authorization": f"Bearer {world.secrets['person']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200  # the token lives on


def test_revoking_the_token_ends_its_browser_sessions(
    web: tuple[TestClient, World], engine: Engine
) -> None:
    client, world = web
    sign_in(client, world.secrets["person"])
    assert client.get("/api/v1/me").status_code == 200
    with Session(engine) as session:
        revoke_token(session, token_id(engine, world.secrets["person"]))
        session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_a_sign_in_link_works_once_then_redirects_without_its_code(
    web: tuple[TestClient, World], settings: Settings, engine: Engine
) -> None:
    client, world = web
    path = link_path(settings, engine, world.secrets["person"], next_path="/people/bob?period=30d")
    assert world.secrets["person"] not in path
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/people/bob?period=30d"
    assert client.get("/api/v1/me").json()["login"] == "bob"
    client.cookies.clear()
    again = client.get(path, follow_redirects=False)
    assert again.status_code == 400 and "already used" in again.text
    assert "set-cookie" not in again.headers


def test_a_sign_in_link_expires_and_cannot_be_forged(
    web: tuple[TestClient, World], settings: Settings, engine: Engine
) -> None:
    client, world = web
    late = utcnow() - timedelta(minutes=settings.signin_link_minutes, seconds=1)
    expired = link_path(settings, engine, world.secrets["person"], now=late)
    response = client.get(expired, follow_redirects=False)
    assert response.status_code == 400 and "expired" in response.text
    fresh = link_path(settings, engine, world.secrets["person"])
    code = parse_qs(urlsplit(fresh).query)["code"][0]
    other_key = settings.model_copy(update={"secret_key": "another-secret-key-0123"})
    forged = link_path(other_key, engine, world.secrets["admin"])
    for bad in (forged, f"/signin/link?code={code[:-2]}xx", "/signin/link?code=nonsense"):
        refused = client.get(bad, follow_redirects=False)
        assert refused.status_code == 400 and "set-cookie" not in refused.headers, bad
    revoked = link_path(settings, engine, world.secrets["revoked"])
    assert client.get(revoked, follow_redirects=False).status_code == 400


def test_signing_in_returns_to_the_page_asked_for(web: tuple[TestClient, World]) -> None:
    client, world = web
    asked = client.get("/teams/payments?period=30d", follow_redirects=False)
    assert asked.headers["location"] == "/signin?next=%2Fteams%2Fpayments%3Fperiod%3D30d"
    form = client.get(asked.headers["location"]).text
    assert 'name="next" value="/teams/payments?period=30d"' in form
    response = client.post(
        "/signin",
        data={"token": world.secrets["person"], "next": "/teams/payments?period=30d"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/teams/payments?period=30d"
    evil = client.post(
        "/signin",
        data={"token": world.secrets["person"], "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/people/bob?period=30d#notes", "/people/bob?period=30d#notes"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("people/bob", "/"),
        ("/signin?next=/x", "/"),
        ("/\tevil", "/"),
        ("", "/"),
    ],
)
def test_next_is_a_local_path_only(target: str, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.com"},
        {"Origin": "null"},
    ],
)
def test_a_cross_origin_post_is_refused_sign_in_included(
    web: tuple[TestClient, World], headers: dict[str, str]
) -> None:
    client, world = web
    response = client.post(
        "/signin", data={"token": world.secrets["person"]}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers
    cookie = sign_in(client, world.secrets["person"])
    token = token_for_cookie(client.app, cookie)  # type: ignore[arg-type]
    body = {"summary": "docs are out of date", "category": "docs"}
    flag = client.post("/api/v1/friction", json=body, headers={CSRF_HEADER: token, **headers})
    assert flag.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://testserver"},
        {"Origin": "http://127.0.0.1:8000"},  # the configured public URL
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    ],
)
def test_same_origin_and_non_browser_posts_pass(
    web: tuple[TestClient, World], headers: dict[str, str]
) -> None:
    client, world = web
    response = client.post(
        "/signin", data={"token": world.secrets["person"]}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 303


def test_bearer_requests_are_not_subject_to_the_origin_check(
    web: tuple[TestClient, World],
) -> None:
    client, world = web
    headers = {"Authorization": f"Bearer {world.secrets['person']}", "Origin": "https://x.test"}
    body = {"summary": "docs are out of date", "category": "docs"}
    assert client.post("/api/v1/friction", json=body, headers=headers).status_code == 201


def test_cookie_requests_need_the_csrf_token_bearer_requests_do_not(
    web: tuple[TestClient, World],
) -> None:
    client, world = web
    cookie = sign_in(client, world.secrets["person"])
    body = {"summary": "docs are out of date", "category": "docs"}
    assert client.post("/api/v1/friction", json=body).status_code == 403
    manager = TestClient(client.app)
    other = token_for_cookie(client.app, sign_in(manager, world.secrets["manager"]))  # type: ignore[arg-type]
    assert (
        client.post("/api/v1/friction", json=body, headers={CSRF_HEADER: other}).status_code == 403
    )
    mine = token_for_cookie(client.app, cookie)  # type: ignore[arg-type]
    assert (
        client.post("/api/v1/friction", json=body, headers={CSRF_HEADER: mine}).status_code == 201
    )
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {world.secrets['person']}"}
    assert client.post("/api/v1/friction", json=body, headers=bearer).status_code == 201


def test_pages_forbid_framing_and_foreign_scripts(web: tuple[TestClient, World]) -> None:
    client, world = web
    sign_in(client, world.secrets["person"])
    for path in ("/", "/signin", "/api/v1/me", "/docs"):
        policy = client.get(path).headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-eval" not in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_cookie_is_secure_behind_https(settings: Settings, engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    https = settings.model_copy(update={"base_url": "https://gemba.example.com"})
    with TestClient(create_app(https)) as client:
        response = client.post(
            "/signin", data={"token": world.secrets["person"]}, follow_redirects=False
        )
    assert "Secure" in response.headers["set-cookie"]


def test_secret_settings_do_not_print() -> None:
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        secret_key="a-very-secret-key-123",
        github_token="ghp_secret",
        smtp_password="hunter22",
    )
    shown = repr(config) + str(config.model_dump())
    for secret in ("a-very-secret-key-123", "ghp_secret", "hunter22"):
        assert secret not in shown


def test_ended_sessions_and_old_spent_links_are_forgotten(
    web: tuple[TestClient, World], engine: Engine
) -> None:
    from app.core.models import SignInLinkUse, WebSession

    client, world = web
    cookie = sign_in(client, world.secrets["person"])
    mine = token_for_cookie(client.app, cookie)  # type: ignore[arg-type]
    client.post("/signout", data={"csrf_token": mine}, follow_redirects=False)
    with Session(engine) as session:
        session.add(SignInLinkUse(nonce_hash="old", used_at=utcnow() - timedelta(days=8)))
        session.add(SignInLinkUse(nonce_hash="recent", used_at=utcnow() - timedelta(days=1)))
        session.commit()
    sign_in(client, world.secrets["person"])
    with Session(engine) as session:
        sessions = session.exec(select(WebSession)).all()
        spent = {row.nonce_hash for row in session.exec(select(SignInLinkUse))}
    assert len(sessions) == 1 and sessions[0].ended_at is None
    assert spent == {"recent"}
