"""Friction flags in the browser: raise from your page, acknowledge and answer as the manager
(from the person page, the flag's page and /flags), a thread of answers, and the anonymous
author reading the answers on their own page while nobody else learns who they are."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import FlagAnswer, FlagAuthor, FrictionFlag
from app.core.settings import Settings
from app.http.flag_pages import FOLLOW_COOKIE
from app.http.main import create_app
from tests.app.http.access_world import World, build_world
from tests.signed_in import sign_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE = {"Accept": "text/html"}


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, TestClient, World]]:
    """Bob's browser and Alice's (his manager), signed in with session cookies."""
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    app = create_app(settings)
    with TestClient(app) as bob, TestClient(app) as alice:
        sign_in(bob, world.secrets["person"])
        sign_in(alice, world.secrets["manager"])
        yield bob, alice, world


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path, headers=PAGE)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def raise_flag(client: TestClient, **fields: str) -> str:
    """Raise a flag through Bob's own page's form; returns its public id."""
    token = csrf(client, "/people/bob")
    before = set(re.findall(r'data-flag-id="([a-z2-7]{13})"', client.get("/people/bob").text))
    response = client.post(
        "/flags", data={"csrf_token": token, **fields}, headers=PAGE, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/people/bob#flags"
    after = set(re.findall(r'data-flag-id="([a-z2-7]{13})"', client.get("/people/bob").text))
    [new] = after - before
    return new


def post_form(client: TestClient, path: str, page: str, **fields: str) -> int:
    response = client.post(
        path,
        data={"csrf_token": csrf(client, page), **fields},
        headers=PAGE,
        follow_redirects=False,
    )
    return response.status_code


def test_own_page_has_the_raise_form_and_a_report_page_has_the_answer_buttons(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, alice, _ = web
    own = bob.get("/people/bob", headers=PAGE).text
    assert 'action="/flags"' in own and ">Raise flag</button>" in own
    assert '<option value="acme/pay">' in own  # a collected repository to tie it to
    flag_id = raise_flag(bob, summary="Waiting on a first review", repo="acme/pay", pull_number="3")
    report = alice.get("/people/bob", headers=PAGE).text
    assert f'action="/flags/{flag_id}/acknowledge' in report and ">Acknowledge</button>" in report
    assert f'action="/flags/{flag_id}/answer' in report and ">Answer</button>" in report
    assert 'action="/flags"' not in report  # a manager raises flags on their own page
    assert f"/flags/{flag_id}/answer" not in bob.get("/people/bob").text  # not on your own


def test_raise_acknowledge_answer_twice_and_the_author_sees_the_thread(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, alice, _ = web
    flag_id = raise_flag(bob, summary="Waiting on a first review", repo="acme/pay", pull_number="3")
    listed = alice.get("/flags", headers=PAGE).text
    assert "Waiting on a first review" in listed and f"/flags/{flag_id}" in listed
    ack = f"/flags/{flag_id}/acknowledge?next=/people/bob%23flags"
    assert post_form(alice, ack, "/people/bob") == 303
    assert post_form(alice, f"/flags/{flag_id}/answer", "/flags", note="I will review at 2") == 303
    second = post_form(alice, f"/flags/{flag_id}/answer", f"/flags/{flag_id}", note="Done now")
    assert second == 303
    page = bob.get(f"/flags/{flag_id}", headers=PAGE).text
    assert page.index("I will review at 2") < page.index("Done now")  # a thread, oldest first
    assert page.count("— alice,") == 2  # each answer says who and when
    assert "pull request acme/pay#3" in page
    assert "Waiting on a first review" not in alice.get("/flags", headers=PAGE).text  # answered
    twin = bob.get(f"/flags/{flag_id}", headers={"Accept": "application/json"}).json()
    assert [a["body"] for a in twin["answers"]] == ["I will review at 2", "Done now"]
    assert twin["answer"] == "Done now" and twin["status"] == "answered"


def test_forms_without_the_csrf_token_are_refused(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, alice, world = web
    flag_id = world.flag_ids["named_bob"]
    for client, path, data in (
        (bob, "/flags", {"summary": "no token"}),
        (alice, f"/flags/{flag_id}/acknowledge", {}),
        (alice, f"/flags/{flag_id}/answer", {"note": "no token"}),
        (alice, f"/flags/{flag_id}/answer", {"note": "wrong", "csrf_token": "0" * 64}),
    ):
        response = client.post(path, data=data, headers=PAGE, follow_redirects=False)
        assert response.status_code == 403, path
    with Session(bob.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.exec(select(FlagAnswer)).all() == []
        assert not session.exec(
            select(FrictionFlag).where(FrictionFlag.summary == "no token")
        ).all()


def test_only_a_manager_may_answer_and_a_stranger_cannot_even_see(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, _, world = web
    flag_id = world.flag_ids["named_bob"]
    assert post_form(bob, f"/flags/{flag_id}/answer", f"/flags/{flag_id}", note="me") == 403
    tom = TestClient(bob.app)
    sign_in(tom, world.secrets["other_team"])
    assert tom.get(f"/flags/{flag_id}", headers=PAGE).status_code == 404
    assert tom.get("/flags/aaaaaaaaaaaaa", headers=PAGE).status_code == 404  # same answer
    assert "NAMED-bob" not in tom.get("/flags", headers=PAGE).text


def test_an_unknown_repository_and_a_blank_summary_are_clear_422s(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, _, _ = web
    token = csrf(bob, "/people/bob")
    for fields, words in (
        ({"summary": "typo", "repo": "acme/shpo"}, "no repository named 'acme/shpo'"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x", "pull_number": "seven"}, "pull_number must be a whole number"),
    ):
        response = bob.post("/flags", data={"csrf_token": token, **fields}, headers=PAGE)
        assert response.status_code == 422 and words in html.unescape(response.text), fields


def test_the_anonymous_author_alone_sees_the_answers_on_their_page(
    web: tuple[TestClient, TestClient, World], engine: Engine
) -> None:
    bob, alice, world = web
    token = csrf(bob, "/people/bob")
    response = bob.post(
        "/flags",
        data={"csrf_token": token, "summary": "Deploy freezes hurt", "anonymous": "on"},
        headers=PAGE,
        follow_redirects=False,
    )
    [cookie] = [name for name in response.cookies if name.startswith(FOLLOW_COOKIE)]
    assert response.status_code == 303
    with Session(engine) as session:
        flag = session.exec(
            select(FrictionFlag).where(FrictionFlag.summary == "Deploy freezes hurt")
        ).one()
        assert session.exec(select(FlagAuthor).where(FlagAuthor.flag_id == flag.id)).all() == []
        assert flag.follow_hash and bob.cookies[cookie] not in flag.follow_hash
        assert flag.created_at.replace(tzinfo=None).time().isoformat() == "00:00:00"
        flag_id = flag.public_id
    assert "Deploy freezes hurt" in alice.get("/flags", headers=PAGE).text
    assert post_form(alice, f"/flags/{flag_id}/answer", "/flags", note="Freeze ends Monday") == 303
    own = bob.get("/people/bob", headers=PAGE).text
    assert "Flags you raised anonymously" in own and "Freeze ends Monday" in own
    managed = alice.get("/people/bob", headers=PAGE).text
    assert "Deploy freezes hurt" not in managed  # nothing ties it to bob for anyone else
    page = alice.get(f"/flags/{flag_id}", headers=PAGE).text
    assert "raised anonymously" in page and "bob" not in page.split("<main", 1)[1]
    sign_in(bob, world.secrets["manager"])  # Alice signs in on Bob's browser: not hers to see
    bob.cookies.set(cookie, response.cookies[cookie])
    assert "Flags you raised anonymously" not in bob.get("/people/alice", headers=PAGE).text


def test_the_talking_points_link_the_flag_page_not_the_api(
    web: tuple[TestClient, TestClient, World],
) -> None:
    _, alice, world = web
    report = alice.get("/people/bob", headers=PAGE).text
    assert "/api/v1/friction/" not in report
    assert f'href="/flags/{world.flag_ids["named_bob"]}"' in report


def test_a_flag_is_tied_to_a_run_a_file_or_nothing_and_its_page_says_which(
    web: tuple[TestClient, TestClient, World],
) -> None:
    bob, _, _ = web
    for fields, tied in (
        ({"repo": "acme/pay", "run_id": "77"}, "Tied to CI run 77 in acme/pay"),
        ({"repo": "acme/pay", "path": "src/a.py"}, "Tied to acme/pay: src/a.py"),
        ({"pull_number": "#412"}, "Tied to pull request #412"),
        ({"run_id": "78"}, "Tied to CI run 78"),
        ({"path": "docs/setup.md"}, "Tied to docs/setup.md"),
        ({}, None),
    ):
        flag_id = raise_flag(bob, summary=f"Tied {sorted(fields.items())}", **fields)
        page = " ".join(bob.get(f"/flags/{flag_id}", headers=PAGE).text.split())
        if tied is None:
            assert "Tied to" not in page
        else:
            assert tied in page, (fields, page.split("<main", 1)[1][:600])
