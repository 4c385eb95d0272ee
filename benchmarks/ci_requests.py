"""GitHub requests spent by the CI collector per run collected, from the stand-in's request log.

A full sync of RUNS workflow runs (3 workflows, matrix jobs, 15% rerun once, the newest few
still running), an unchanged re-sync, then a re-sync after NEW runs arrived and the running
ones finished. Prints requests in total and per run stored.

    .venv/bin/python benchmarks/ci_requests.py [--runs 1500] [--new 20]

`bench_ci(scenario_dir, server, args)` has the shape of benchmarks/github_requests.py SOURCES.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.core.db import make_engine, upgrade
from app.core.settings import Settings
from app.sandbox.actions_objects import make_job, make_run, make_workflow
from app.sandbox.objects import make_repository
from app.sandbox.server import SandboxServer
from collectors.ci.fetch import collect_ci
from collectors.github_client import make_github

OWNER, REPO = "bench", "service"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
Row = tuple[str, int, int, float]
MATRIX = {1: ["test (3.11)", "test (3.12)", "test (3.13)"], 2: ["lint"], 3: ["build", "deploy"]}


class History:
    """Runs spread over the days before NOW, with attempts and jobs as the stand-in serves them."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.workflows = {
            wid: make_workflow(OWNER, REPO, wid, name)
            for wid, name in ((1, "Tests"), (2, "Lint"), (3, "Deploy"))
        }
        self.runs: dict[int, dict[str, Any]] = {}
        self.attempts: dict[str, list[dict[str, Any]]] = {}
        self.jobs: dict[str, list[dict[str, Any]]] = {}
        self.next_job = 1

    def add(self, run_id: int, created: datetime, *, running: bool = False) -> None:
        workflow_id = self.rng.choice(list(MATRIX))
        conclusion = (
            None if running else self.rng.choice(["success"] * 8 + ["failure", "cancelled"])
        )
        attempt = 2 if not running and self.rng.random() < 0.15 else 1
        kw = {
            "workflow": self.workflows[workflow_id],
            "created": created,
            "actor": f"dev{run_id % 20}",
        }
        jobs: list[dict[str, Any]] = []
        if attempt == 2:
            first = make_run(OWNER, REPO, run_id, conclusion="failure", **kw)
            self.attempts[str(run_id)] = [first]
            jobs += self._jobs(first, workflow_id)
            kw["started"] = created + timedelta(minutes=30)
        run = make_run(OWNER, REPO, run_id, attempt=attempt, conclusion=conclusion, **kw)
        self.runs[run_id] = run
        self.jobs[str(run_id)] = jobs + self._jobs(run, workflow_id)

    def _jobs(self, run: dict[str, Any], workflow_id: int) -> list[dict[str, Any]]:
        made = []
        for name in MATRIX[workflow_id]:
            self.next_job += 1
            made.append(make_job(run, self.next_job, name, conclusion=run["conclusion"]))
        return made

    def write(self, root: Path) -> None:
        folder = root / OWNER / REPO
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "repository": make_repository(OWNER, REPO, created_at="2025-01-01T00:00:00Z"),
            "workflows": list(self.workflows.values()),
            "runs": list(self.runs.values()),
            "run_attempts": self.attempts,
            "jobs": self.jobs,
        }
        for name, data in files.items():
            (folder / f"{name}.json").write_text(json.dumps(data))


def bench_ci(scenario_dir: Path, server: SandboxServer, args: argparse.Namespace) -> list[Row]:
    runs, new = getattr(args, "runs", 1500), getattr(args, "new", 20)
    history = History()
    step = timedelta(days=60) / runs
    for n in range(runs):
        history.add(100_000 + n, NOW - timedelta(days=60) + n * step, running=n >= runs - 5)
    history.write(scenario_dir)
    url = f"sqlite:///{scenario_dir.parent / 'bench-ci.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        github_api_url=server.url,
        github_seconds_between_requests=0,
    )
    gh = make_github(settings)
    rows: list[Row] = []

    def run(label: str, now: datetime) -> None:
        server.clear_requests()
        began = time.perf_counter()
        stats = collect_ci(engine, gh, f"{OWNER}/{REPO}", settings, now=now)
        rows.append((label, len(server.requests), stats.runs, time.perf_counter() - began))

    run(f"full sync, {runs} runs", NOW)
    run("unchanged re-sync", NOW + timedelta(minutes=30))
    for n in range(runs - 5, runs):  # the running ones finish
        old = history.runs[100_000 + n]
        created = datetime.fromisoformat(old["created_at"].replace("Z", "+00:00"))
        history.runs[100_000 + n] = make_run(
            OWNER, REPO, old["id"], workflow=history.workflows[old["workflow_id"]], created=created
        )
    for n in range(new):
        history.add(200_000 + n, NOW + timedelta(minutes=40 + n))
    history.write(scenario_dir)
    run(f"re-sync: {new} new, 5 finished", NOW + timedelta(hours=2))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1500)
    parser.add_argument("--new", type=int, default=20)
    args = parser.parse_args()
    print(f"{'run':<32} {'requests':>9} {'runs':>6} {'per run':>8} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        scenario_dir = Path(tmp) / "scenario"
        scenario_dir.mkdir()
        with SandboxServer(scenario_dir) as server:
            for label, requests, items, seconds in bench_ci(scenario_dir, server, args):
                per = f"{requests / items:.2f}" if items else "-"
                print(f"{label:<32} {requests:>9} {items:>6} {per:>8} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
