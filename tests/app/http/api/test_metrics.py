"""/metrics speaks the Prometheus text format and reports freshness, the queue and rate limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.models import SyncCursor
from app.core.settings import Settings
from app.http.main import create_app
from app.ops.queue import Queue
from app.ops.sync import RATE_LIMIT_SOURCE
from app.ops.tasks import Runtime
from tests.app.ops.queue_db import empty_queue

SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? \S+$'
)


def _parse(body: str) -> dict[str, float]:
    """Every sample line, checked against the exposition grammar; HELP/TYPE before samples."""
    samples: dict[str, float] = {}
    declared: set[str] = set()
    for line in body.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            declared.add(line.split()[2])
            continue
        assert SAMPLE.match(line), line
        name = line.split("{")[0].split(" ")[0]
        assert name in declared, f"{name} has no HELP/TYPE"
        key, value = line.rsplit(" ", 1)
        samples[key] = float(value)
    return samples


def test_metrics_report_lag_last_sync_jobs_and_rate_limit(
    settings: Settings, engine: Engine
) -> None:
    synced = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    with Session(engine) as session:
        session.add(
            SyncCursor(source="git", repository='acme/we"ird', position="{}", updated_at=synced)
        )
        reset = int(synced.timestamp()) + 3600
        session.add(
            SyncCursor(
                source=RATE_LIMIT_SOURCE,
                repository="api.github.com",
                position=json.dumps({"remaining": 4321, "limit": 5000, "reset": reset}),
                updated_at=synced,
            )
        )
        session.commit()
    empty_queue(engine)
    queue = Queue(Runtime(settings, engine), schedule=False)
    with queue.app.open():
        queue.enqueue("repo", "acme/api")  # git, pulls and CI: waiting on PostgreSQL
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        response = client.get("/metrics")
        assert client.get("/api/v1/metrics").status_code == 404
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = _parse(response.text)
    labels = '{source="git",repository="acme/we\\"ird"}'
    assert samples[f"gemba_last_sync_timestamp_seconds{labels}"] == int(synced.timestamp())
    assert 1790 <= samples[f"gemba_collection_lag_seconds{labels}"] <= 1900
    empty_queue(engine)
    waiting = 3 if engine.dialect.name == "postgresql" else 0  # SQLite: the queue is in-process
    assert samples['gemba_collect_jobs{status="todo"}'] == waiting
    assert samples['gemba_collect_jobs{status="failed"}'] == 0
    assert samples['gemba_github_requests_remaining{api="api.github.com"}'] == 4321
    assert samples['gemba_github_requests_limit{api="api.github.com"}'] == 5000
    assert samples['gemba_stored_rows{table="commit"}'] == 0
    assert not any("ratelimit" in key for key in samples)


def test_metrics_answer_beyond_this_machine_only_to_an_admin_or_when_public(
    settings: Settings, engine: Engine
) -> None:
    from tests.signed_in import bearer_headers

    people = {
        "people": [{"login": "ops"}, {"login": "dev"}],
        "teams": [],
    }
    headers = bearer_headers(engine, people, ["dev"])
    with Session(engine) as session:
        from app.core.people import person_for_login
        from app.core.tokens import create_token

        ops = person_for_login(session, "ops")
        assert ops is not None
        _, admin = create_token(session, ops, is_admin=True)
        session.commit()
    remote = ("203.0.113.9", 50000)
    with TestClient(create_app(settings), client=remote) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=headers["dev"]).status_code == 403
        ok = client.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
        assert ok.status_code == 200 and "gemba_collect_jobs" in ok.text
    public = settings.model_copy(update={"metrics_public": True})
    with TestClient(create_app(public), client=remote) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(create_app(settings), client=("::1", 50000)) as client:
        assert client.get("/metrics").status_code == 200
