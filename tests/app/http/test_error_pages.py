"""What a browser sees: errors as HTML pages with the site header (the API keeps JSON), and no
printed value can reorder the page with Unicode bidirectional controls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.people import person_for_login
from app.core.settings import Settings
from app.http.main import create_app
from app.http.templating import BIDI_CONTROLS, strip_bidi_controls
from tests.app.http.access_world import World, build_world
from tests.signed_in import sign_in

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
HEADER = '<header class="top">'


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World]]:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        bob = person_for_login(session, "bob")
        assert bob is not None
        bob.name = "Bob \u202etxt.exe\u202c Builder"
        session.add(bob)
        session.commit()
    with TestClient(create_app(settings)) as client:
        sign_in(client, world.secrets["person"])
        yield client, world


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/no/such/page", 404, "There is no page at this address."),
        ("/people/bob?period=7y", 422, "period"),
        ("/people/nobody-here", 404, "No page here that you may open."),
    ],
)
def test_browser_errors_are_pages_with_the_header(
    web: tuple[TestClient, World], path: str, status: int, text: str
) -> None:
    client, _ = web
    response = client.get(path, headers=HTML)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert HEADER in response.text and text in response.text
    assert 'action="/signout"' in response.text  # signed in: the header offers sign-out


def test_a_refused_form_post_is_a_page_too(web: tuple[TestClient, World]) -> None:
    client, _ = web
    response = client.post("/people/bob/notes", data={"body": "x", "shared": "true"}, headers=HTML)
    assert response.status_code == 403
    assert HEADER in response.text and "CSRF" in response.text
    assert "<h1>Not allowed</h1>" in response.text and "<title>Not allowed" in response.text


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/no/such/page", JSON, 404),
        ("/people/bob?period=7y", JSON, 422),
        ("/people/bob?period=7y&format=json", HTML, 422),
        ("/api/v1/no-such-route", HTML, 404),
        ("/api/v1/ci/health?until=0.5", HTML, 422),
    ],
)
def test_the_api_and_json_twins_keep_json(
    web: tuple[TestClient, World], path: str, headers: dict[str, str], status: int
) -> None:
    client, _ = web
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


def test_bidi_controls_never_reach_a_page(web: tuple[TestClient, World]) -> None:
    client, _ = web
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert "Bob txt.exe Builder" in page.text
    assert not any(control in page.text for control in BIDI_CONTROLS)
    twin = client.get("/", headers=JSON)  # the data itself is kept as it was given
    assert "\u202e" in twin.text or "\\u202e" in twin.text


def test_strip_bidi_controls_leaves_markup_and_other_values_alone() -> None:
    assert strip_bidi_controls("a\u202eb\u2066c\u200fd") == "abcd"
    assert strip_bidi_controls("مرحبا Chen") == "مرحبا Chen"  # right-to-left text itself stays
    assert strip_bidi_controls(Markup("<b>\u202e</b>")) == Markup("<b>\u202e</b>")
    assert strip_bidi_controls(3) == 3
