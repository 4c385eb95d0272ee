"""The web side of the digest: the unsubscribe link, and the viewer's own preview."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import Person
from app.core.settings import Settings
from app.core.tokens import create_token
from app.http.main import create_app
from dashboards.digest.build import manager_digest
from dashboards.digest.delivery import all_due, recipients
from tests.dashboards.digest.org import NOW, SECRET, WEEK, Org, build_org
from tests.signed_in import sign_in


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _person(session: Session, login: str) -> Person:
    person = session.exec(select(Person).where(Person.login == login)).one()
    session.refresh(person)
    return person


def _alice_signed_in(session: Session) -> tuple[Org, dict[str, str]]:
    """The digest org, and the API headers of its manager alice."""
    org = build_org(session)
    _, secret = create_token(session, org.people["alice"])
    session.commit()
    return org, {"Authorization": f"Bearer {secret}"}


def test_unsubscribe_link_asks_then_stops_the_email(
    client: TestClient, session: Session, settings: Settings
) -> None:
    org = build_org(session)
    alice = org.people["alice"]
    alice.unsubscribe_token = "tok-alice-0123456789"
    session.add(alice)
    session.commit()

    page = client.get("/api/v1/unsubscribe/tok-alice-0123456789")
    assert page.status_code == 200 and 'method="post"' in page.text
    assert not _person(session, "alice").digest_unsubscribed  # looking changes nothing

    done = client.post("/api/v1/unsubscribe/tok-alice-0123456789")
    assert done.status_code == 200 and "no more weekly emails" in done.text
    assert _person(session, "alice").digest_unsubscribed
    assert "alice" not in {p.login for p in recipients(session)}
    assert "alice" not in {d.login for d in all_due(session, WEEK, NOW, settings)}
    again = client.get("/api/v1/unsubscribe/tok-alice-0123456789")
    assert "You are unsubscribed" in again.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_is_404(client: TestClient, method: str) -> None:
    response = getattr(client, method)("/api/v1/unsubscribe/nope")
    assert response.status_code == 404
    assert "not valid" in response.json()["detail"]


def test_preview_shows_the_viewers_own_digest(
    client: TestClient, session: Session, engine: Engine
) -> None:
    _, headers = _alice_signed_in(session)

    html = client.get("/api/v1/digest/preview", params={"week": WEEK}, headers=headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Payments: the week in review" in html.text and SECRET not in html.text
    text = client.get(
        "/api/v1/digest/preview", params={"week": WEEK, "format": "text"}, headers=headers
    )
    assert text.headers["content-type"].startswith("text/plain")
    assert "THE TEAM'S WEEK" in text.text


def test_preview_needs_sign_in_and_a_valid_week(client: TestClient, session: Session) -> None:
    org = build_org(session)
    _, secret = create_token(session, org.people["bob"])
    session.commit()
    assert client.get("/api/v1/digest/preview").status_code == 401
    bad = client.get(
        "/api/v1/digest/preview",
        params={"week": "2026-47"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert bad.status_code == 422
    assert "2026-W47" in bad.json()["detail"][0]["msg"]
    bob = client.get("/api/v1/digest/preview", headers={"Authorization": f"Bearer {secret}"})
    assert bob.status_code == 200 and "Waiting on your review" in bob.text


def test_a_signed_in_browser_needs_the_csrf_token_to_unsubscribe(
    client: TestClient, session: Session
) -> None:
    org = build_org(session)
    bob = org.people["bob"]
    bob.unsubscribe_token = "tok-bob-0123456789"
    _, secret = create_token(session, bob)
    session.add(bob)
    session.commit()
    sign_in(client, secret)
    refused = client.post("/api/v1/unsubscribe/tok-bob-0123456789")
    assert refused.status_code == 403 and not _person(session, "bob").digest_unsubscribed
    form = client.get("/api/v1/unsubscribe/tok-bob-0123456789").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post("/api/v1/unsubscribe/tok-bob-0123456789", data={"csrf_token": token})
    assert done.status_code == 200 and _person(session, "bob").digest_unsubscribed


def test_a_flag_talking_point_links_to_the_flags_page(
    client: TestClient, session: Session, settings: Settings
) -> None:
    org, headers = _alice_signed_in(session)
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    [bob] = [p for p in data.talking_points if p.login == "bob"]
    assert bob.evidence_url and bob.evidence_url.startswith(settings.base_url)
    path = bob.evidence_url.removeprefix(settings.base_url)
    assert path.startswith("/flags/")  # the flag's page, not the API's JSON
    page = client.get(path, headers={**headers, "Accept": "text/html"})
    assert page.status_code == 200 and "Runner queue too long" in page.text, path
    twin = client.get(path, headers={**headers, "Accept": "application/json"})
    assert twin.json()["summary"] == "Runner queue too long"
