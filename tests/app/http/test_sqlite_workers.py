"""`gemba serve --workers 2` on one SQLite file: concurrent writes from both processes.

Real processes, real HTTP: several clients post flags, acknowledge and answer one, add 1:1
notes, make and revoke tokens, import people, unsubscribe, sign in, preview the digest, and
open a report's page and API record (GETs that log a page view), all at once for a few
seconds. No answer may be a 5xx, and every write answered 2xx/3xx must be stored exactly once.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.core.db import make_engine, upgrade
from app.core.models import Person
from app.core.people import person_for_login
from tests.app.http.access_world import World, build_world

HAMMER_SECONDS = 4.0
CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, World]]:
    """Two uvicorn worker processes (`gemba serve --workers 2`) over a fresh SQLite file."""
    url = f"sqlite:///{tmp_path / 'gemba.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
        carol = person_for_login(session, "carol")
        assert carol is not None
        carol.unsubscribe_token = "carol-unsubscribe-token"
        session.add(carol)
        session.commit()
    engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_DATABASE_URL=url,
        GEMBA_DATA_DIR=str(tmp_path),
        GEMBA_FLAGS_PER_MINUTE="100000",
        GEMBA_FLAGS_BURST="100000",
    )
    command = [sys.executable, "-m", "app", "serve", "--workers", "2", "--port", str(port)]
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stall the access log
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, server)
            yield base, url, world
        finally:
            server.terminate()
            server.wait(timeout=20)
    output = log.read_text()
    assert "Traceback" not in output, output[-4000:]


def _wait_until_up(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert server.poll() is None, "gemba serve exited"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("gemba serve did not answer within 20 s")


Call = Callable[[httpx.Client, int], tuple[str, httpx.Response]]


def _calls(world: World) -> list[Call]:
    """One of each write (or logging read), as (kind, response); `n` makes each unique."""

    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {world.secrets[role]}"}

    flag_id = world.flag_ids["named_bob"]

    def flag(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        body = {"category": "review_wait", "summary": f"HAMMER-flag-{n}"}
        headers = {**bearer("person"), "Idempotency-Key": f"hammer-{n}"}
        return "flag", client.post("/api/v1/friction", json=body, headers=headers)

    def acknowledge(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        url = f"/api/v1/friction/{flag_id}/acknowledge"
        return "acknowledge", client.post(url, headers=bearer("manager"))

    def answer(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        url = f"/api/v1/friction/{flag_id}/answer"
        body = {"note": f"HAMMER-answer-{n}"}
        return "answer", client.post(url, json=body, headers=bearer("manager"))

    def note(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        data = {"body": f"HAMMER-note-{n}"}
        return "note", client.post("/people/bob/notes", data=data, headers=bearer("manager"))

    def token(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        body = {"login": "erin", "label": f"HAMMER-token-{n}"}
        return "token", client.post("/api/v1/admin/tokens", json=body, headers=bearer("admin"))

    def revoke(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        url = f"/api/v1/admin/tokens/{world.spare_token_id}/revoke"
        return "revoke", client.post(url, headers=bearer("admin"))

    def unsubscribe(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        return "unsubscribe", client.post("/api/v1/unsubscribe/carol-unsubscribe-token")

    def people(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        # consecutive n run at about the same time: two clients import the same new person
        body = {"people": [{"login": f"hammer-{n // 20}"}]}
        return "people", client.post(
            "/api/v1/admin/people/import", json=body, headers=bearer("admin")
        )

    def signin(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        response = client.post("/signin", data={"token": world.secrets["other_team"]})
        client.cookies.clear()  # the other calls authenticate with a bearer header
        return "signin", response

    def preview(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        return "preview", client.get("/api/v1/digest/preview", headers=bearer("other_manager"))

    def page(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        return "page", client.get("/people/bob", headers=bearer("manager"))

    def record(client: httpx.Client, n: int) -> tuple[str, httpx.Response]:
        return "record", client.get("/api/v1/people/bob", headers=bearer("manager"))

    return [
        flag,
        acknowledge,
        answer,
        note,
        token,
        revoke,
        unsubscribe,
        people,
        signin,
        preview,
        page,
        record,
    ]


def _hammer(base: str, world: World) -> list[tuple[str, int, int]]:
    """Every client cycles through the calls until time is up: (kind, n, status) each."""
    calls = _calls(world)
    counter = itertools.count()
    results: list[tuple[str, int, int]] = []
    lock = threading.Lock()
    stop = time.monotonic() + HAMMER_SECONDS

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
            for call in itertools.islice(itertools.cycle(calls), offset, None):
                if time.monotonic() > stop:
                    return
                n = next(counter)
                kind, response = call(client, n)
                with lock:
                    results.append((kind, n, response.status_code))

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_workers_on_one_sqlite_file_store_every_write_once(
    served: tuple[str, str, World],
) -> None:
    base, url, world = served
    results = _hammer(base, world)
    statuses = Counter((kind, status) for kind, _, status in results)
    assert not [r for r in results if r[2] >= 500], statuses
    ok = {
        kind: {n for k, n, status in results if k == kind and status < 400} for kind, *_ in results
    }
    assert all(ok[kind] for kind in ok), statuses  # every kind got through at least once

    engine = make_engine(url)
    with engine.connect() as conn:

        def numbers(sql: str, prefix: str) -> Counter[int]:
            rows = conn.execute(text(sql), {"p": f"{prefix}%"}).scalars()
            return Counter(int(value.rsplit("-", 1)[1]) for value in rows)

        flags = numbers("SELECT summary FROM frictionflag WHERE summary LIKE :p", "HAMMER-flag-")
        notes = numbers("SELECT body FROM oneononenote WHERE body LIKE :p", "HAMMER-note-")
        tokens = numbers("SELECT label FROM apitoken WHERE label LIKE :p", "HAMMER-token-")
        answer = conn.execute(
            text("SELECT answer, status FROM frictionflag WHERE public_id = :i"),
            {"i": world.flag_ids["named_bob"]},
        ).one()
        views = dict(
            conn.execute(
                text(
                    "SELECT what, count(*) FROM pageview WHERE person_id = :p AND viewer_id = :v "
                    "GROUP BY what"
                ),
                {"p": world.ids["bob"], "v": world.ids["alice"]},
            ).all()
        )
        revoked = conn.execute(
            text("SELECT revoked_at FROM apitoken WHERE id = :i"), {"i": world.spare_token_id}
        ).scalar()
    with Session(engine) as session:
        carol = session.get(Person, world.ids["carol"])
        assert carol is not None and carol.digest_unsubscribed
    engine.dispose()

    assert flags == Counter(ok["flag"]), "a 201 flag missing or stored twice"
    assert notes == Counter(ok["note"]), "a 303 note missing or stored twice"
    assert tokens == Counter(ok["token"]), "a 201 token missing or stored twice"
    assert answer.status == "answered"
    assert int(answer.answer.rsplit("-", 1)[1]) in ok["answer"]
    assert revoked is not None
    assert views.get("person_page", 0) == len(ok["page"])
    assert views.get("api:person", 0) == len(ok["record"])
