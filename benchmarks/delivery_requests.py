"""GitHub requests spent by the delivery collector per deployment, from the stand-in's request log.

A repository with DEPLOYMENTS production deployments (one new commit each, every tenth a failed
attempt first) and a staging deployment after each fifth, 20 incident issues: a first collect
reading the deployed commits over `/compare` (the baseline), an unchanged re-collect, a
re-collect after NEW deployments, and a first collect of the same data with the repository's
git history collected (deployed commits from the local clone), and the first and an unchanged
collect with a token (deployments and statuses over GraphQL). Prints requests in total, per
deployment stored, and against the baseline.

    .venv/bin/python benchmarks/delivery_requests.py [--deployments 300] [--new 10]

`bench_delivery(scenario_dir, server, args)` has the shape of benchmarks/github_requests.py SOURCES.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.core.db import make_engine, upgrade
from app.core.settings import Settings
from app.sandbox.delivery_objects import make_deployment, make_deployment_status
from app.sandbox.objects import make_commit, make_label, make_pull, make_repository
from app.sandbox.pulls import issue_from_pull
from app.sandbox.server import SandboxServer
from collectors.delivery.sync import collect_delivery
from collectors.git.store import collect_git
from collectors.github_client import make_github

OWNER, REPO = "bench", "shop"
START = datetime(2026, 1, 1, tzinfo=UTC)
Row = tuple[str, int, int, float]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _git_history(path: Path, count: int) -> list[str]:
    """A real repository of `count` commits (git fast-import: one process, not one per commit)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream = []
    for n in range(count):
        stamp = int((START + timedelta(hours=n)).timestamp())
        message = f"c{n}\n"
        stream.append(
            f"commit refs/heads/main\nmark :{n + 1}\n"
            f"author Dev <dev@example.com> {stamp} +0000\n"
            f"committer Dev <dev@example.com> {stamp} +0000\n"
            f"data {len(message)}\n{message}"
            + (f"from :{n}\n" if n else "")
            + f"M 644 inline f{n % 50}.txt\ndata {len(str(n)) + 1}\n{n}\n\n"
        )
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input="".join(stream).encode(),
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)
    out = subprocess.run(
        ["git", "-C", str(path), "rev-list", "--reverse", "main"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def _scenario(shas: list[str], count: int) -> dict[str, Any]:
    commits: list[dict[str, Any]] = []
    for n, sha in enumerate(shas):
        parents = [shas[n - 1]] if n else []
        commits.append(make_commit(OWNER, REPO, sha=sha, authored_at=_iso(START), parents=parents))
    deployments, statuses, next_id = [], {}, 1
    for n in range(count):
        at = START + timedelta(hours=n + 1)
        made = [("production", "failure" if n % 10 == 9 else "success")]
        if n % 5 == 4:
            made.append(("staging", "success"))
        for environment, state in made:
            deployment = make_deployment(
                OWNER, REPO, shas[n + 1], id=next_id, environment=environment, created_at=_iso(at)
            )
            states = ["failure", "success"] if state == "failure" else ["success"]
            statuses[str(next_id)] = [
                make_deployment_status(deployment, s, id=next_id * 10 + i, created_at=_iso(at))
                for i, s in enumerate(reversed(states))
            ]
            deployments.append(deployment)
            next_id += 1
    issues = []
    for number in range(1, 21):
        issue = issue_from_pull(
            make_pull(OWNER, REPO, number, created_at=_iso(START + timedelta(hours=number * 9)))
        )
        issue.pop("pull_request")
        issue["labels"] = [make_label(OWNER, REPO, "incident")]
        issues.append(issue)
    return {
        "repository": make_repository(OWNER, REPO, created_at="2025-01-01T00:00:00Z"),
        "commits": commits,
        "deployments": deployments,
        "deployment_statuses": statuses,
        "issues": issues,
    }


def _write(scenario_dir: Path, files: dict[str, Any]) -> None:
    folder = scenario_dir / OWNER / REPO
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / f"{name}.json").write_text(json.dumps(data))


def bench_delivery(
    scenario_dir: Path, server: SandboxServer, args: argparse.Namespace
) -> list[Row]:
    count, new = getattr(args, "deployments", 300), getattr(args, "new", 10)
    shas = _git_history(scenario_dir.parent / "clone", count + new + 1)
    _write(scenario_dir, _scenario(shas, count))
    rows: list[Row] = []

    def engine_for(name: str) -> Any:
        url = f"sqlite:///{scenario_dir.parent / name}"
        upgrade(url)
        return make_engine(url), url

    engine, url = engine_for("bench-delivery.db")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        github_api_url=server.url,
        github_seconds_between_requests=0,
    )
    gh = make_github(settings)

    def run(label: str, target: Any, client: Any = gh) -> None:
        server.clear_requests()
        began = time.perf_counter()
        stats = collect_delivery(target, client, f"{OWNER}/{REPO}", settings)
        rows.append((label, len(server.requests), stats.deployments, time.perf_counter() - began))

    run(f"first collect, {count} deployments, compare", engine)
    run("unchanged re-collect", engine)
    _write(scenario_dir, _scenario(shas, count + new))
    run(f"re-collect: {new} new deployments", engine)
    engine.dispose()
    _write(scenario_dir, _scenario(shas, count))
    cloned, _ = engine_for("bench-delivery-clone.db")
    collect_git(cloned, scenario_dir.parent / "clone", name=f"{OWNER}/{REPO}")
    run(f"first collect, {count} deployments, clone", cloned)
    cloned.dispose()
    graphql, _ = engine_for("bench-delivery-graphql.db")
    token = make_github(settings.model_copy(update={"github_token": "ghp_bench"}))
    run(f"first collect, {count}, GraphQL, compare", graphql, token)
    run("unchanged re-collect, GraphQL", graphql, token)
    graphql.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=300)
    parser.add_argument("--new", type=int, default=10)
    args = parser.parse_args()
    print(
        f"data: {args.deployments} production deployments (+1 staging per 5, every 10th failed "
        f"first), 20 incidents, 100 per page; stand-in on localhost"
    )
    print(
        f"{'run':<42} {'requests':>9} {'deploys':>8} {'per dep.':>9} {'x base':>7} {'seconds':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        scenario_dir = Path(tmp) / "scenario"
        scenario_dir.mkdir()
        with SandboxServer(scenario_dir) as server:
            rows = bench_delivery(scenario_dir, server, args)
    base = rows[0][1]
    for label, requests, items, seconds in rows:
        per = f"{requests / items:.2f}" if items else "-"
        print(
            f"{label:<42} {requests:>9} {items:>8} {per:>9} {requests / base:>7.2f} {seconds:>8.1f}"
        )


if __name__ == "__main__":
    main()
