"""A flag's id and time do not place an anonymous flag among its neighbours (#18 hole 5):
ids are random, lists are not in the order of raising, and an anonymous flag's time is its day
everywhere it is returned."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import FrictionFlag
from app.core.models.flags import PUBLIC_ID_PATTERN
from app.core.settings import Settings
from app.http.main import create_app
from tests.app.http.access_world import World, build_world

URL = "/api/v1/friction"


@pytest.fixture
def ctx(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World]]:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    fast = settings.model_copy(update={"flags_per_minute": 6000, "flags_burst": 1000})
    with TestClient(create_app(fast)) as client:
        yield client, world


def bearer(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.secrets[role]}"}


def test_ids_are_random_strings_that_say_nothing_of_order(
    ctx: tuple[TestClient, World], engine: Engine
) -> None:
    client, world = ctx
    ids = [
        client.post(URL, json={"summary": f"s{n}"}, headers=bearer(world, "person")).json()["id"]
        for n in range(12)
    ]
    assert all(isinstance(i, str) and len(i) == 13 for i in ids)
    assert all(re.fullmatch(PUBLIC_ID_PATTERN, i) for i in ids)
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    with Session(engine) as session:
        rows = {f.public_id: f.id for f in session.exec(select(FrictionFlag))}
    assert all(str(rows[i]) != i for i in ids)  # the row id is never the address


def test_an_anonymous_flag_sits_at_the_start_of_its_day_in_every_listing(
    ctx: tuple[TestClient, World],
) -> None:
    """Raised between two named flags, the anonymous one is listed after both (the day's
    start), not between them, and its time is midnight in the API, the list and its page."""
    client, world = ctx
    first = client.post(URL, json={"summary": "named before"}, headers=bearer(world, "person"))
    anonymous = client.post(
        URL, json={"summary": "the whisper", "anonymous": True}, headers=bearer(world, "person")
    ).json()
    client.post(URL, json={"summary": "named after"}, headers=bearer(world, "person"))
    assert first.status_code == 201 and anonymous["created_at"].endswith("T00:00:00Z")
    listed = client.get(URL, params={"scope": "visible"}, headers=bearer(world, "manager")).json()
    summaries = [f["summary"] for f in listed]
    assert summaries.index("the whisper") > summaries.index("named before")
    [shown] = [f for f in listed if f["id"] == anonymous["id"]]
    assert shown["created_at"].endswith("T00:00:00Z")
    one = client.get(f"{URL}/{anonymous['id']}", headers=bearer(world, "manager")).json()
    assert one["created_at"].endswith("T00:00:00Z")
    page = client.get(f"/flags/{anonymous['id']}", headers=bearer(world, "manager")).text
    assert 'datetime="' in page and "T0" not in page.split('datetime="', 1)[1][:12]
