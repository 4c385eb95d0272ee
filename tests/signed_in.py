"""Signed-in API clients for the collector API tests: people imported, one bearer token each.

Shared so the CI and pull-request API tests sign people in the same way (through the real
people import and token store, not a patched dependency).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.people import import_people, person_for_login
from app.core.tokens import create_token


def bearer_headers(
    engine: Engine, people: dict[str, Any], logins: Iterable[str]
) -> dict[str, dict[str, str]]:
    """Import `people`, then give each of `logins` a token: login -> Authorization header."""
    headers = {}
    with Session(engine) as session:
        import_people(session, people)
        session.flush()
        for login in logins:
            person = person_for_login(session, login)
            assert person is not None
            _, secret = create_token(session, person)
            headers[login] = {"Authorization": f"Bearer {secret}"}
        session.commit()
    return headers


def sign_in(client: Any, secret: str) -> str:
    """Sign a test client's browser in with a token, as a person pasting it does: the client
    then carries the session cookie, whose value is returned (the token never is the cookie)."""
    from app.http.deps import SESSION_COOKIE

    client.cookies.clear()
    response = client.post("/signin", data={"token": secret}, follow_redirects=False)
    assert response.status_code == 303, response.text
    cookie: str = response.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return cookie
