"""Friction flags over HTTP: idempotency, validation, rate limits, escaping, the answer loop,
and anonymity (no author in any response, row or log line)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import FlagAuthor, FrictionFlag, IdempotencyKey
from app.core.settings import Settings
from app.http.main import create_app
from tests.app.http.access_world import World, build_world
from tests.app.http.test_access_routes import routes

URL = "/api/v1/friction"


@pytest.fixture
def ctx(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World, Engine]]:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    fast = settings.model_copy(update={"flags_per_minute": 6000, "flags_burst": 1000})
    with TestClient(create_app(fast)) as client:
        yield client, world, engine


def auth(world: World, role: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.secrets[role]}", **extra}


def count_flags(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(FrictionFlag)).all())


def test_a_retried_request_returns_the_same_flag(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, engine = ctx
    before = count_flags(engine)
    body = {"summary": "review queue is stuck", "category": "review_wait", "pull_number": 7}
    first = client.post(URL, json=body, headers=auth(world, "person", **{"Idempotency-Key": "a1"}))
    again = client.post(URL, json=body, headers=auth(world, "person", **{"Idempotency-Key": "a1"}))
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = client.post(URL, json=body, headers=auth(world, "manager", **{"Idempotency-Key": "a1"}))
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert count_flags(engine) == before + 2


def test_concurrent_retries_with_one_key_make_one_flag(
    ctx: tuple[TestClient, World, Engine],
) -> None:
    client, world, engine = ctx
    before = count_flags(engine)
    headers = auth(world, "person", **{"Idempotency-Key": "race-1"})
    ids: list[str] = []
    codes: list[int] = []

    def post() -> None:
        response = client.post(URL, json={"summary": "race"}, headers=headers)
        codes.append(response.status_code)
        ids.append(response.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes)[0] in (200, 201) and set(codes) <= {200, 201}
    assert len(set(ids)) == 1
    assert count_flags(engine) == before + 1


BAD_BODIES = [
    ({"summary": "x", "colour": "red"}, "colour", "extra_forbidden"),
    ({"summary": "x", "category": "vibes"}, "category", "literal_error"),
    ({"summary": "x" * 201}, "summary", "string_too_long"),
    ({"summary": "x", "details": "y" * 5001}, "details", "string_too_long"),
    ({"summary": "   "}, "summary", "value_error"),
    ({"summary": "x", "pull_number": "seven"}, "pull_number", "int_parsing"),
    ({"summary": "x", "anonymous": "perhaps"}, "anonymous", "bool_type"),
    ({"summary": "x", "anonymous": 0}, "anonymous", "bool_type"),  # not taken as false
    ({"summary": "x", "anonymous": 1}, "anonymous", "bool_type"),
    ({"summary": "x", "anonymous": "true"}, "anonymous", "bool_type"),
    ({"summary": "x", "repo": "acme/shpo"}, "repo", "unknown_repository"),  # never collected
    ({"category": "docs"}, "summary", "missing"),
    ({"summary": "a\x00b"}, "summary", "value_error"),  # PostgreSQL cannot store it
    ({"summary": "x", "path": "src/\x00"}, "path", "value_error"),
]


def test_bad_input_gets_a_field_level_422(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, engine = ctx
    before = count_flags(engine)
    for body, field, kind in BAD_BODIES:
        response = client.post(URL, json=body, headers=auth(world, "person"))
        assert response.status_code == 422, body
        [error] = response.json()["detail"]
        assert (error["loc"], error["type"]) == (["body", field], kind)
    assert count_flags(engine) == before


def test_malformed_json_and_oversize_bodies(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, _ = ctx
    headers = auth(world, "person", **{"Content-Type": "application/json"})
    broken = client.post(URL, content=b'{"summary": "x",', headers=headers)
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "json_invalid"
    huge = client.post(URL, content=b'{"summary": "' + b"x" * 70_000 + b'"}', headers=headers)
    assert huge.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"summary": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    chunked = client.post(URL, content=chunks(), headers=headers)
    assert chunked.status_code == 413


def test_a_token_posting_too_fast_gets_429_with_retry_after(
    settings: Settings, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    slow = settings.model_copy(update={"flags_per_minute": 6, "flags_burst": 3})
    with TestClient(create_app(slow)) as client:
        codes = [
            client.post(URL, json={"summary": f"s{i}"}, headers=auth(world, "person")).status_code
            for i in range(4)
        ]
        limited = client.post(URL, json={"summary": "more"}, headers=auth(world, "person"))
        other = client.post(URL, json={"summary": "mine"}, headers=auth(world, "manager"))
    assert codes == [201, 201, 201, 429]
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 10
    assert other.status_code == 201


def test_text_is_stored_as_given_and_escaped_in_html(
    ctx: tuple[TestClient, World, Engine],
) -> None:
    client, world, engine = ctx
    nasty = "<script>alert('x')</script> & \"quotes\""
    created = client.post(
        URL, json={"summary": nasty, "details": nasty}, headers=auth(world, "person")
    )
    assert created.status_code == 201 and created.json()["summary"] == nasty
    with Session(engine) as session:
        stored = session.exec(
            select(FrictionFlag).where(FrictionFlag.public_id == created.json()["id"])
        ).first()
        assert stored is not None and stored.summary == nasty and stored.details == nasty
    for role in ("person", "manager", "admin"):
        for path in _html_paths(client):
            page = client.get(path, headers=auth(world, role))
            assert "<script>alert(" not in page.text, path
    signin = client.get("/signin", params={"token": "<script>alert(1)</script>"})
    assert "<script>alert(" not in signin.text


def _html_paths(client: TestClient) -> list[str]:
    """Pages (not the API) without path parameters, plus the people's pages."""
    plain = [p for m, p in routes(client.app) if m == "GET" and "{" not in p]  # type: ignore[arg-type]
    pages = [p for p in plain if not p.startswith(("/api", "/openapi", "/docs", "/redoc"))]
    return [*pages, "/people/bob", "/teams/Payments"]


