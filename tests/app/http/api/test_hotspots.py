"""The hotspot API over a real collected repository: sign-in, validation, 404, same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.settings import Settings
from app.http.main import create_app
from collectors.git.store import collect_git
from dashboards.reports.hotspots import hotspots
from tests import world as rows
from tests.world.git import BOB, RepoBuilder


@pytest.fixture(scope="module")
def svc_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Old work by Ann and Bob, one recent commit by Alice; built once, only read."""
    repo = RepoBuilder(tmp_path_factory.mktemp("svc") / "svc")
    recent = datetime.now(UTC) - timedelta(days=30)
    repo.clock = datetime.now(UTC) - timedelta(days=800)
    for n in range(6):
        repo.lines("api.py", 10 + n)
        repo.lines("models.py", 5 + n)
        repo.commit(f"change {n}", author=BOB if n % 2 else ("Ann", "ann@example.com"))
    repo.lines("api.py", 40)
    repo.commit("recent", date=recent)
    return repo.path


@pytest.fixture
def client(settings: Settings, engine: Engine, svc_repo: Path) -> Iterator[TestClient]:
    collect_git(engine, svc_repo, name="svc")
    with session_scope(engine) as session:
        secret = rows.make_token(
            session, rows.make_person(session, "viewer", name=None, email=None)
        )
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {secret}"
        yield test_client


def test_hotspots_need_a_signed_in_viewer(client: TestClient) -> None:
    anonymous = client.get(
        "/api/v1/hotspots", params={"repo": "svc"}, headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401


def test_each_signal_answers_with_the_signal_numbers(client: TestClient, engine: Engine) -> None:
    since = "2020-01-01T00:00:00Z"
    body = client.get("/api/v1/hotspots", params={"repo": "svc", "since": since}).json()
    assert body["repo"] == "svc" and body["since"].startswith("2020-01-01")
    now = datetime.fromisoformat(body["now"])
    with session_scope(engine) as session:
        expected = hotspots(session, repo="svc", now=now, since=datetime(2020, 1, 1, tzinfo=UTC))
    assert [(h["path"], h["commits"], h["churn"], h["loc"]) for h in body["items"]] == [
        (h.path, h.commits, h.churn, h.loc) for h in expected
    ]
    assert body["items"][0]["path"] == "api.py" and body["items"][0]["commits"] == 7
    coupling = client.get(
        "/api/v1/coupling", params={"repo": "svc", "since": since, "min_degree": 50}
    ).json()
    assert [(c["path"], c["coupled_path"], c["shared"]) for c in coupling["items"]] == [
        ("api.py", "models.py", 6)
    ]
    owners = client.get("/api/v1/ownership", params={"repo": "svc", "since": since}).json()
    assert {o["path"]: o["authors"] for o in owners["items"]} == {"api.py": 3, "models.py": 2}
    risk = client.get("/api/v1/knowledge-risk", params={"repo": "svc", "since": since}).json()
    assert {r["path"] for r in risk["items"]} == {"models.py"}  # api.py's owner is recent


def test_default_window_is_365_days(client: TestClient) -> None:
    body = client.get("/api/v1/hotspots", params={"repo": "svc"}).json()
    window = datetime.fromisoformat(body["now"]) - datetime.fromisoformat(body["since"])
    assert window == timedelta(days=365)
    assert [h["path"] for h in body["items"]] == ["api.py"]  # older commits fall outside


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/api/v1/hotspots", {"repo": "nope"}, 404, None),
        ("/api/v1/ownership", {"repo": "nope"}, 404, None),
        ("/api/v1/hotspots", {}, 422, "repo"),
        ("/api/v1/hotspots", {"repo": "svc", "since": "last tuesday"}, 422, "since"),
        ("/api/v1/hotspots", {"repo": "svc", "since": "2999-01-01"}, 422, "since"),
        ("/api/v1/hotspots", {"repo": "svc", "limit": 0}, 422, "limit"),
        ("/api/v1/coupling", {"repo": "svc", "min_degree": 101}, 422, "min_degree"),
        ("/api/v1/knowledge-risk", {"repo": "svc", "since": "2020-13-01"}, 422, "since"),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_field(
    client: TestClient, path: str, params: dict[str, object], status: int, field: str | None
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    if field is not None:
        assert field in {d["loc"][-1] for d in response.json()["detail"]}
    else:
        assert "nope" in response.json()["detail"]
