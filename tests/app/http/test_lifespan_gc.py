"""The app freezes its start-up objects while it serves (see app.http.main._freeze_startup_objects)
and unfreezes them at shutdown, so that apps made in tests can still be collected; full
collections are rarer while it serves, and as before after."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.http.main import FULL_COLLECTION_EVERY, create_app


def test_start_up_objects_are_frozen_only_while_serving(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert gc.get_freeze_count() > 10_000  # modules, routes and schemas of start-up
        assert client.get("/healthz").status_code == 200
    assert gc.get_freeze_count() == 0


def test_full_collections_are_rarer_only_while_serving(settings: Settings) -> None:
    before = gc.get_threshold()
    with TestClient(create_app(settings)) as client:
        assert gc.get_threshold() == (before[0], before[1], FULL_COLLECTION_EVERY)
        assert client.get("/healthz").status_code == 200
    assert gc.get_threshold() == before
