"""A migrated database holding the small organisation of `world.py`, and clients signed in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.settings import Settings
from app.http.main import create_app
from tests.dashboards.world import NOW, World, build_world
from tests.signed_in import sign_in


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def app_client(settings: Settings, world: World) -> Iterator[TestClient]:
    app = create_app(settings)
    app.state.clock = lambda: NOW
    with TestClient(app) as client:
        yield client


@pytest.fixture
def signed_in(app_client: TestClient, world: World) -> Callable[[str], TestClient]:
    """Sign the client in as one of the world's people (the browser cookie, as in real use)."""

    def as_login(login: str) -> TestClient:
        sign_in(app_client, world.tokens[login])
        return app_client

    return as_login