def test_the_answer_loop_closes_for_the_author(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, _ = ctx
    flag = client.post(
        URL, json={"summary": "flaky e2e", "category": "flaky_build"}, headers=auth(world, "person")
    ).json()
    path = f"{URL}/{flag['id']}"
    for role in ("person", "other_team", "other_manager"):
        assert client.post(f"{path}/acknowledge", headers=auth(world, role)).status_code in (
            403,
            404,
        )
    acked = client.post(f"{path}/acknowledge", headers=auth(world, "manager"))
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    note = {"note": "We quarantined the test; fix lands Friday."}
    answered = client.post(f"{path}/answer", json=note, headers=auth(world, "skip_level"))
    assert answered.status_code == 200 and answered.json()["answered_by_login"] == "dana"
    mine = client.get(URL, headers=auth(world, "person")).json()
    [seen] = [f for f in mine if f["id"] == flag["id"]]
    assert seen["status"] == "answered" and seen["answer"] == note["note"]
    assert client.get(path, headers=auth(world, "other_team")).status_code == 404


def test_anonymous_flags_in_small_teams_are_counts_only(
    ctx: tuple[TestClient, World, Engine],
) -> None:
    client, world, _ = ctx
    teams = client.get(f"{URL}/teams", headers=auth(world, "other_manager")).json()
    [search] = [t for t in teams if t["team_name"] == "Search"]
    assert search["members"] == 1
    assert search["anonymous_counts"] == {"flaky_build": 1}
    assert all(not f["anonymous"] for f in search["flags"])
    anon_id = world.flag_ids["anon_search"]
    for role in ("other_manager", "other_team", "admin"):
        assert client.get(f"{URL}/{anon_id}", headers=auth(world, role)).status_code == 404
    payments = client.get(
        f"{URL}/{world.flag_ids['anon_payments']}", headers=auth(world, "manager")
    )
    assert payments.status_code == 200 and payments.json()["author_login"] is None


def test_flags_beside_an_item(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, _ = ctx
    query = {"scope": "visible", "repo": "acme/pay", "pull_number": 3}
    seen = client.get(URL, params=query, headers=auth(world, "manager")).json()
    assert {f["author_login"] for f in seen} == {"alice", "bob", "carol"}
    bob_sees = client.get(URL, params=query, headers=auth(world, "person")).json()
    assert {f["author_login"] for f in bob_sees} == {"bob"}
    by_workflow = client.get(
        URL, params={"scope": "visible", "workflow": "ci"}, headers=auth(world, "person")
    ).json()
    assert [f["id"] for f in by_workflow] == [world.flag_ids["anon_payments"]]


def test_an_anonymous_flag_leaves_no_trace_of_its_author(
    ctx: tuple[TestClient, World, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    client, world, engine = ctx
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)  # SQL echo: see the docs
    summary = "the release checklist is 40 steps"
    response = client.post(
        URL,
        json={"summary": summary, "anonymous": True, "category": "process"},
        headers=auth(world, "person", **{"Idempotency-Key": "anon-1"}),
    )
    assert response.status_code == 201
    flag = response.json()
    assert flag["author_login"] is None
    assert flag["created_at"].endswith("T00:00:00Z")  # coarsened to the day
    bob = {"bob", str(world.ids["bob"]), world.secrets["person"], "Bob Zq", "bob.mail@example.com"}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(trace in logged for trace in bob)
    with Session(engine) as session:
        [row] = session.exec(select(FrictionFlag).where(FrictionFlag.public_id == flag["id"]))
        assert session.exec(select(FlagAuthor).where(FlagAuthor.flag_id == row.id)).all() == []
        [key] = session.exec(select(IdempotencyKey).where(IdempotencyKey.flag_id == row.id))
        assert key.created_at.replace(tzinfo=None).time().isoformat() == "00:00:00"
    mine = client.get(URL, headers=auth(world, "person")).json()
    assert flag["id"] not in [f["id"] for f in mine]
    replay = client.post(
        URL,
        json={"summary": summary, "anonymous": True, "category": "process"},
        headers=auth(world, "person", **{"Idempotency-Key": "anon-1"}),
    )
    assert replay.json() == flag


def test_an_id_beyond_64_bits_is_a_422_not_a_500(ctx: tuple[TestClient, World, Engine]) -> None:
    client, world, _ = ctx
    path = "/api/v1/admin/tokens/" + str(2**70) + "/revoke"
    response = client.post(path, headers=auth(world, "admin"))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][0] == "path" and error["type"] == "less_than_equal"


@pytest.mark.parametrize(
    ("method", "suffix", "role"),
    [("GET", "", "person"), ("POST", "/acknowledge", "manager"), ("POST", "/answer", "manager")],
)
def test_a_flag_is_not_found_by_its_row_number(
    ctx: tuple[TestClient, World, Engine], method: str, suffix: str, role: str
) -> None:
    """Sequential row ids are no address: only the random public id is (#18 hole 5)."""
    client, world, _ = ctx
    response = client.request(
        method, f"{URL}/1{suffix}", json={"note": "x"}, headers=auth(world, role)
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "flag_id"] and error["type"] == "string_pattern_mismatch"


def test_a_lone_surrogate_in_the_json_is_a_422_not_a_500(
    ctx: tuple[TestClient, World, Engine],
) -> None:
    client, world, engine = ctx
    before = count_flags(engine)
    body = '{"summary": "bad \\ud800 text", "category": "docs"}'  # valid JSON, not valid text
    headers = auth(world, "person", **{"Content-Type": "application/json"})
    response = client.post(URL, content=body, headers=headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "summary"], "string_unicode")
    assert error["input"] == "bad \ud800 text"
    assert count_flags(engine) == before


def test_the_anonymous_author_follows_the_answers_with_the_follow_key(
    ctx: tuple[TestClient, World, Engine],
) -> None:
    """Tom's team has one member, so his anonymous flag is shown one by one to nobody: only
    the follow key he got back opens it (the database keeps just its hash)."""
    client, world, engine = ctx
    body = {"summary": "on-call pages at 3 am", "anonymous": True}
    raised = client.post(URL, json=body, headers=auth(world, "other_team")).json()
    key = raised["follow_key"]
    assert key
    path = f"{URL}/{raised['id']}"
    assert client.get(path, headers=auth(world, "other_team")).status_code == 404
    wrong = auth(world, "other_team", **{"Flag-Follow-Key": "x" * 43})
    assert client.get(path, headers=wrong).status_code == 404
    mine = client.get(path, headers=auth(world, "other_team", **{"Flag-Follow-Key": key}))
    assert mine.status_code == 200 and mine.json()["author_login"] is None
    assert "follow_key" not in mine.json()
    with Session(engine) as session:
        [row] = session.exec(select(FrictionFlag).where(FrictionFlag.public_id == raised["id"]))
        assert row.follow_hash and key not in row.follow_hash
