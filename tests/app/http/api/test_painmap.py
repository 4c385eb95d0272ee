"""The pain map's API and its CLI twin over a real collected repository: the same answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.db import session_scope
from app.core.models import Person, Repository
from app.core.settings import Settings, get_settings
from app.http.main import create_app
from collectors.git.store import collect_git
from tests import world as rows
from tests.world.git import BOB, RepoBuilder

UNTIL = datetime.now(UTC).replace(microsecond=0)
PERIOD = {"since": (UNTIL - timedelta(days=30)).isoformat(), "until": UNTIL.isoformat()}


@pytest.fixture
def client(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    repo = RepoBuilder(tmp_path / "svc")
    repo.clock = UNTIL - timedelta(days=20)
    repo.lines("api/routes.py", 12)
    repo.lines("api/deep/models.py", 5)
    repo.commit("start")
    repo.lines("api/routes.py", 15, tag="v2")
    repo.commit("more", author=BOB)
    collect_git(engine, repo.path, name="svc")
    with session_scope(engine) as session:
        secret = rows.make_token(
            session, rows.make_person(session, "viewer", name=None, email=None)
        )
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {secret}"
        yield test_client


def test_painmap_needs_a_viewer_and_valid_input(client: TestClient) -> None:
    assert (
        client.get(
            "/api/v1/painmap", params={"repo": "svc"}, headers={"Authorization": ""}
        ).status_code
        == 401
    )
    assert client.get("/api/v1/painmap", params={"repo": "nope"}).status_code == 404
    assert client.get("/api/v1/painmap", params={"repo": "svc", "color": "pink"}).status_code == 422
    backwards = {"repo": "svc", "since": PERIOD["until"], "until": PERIOD["since"]}
    assert client.get("/api/v1/painmap", params=backwards).status_code == 422
    missing = client.get("/api/v1/painmap/path", params={"repo": "svc", "path": "nowhere"})
    assert missing.status_code == 404


def test_api_and_cli_give_the_same_map(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = client.get("/api/v1/painmap", params={"repo": "svc", "color": "change", **PERIOD}).json()
    nodes = {n["path"]: n for n in body["nodes"]}
    assert body["color_metric"] == "commits"
    assert nodes["api/routes.py"]["loc"] == 15 and nodes["api/routes.py"]["commits"] == 2
    assert nodes["api"]["loc"] == 20 and nodes["api"]["commits"] == 2
    assert nodes["api/routes.py"]["bus_factor"] == 1
    for key in (
        "id",
        "parent",
        "review_wait_median_hours",
        "ci_failed_runs",
        "ci_flaky_runs",
        "flags",
        "hotspot_score",
    ):
        assert key in nodes["api"]
    panel = client.get(
        "/api/v1/painmap/path", params={"repo": "svc", "path": "api", **PERIOD}
    ).json()
    assert [c["summary"] for c in panel["commits"]] == ["more", "start"]
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    shown = CliRunner().invoke(
        cli,
        [
            "painmap",
            "--repo",
            "svc",
            "--color",
            "change",
            "--json",
            "--since",
            PERIOD["since"][:19],
            "--until",
            PERIOD["until"][:19],
        ],
    )
    get_settings.cache_clear()
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["nodes"] == body["nodes"]


def test_a_teams_map_has_one_top_level_box_per_repository(
    client: TestClient, engine: Engine
) -> None:
    with session_scope(engine) as session:
        viewer = session.exec(select(Person).where(Person.login == "viewer")).one()
        dev = rows.make_person(session, "dev", name=None, email=None)
        rows.make_team(session, "core", manager=viewer, members=[dev])
        repo = session.exec(select(Repository).where(Repository.name == "svc")).one()
        at = UNTIL - timedelta(days=5)
        rows.make_pull(
            session,
            repo,
            "dev",
            number=1,
            ready_at=at,
            id=1,
            title="",
            html_url=None,
            first_commit_at=None,
            head_sha=None,
        )
    body = client.get("/api/v1/painmap", params={"team": "core", **PERIOD}).json()
    top = [n for n in body["nodes"] if n["parent"] == "team:core"]
    assert body["repos"] == ["svc"] and [n["id"] for n in top] == ["svc"]
    assert body["nodes"][0]["loc"] == top[0]["loc"] == 20
    assert body["nodes"][0]["pulls"] == top[0]["pulls"]
    assert client.get("/api/v1/painmap", params={"team": "nope"}).status_code == 404
    both = client.get("/api/v1/painmap", params={"team": "core", "repo": "svc"})
    assert both.status_code == 422
