"""The demo's story on one box of the pain map: the hotspot whose owner went quiet, the PR
left waiting (its files read from the clone's branch) and the flaky job of that PR's run,
all on the hotspot's box, collected by the real collectors from the generated clone and the
GitHub stand-in."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import Job
from app.core.settings import Settings
from app.demo.build import build_demo
from app.flags.lookup import TERMINAL, lookup
from app.sandbox.server import SandboxServer
from collectors.ci.fetch import collect_ci
from collectors.git.store import collect_git
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls
from dashboards.reports import painmap

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_hotspot_waiting_pr_and_flaky_job_share_one_box(
    engine: Engine, session: Session, settings: Settings, tmp_path: Path
) -> None:
    manifest = build_demo(tmp_path / "demo", today=TODAY)
    story, hotspot = manifest.patterns["painmap"], manifest.patterns["hotspot"]
    repo = story["repo"]
    assert (
        story["path"] == hotspot["path"]
        and story["pull"] == manifest.patterns["waiting_pull"]["number"]
    )
    clone = next(r["path"] for r in manifest.repos if r["full_name"] == repo)
    branch_files = subprocess.run(
        ["git", "-C", clone, "diff", "--name-only", f"main...refs/pull/{story['pull']}/head"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split() or _branch_files(clone, story["pull"])
    assert story["path"] in branch_files  # the waiting PR's own diff touches the hotspot
    with SandboxServer(Path(manifest.scenario_dir)) as server:
        config = settings.model_copy(
            update={"github_api_url": server.url, "github_token": "ghp_demo", "github_retries": 2}
        )
        collect_git(engine, Path(clone), name=repo)
        collect_pulls(engine, make_github(config), repo)
        collect_ci(engine, make_github(config), repo, config, now=NOW)
    query = painmap.MapQuery(repo, NOW - timedelta(days=90), NOW, TERMINAL, lookup, config)
    nodes = painmap.answer(session, query, color="ci")["nodes"]
    box = next(n for n in nodes if n["path"] == story["path"])  # type: ignore[attr-defined, index]
    assert box["kind"] == "file"
    assert box["owner"] == "Kai Lindqvist" and box["owner_gone_days"] >= 90
    assert box["knowledge_risk"] == 1.0 and box["ci_flaky_runs"] >= 1
    panel = painmap.panel(session, query, story["path"])
    waiting = next(p for p in panel["pulls"] if p["number"] == story["pull"])  # type: ignore[attr-defined, union-attr]
    assert waiting["state"] == "open" and waiting["wait_hours"] > 24
    assert waiting["first_review_at"] is None  # the panel says it is still waiting
    flaky = {r["id"] for r in panel["runs"] if r["flaky"]}  # type: ignore[attr-defined, union-attr]
    assert flaky & set(story["flaky_runs"])
    failed_jobs = session.exec(
        select(Job.name).where(Job.run_id.in_(sorted(flaky)), Job.conclusion == "failure")  # type: ignore[attr-defined]
    ).all()
    assert set(failed_jobs) == {story["flaky_job"]}


def _branch_files(clone: str, number: int) -> list[str]:
    """The waiting PR's branch (named NUMBER-...) against main, as GitHub lists its files."""
    branches = subprocess.run(
        ["git", "-C", clone, "branch", "--format=%(refname:short)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    branch = next(b for b in branches if b.split("/")[-1].startswith(f"{number}-"))
    return subprocess.run(
        ["git", "-C", clone, "diff", "--name-only", f"main...{branch}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
