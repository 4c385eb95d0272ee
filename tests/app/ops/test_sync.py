"""`gemba sync` and the scheduled sync task: configured repositories are discovered, filtered,
cloned, and collected by the real collectors against the GitHub stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import Commit, PullRequest, Repository, SyncCursor, WorkflowRun
from app.core.settings import Settings
from app.demo.build import Manifest, build_demo
from app.ops import sync, worker
from app.ops.queue import Queue
from app.ops.tasks import Runtime
from app.sandbox.server import SandboxServer
from tests.app.ops.queue_db import empty_queue


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return build_demo(tmp_path_factory.mktemp("org") / "demo")


def _count(engine: Engine, model: type, repo: str) -> int:
    with Session(engine) as session:
        repo_id = session.exec(select(Repository.id).where(Repository.name == repo)).first()
        column = model.repository_id  # type: ignore[attr-defined]
        return int(
            session.exec(select(func.count()).select_from(model).where(column == repo_id)).one()
        )


def test_clone_urls_follow_the_template_or_the_api_host(settings: Settings) -> None:
    ghe = settings.model_copy(update={"github_api_url": "https://ghe.example.com/api/v3"})
    assert sync.clone_url(ghe, "acme/api") == "https://ghe.example.com/acme/api.git"
    assert sync.clone_url(settings, "acme/api") == "https://github.com/acme/api.git"
    assert sync.clone_url(settings, "acme/api", "https://x/y.git") == "https://x/y.git"
    ssh = settings.model_copy(update={"clone_url_template": "git@ghe:{owner}/{name}.git"})
    assert sync.clone_url(ssh, "acme/api") == "git@ghe:acme/api.git"


def test_include_and_exclude_patterns_filter_in_order(settings: Settings) -> None:
    chosen = settings.model_copy(update={"include": "acme/*, tools/cli", "exclude": "*-archive"})
    names = ["acme/api", "acme/old-archive", "tools/cli", "tools/web", "acme/api"]
    assert sync.selected(names, chosen) == ["acme/api", "tools/cli"]


def test_scheduled_sync_discovers_clones_and_collects_every_source(
    demo: Manifest, settings: Settings, engine: Engine
) -> None:
    folder = Path(demo.people_file).parent
    sandbox = SandboxServer(demo.scenario_dir).start()
    try:
        config = settings.model_copy(
            update={
                "github_api_url": sandbox.url,
                "github_token": "demo",
                "repos": "acme/*",
                "include": "acme/*-web, acme/payments-*",
                "exclude": "acme/payments-*",
                "clone_url_template": f"{folder}/repos/{{name}}",
            }
        )
        empty_queue(engine)
        queue = Queue(Runtime(config, engine), schedule=False)
        with queue.app.open():
            queue.sync.defer(timestamp=0)  # the hourly tick
        outcome = _drain(queue)
        assert (outcome.done, outcome.failed) == (5, 0)  # the fan-out, git, pulls, CI, delivery
        for name in ("acme/checkout-web",):
            counts = demo.counts[name]
            assert _count(engine, Commit, name) == counts["commits"]
            assert _count(engine, PullRequest, name) == counts["pulls"]
            assert _count(engine, WorkflowRun, name) == counts["runs"]
            assert (config.data_dir / "clones" / f"{name}.git" / "HEAD").exists()
        assert _count(engine, PullRequest, "acme/platform-infra") == 0
        assert _count(engine, PullRequest, "acme/payments-api") == 0
        again = sync.sync_all(engine, config, _github(config), lambda _m: None)
        assert [r.done["git"] for r in again] == ["unchanged, 0 commits added"]
        assert again[0].done["pulls"].startswith("0 pull requests stored")
    finally:
        sandbox.stop()


def _drain(queue: Queue) -> worker.Outcome:
    try:
        return worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.1))
    finally:
        empty_queue(queue.runtime.engine)


def _github(config: Settings):  # type: ignore[no-untyped-def]
    from collectors.github_client import make_github

    return make_github(config)


def test_sync_without_repositories_says_what_to_set(settings: Settings, engine: Engine) -> None:
    with pytest.raises(sync.SyncError, match="GEMBA_REPOS"):
        sync.sync_all(engine, settings, _github(settings), lambda _m: None)


def test_a_worker_runs_a_repo_job_with_every_collector(
    demo: Manifest, settings: Settings, engine: Engine
) -> None:
    folder = Path(demo.people_file).parent
    sandbox = SandboxServer(demo.scenario_dir).start()
    try:
        config = settings.model_copy(
            update={
                "github_api_url": sandbox.url,
                "github_token": "demo",
                "clone_url_template": f"{folder}/repos/{{name}}",
            }
        )
        empty_queue(engine)
        queue = Queue(Runtime(config, engine), schedule=False)
        with queue.app.open():
            assert queue.enqueue("repo", "acme/platform-infra") == [
                ("git", "queued"),
                ("pulls", "queued"),
                ("ci", "queued"),
                ("delivery", "queued"),
            ]
        outcome = _drain(queue)
        assert (outcome.done, outcome.failed) == (4, 0)
    finally:
        sandbox.stop()
    counts = demo.counts["acme/platform-infra"]
    assert _count(engine, Commit, "acme/platform-infra") == counts["commits"]
    assert _count(engine, PullRequest, "acme/platform-infra") == counts["pulls"]
    assert _count(engine, WorkflowRun, "acme/platform-infra") == counts["runs"]
    with Session(engine) as session:  # delivery ran after them and chose its source
        cursor = session.exec(
            select(SyncCursor).where(
                SyncCursor.source == "delivery", SyncCursor.repository == "acme/platform-infra"
            )
        ).one()
    assert json.loads(cursor.position)["source"] in sync.delivery_sync.SOURCES


def test_an_unknown_organisation_gets_a_clear_error(demo: Manifest, settings: Settings) -> None:
    sandbox = SandboxServer(demo.scenario_dir).start()
    try:
        config = settings.model_copy(
            update={"github_api_url": sandbox.url, "github_token": "t", "repos": "nobody/*"}
        )
        with pytest.raises(sync.SyncError, match="no organisation or user named 'nobody'"):
            sync.discover(config, _github(config))
        config = config.model_copy(update={"repos": "acme/*", "exclude": "acme/p*"})
        assert [name for name, _ in sync.discover(config, _github(config))] == ["acme/checkout-web"]
    finally:
        sandbox.stop()
