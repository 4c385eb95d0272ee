"""/metrics speaks the Prometheus text format (parsed by prometheus-client's own parser) and
reports build, process, queue depth, collection lag, the shared GitHub budget and stored rows."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.models import GithubBudget, SyncCursor
from app.core.settings import Settings
from app.http.main import create_app
from app.ops.queue import Queue
from app.ops.tasks import Runtime
from tests.app.ops.queue_db import empty_queue
from tests.world import make_commit, make_pull, make_repo

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _parse(body: str) -> tuple[Samples, dict[str, str]]:
    """Every sample by (name, sorted labels), and each family's type."""
    samples: Samples = {}
    kinds: dict[str, str] = {}
    for family in text_string_to_metric_families(body):
        kinds[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, kinds


def _seed(engine: Engine, synced: datetime) -> None:
    with Session(engine) as session:
        repo = make_repo(session, 'acme/we"ird')
        for n in range(3):
            make_commit(session, repo, email="ada@example.com", at=synced, files={"a.py": n})
        make_pull(session, repo, "ada", number=1, ready_at=synced)
        session.add(SyncCursor(source="git", repository='acme/we"ird', updated_at=synced))
        session.add(SyncCursor(source="people", repository="acme", updated_at=synced))
        session.add(
            GithubBudget(
                key="api.github.com token:0123456789abcdef core",
                remaining=4321,
                quota=5000,
                reset_epoch=1_800_000_000,
            )
        )
        session.commit()


def _scrape(settings: Settings) -> str:
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        response = client.get("/metrics")
        assert client.get("/api/v1/metrics").status_code == 404
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


def test_metrics_report_build_process_queue_lag_budget_and_rows(
    settings: Settings, engine: Engine
) -> None:
    synced = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    _seed(engine, synced)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # the estimate /metrics reads is the planner's
            conn.exec_driver_sql('ANALYZE "commit", pullrequest, workflowrun, job')
    gc.collect()  # earlier tests' in-memory queues (SQLite) leave with their last reference
    empty_queue(engine)
    queue = Queue(Runtime(settings, engine), schedule=False)
    with queue.app.open():
        queue.enqueue("repo", "acme/api")  # git on the git queue; pulls, CI, delivery on github
    try:
        samples, kinds = _parse(_scrape(settings))
    finally:
        empty_queue(engine)
    assert kinds["gemba_build_info"] == "gauge"  # an Info, in the text format
    assert samples[("gemba_build_info", (("version", "0.1.0"),))] == 1
    assert samples[("process_resident_memory_bytes", ())] > 0
    assert any(name == "python_info" for name, _ in samples)
    repo = (("repository", 'acme/we"ird'), ("source", "git"))
    assert samples[("gemba_last_sync_timestamp_seconds", repo)] == synced.timestamp()
    assert 1790 <= samples[("gemba_collection_lag_seconds", repo)] <= 1900
    assert not any(dict(labels).get("source") == "people" for _, labels in samples)

    def jobs(queue_name: str, status: str) -> float:
        return samples[("gemba_queue_jobs", (("queue", queue_name), ("status", status)))]

    assert (jobs("git", "todo"), jobs("github", "todo"), jobs("notify", "todo")) == (1, 3, 0)
    assert jobs("github", "doing") == jobs("github", "failed") == 0
    budget = (("account", "token:0123456789abcdef"), ("api", "api.github.com"))
    budget += (("resource", "core"),)
    assert samples[("gemba_github_requests_remaining", budget)] == 4321
    assert samples[("gemba_github_requests_limit", budget)] == 5000
    assert samples[("gemba_github_rate_limit_reset_timestamp_seconds", budget)] == 1.8e9
    rows = {
        dict(labels)["table"]: v
        for (name, labels), v in samples.items()
        if name == "gemba_stored_rows"
    }
    assert rows == {"commit": 3, "pull_request": 1, "workflow_run": 0, "job": 0}


def test_the_row_counts_are_estimates_on_postgresql_never_a_count(
    settings: Settings, engine: Engine
) -> None:
    """The planner's figure: rows added since the last ANALYZE are not in it until the next."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's estimate; SQLite reads the highest row id (the test above)")
    _seed(engine, datetime.now(UTC))
    with engine.begin() as conn:
        conn.exec_driver_sql('ANALYZE "commit"')
    with Session(engine) as session:
        repo = make_repo(session, "acme/more")
        make_commit(session, repo, email="ada@example.com", at=datetime.now(UTC), files={})
        session.commit()
    samples, _ = _parse(_scrape(settings))
    assert samples[("gemba_stored_rows", (("table", "commit"),))] == 3
    with engine.begin() as conn:
        conn.exec_driver_sql('ANALYZE "commit"')
    samples, _ = _parse(_scrape(settings))
    assert samples[("gemba_stored_rows", (("table", "commit"),))] == 4


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
        assert ok.status_code == 200 and "gemba_queue_jobs" in ok.text
    public = settings.model_copy(update={"metrics_public": True})
    with TestClient(create_app(public), client=remote) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(create_app(settings), client=("::1", 50000)) as client:
        assert client.get("/metrics").status_code == 200
