"""GitHub requests spent by the collectors, counted from the stand-in's own request log.

For pull requests: a full sync of PULLS PRs (a realistic mix of reviews, review comments,
commits and timeline events), then an unchanged re-sync, then a re-sync after CHANGED PRs
were updated. Prints requests in total and per PR for each run.

    .venv/bin/python benchmarks/github_requests.py [--pulls 2000] [--changed 20] [--only pulls]

Each source is one function in SOURCES taking (scenario_dir, server, args) and returning rows
of (run, requests, items, seconds); CI adds its own ("requests per run").
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ci_requests import bench_ci  # benchmarks/ is on sys.path when run as a script

from app.core.db import make_engine, upgrade
from app.core.settings import Settings
from app.sandbox.objects import (
    make_commit,
    make_pull,
    make_repository,
    make_review,
    make_review_comment,
    make_timeline_event,
)
from app.sandbox.server import SandboxServer
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls

OWNER, REPO = "bench", "service"
START = datetime(2025, 1, 6, 9, tzinfo=UTC)
Row = tuple[str, int, int, float]


def _t(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def pull_scenario(count: int, seed: int = 7) -> dict[str, Any]:
    """`count` PRs over two years: 0-4 reviews, some comments, 1-5 commits, a few events."""
    rng = random.Random(seed)
    people = [f"dev{i}" for i in range(25)]
    files: dict[str, Any] = {
        "pulls": [],
        "reviews": {},
        "review_comments": {},
        "pull_commits": {},
        "timelines": {},
    }
    for number in range(1, count + 1):
        created = START + timedelta(hours=number * 8 + rng.randint(0, 6))
        author = rng.choice(people)
        key = str(number)
        merged = created + timedelta(hours=rng.randint(2, 120)) if rng.random() < 0.85 else None
        closed = merged or (created + timedelta(hours=30) if rng.random() < 0.5 else None)
        n_comments = rng.choice([0, 0, 0, 1, 3])
        files["pull_commits"][key] = [
            make_commit(
                OWNER,
                REPO,
                author=author,
                authored_at=_t(created - timedelta(hours=h)),
                message=f"pr {number} commit {h}",
            )
            for h in range(rng.randint(1, 5))
        ]
        files["reviews"][key] = [
            make_review(
                OWNER,
                REPO,
                number,
                reviewer=rng.choice(people),
                state=rng.choice(["COMMENTED", "APPROVED", "CHANGES_REQUESTED"]),
                submitted_at=_t(created + timedelta(hours=1 + i)),
            )
            for i in range(rng.randint(0, 4))
        ]
        reviews = files["reviews"][key]
        files["review_comments"][key] = [
            make_review_comment(
                OWNER,
                REPO,
                number,
                author=rng.choice(people),
                review_id=reviews[0]["id"],  # every review comment belongs to a review
                created_at=_t(created + timedelta(hours=1, minutes=i)),
                body=f"note {i}",
            )
            for i in (range(n_comments) if reviews else ())
        ]
        if rng.random() < 0.2:
            files["timelines"][key] = [
                make_timeline_event(
                    OWNER,
                    REPO,
                    number,
                    "ready_for_review",
                    created_at=_t(created + timedelta(hours=1)),
                )
            ]
        files["pulls"].append(
            make_pull(
                OWNER,
                REPO,
                number,
                author=author,
                created_at=_t(created),
                merged_at=_t(merged) if merged else None,
                closed_at=_t(closed) if closed else None,
                state="closed" if closed else "open",
                review_comments=len(files["review_comments"][key]),
                commits=len(files["pull_commits"][key]),
            )
        )
    return files


def write_scenario(root: Path, owner: str, repo: str, files: dict[str, Any]) -> None:
    folder = root / owner / repo
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "repository.json").write_text(json.dumps(make_repository(owner, repo)))
    for name, data in files.items():
        (folder / f"{name}.json").write_text(json.dumps(data))


def bench_pulls(scenario_dir: Path, server: SandboxServer, args: argparse.Namespace) -> list[Row]:
    files = pull_scenario(args.pulls)
    write_scenario(scenario_dir, OWNER, REPO, files)
    url = f"sqlite:///{scenario_dir.parent / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        github_api_url=server.url,
        github_seconds_between_requests=0,
        github_token="benchmark",  # GraphQL needs a token; the stand-in accepts any
    )
    gh = make_github(settings)
    rows: list[Row] = []
    # Count requests, not waits: a REST full sync alone spends more than GitHub's 5,000 an hour.
    server.set_rate_limit(limit=1_000_000)

    def run(label: str, graphql: bool) -> None:
        server.clear_requests()
        began = time.perf_counter()
        stats = collect_pulls(engine, gh, f"{OWNER}/{REPO}", graphql=graphql, full=True)
        rows.append((label, len(server.requests), stats.fetched, time.perf_counter() - began))

    modes = {"graphql": True, "rest": False}
    for mode in args.via:
        run(f"{mode}: full sync, {args.pulls} PRs", modes[mode])
    # Incremental runs (the default): nothing changed, then some PRs changed, including old
    # ones still open; only those are fetched again.
    graphql = "graphql" in args.via
    server.clear_requests()
    began = time.perf_counter()
    stats = collect_pulls(engine, gh, f"{OWNER}/{REPO}", graphql=graphql)
    rows.append(
        ("unchanged re-sync", len(server.requests), stats.fetched, time.perf_counter() - began)
    )
    rng = random.Random(11)
    now = datetime.now(UTC)
    for pull in rng.sample(files["pulls"], args.changed):
        pull["updated_at"] = _t(now)
    write_scenario(scenario_dir, OWNER, REPO, files)
    server.clear_requests()
    began = time.perf_counter()
    stats = collect_pulls(engine, gh, f"{OWNER}/{REPO}", graphql=graphql)
    label = f"re-sync after {args.changed} PRs changed"
    rows.append((label, len(server.requests), stats.fetched, time.perf_counter() - began))
    engine.dispose()
    return rows


SOURCES: dict[str, Callable[[Path, SandboxServer, argparse.Namespace], list[Row]]] = {
    "pulls": bench_pulls,
    "ci": bench_ci,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulls", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1500, help="CI: workflow runs")
    parser.add_argument("--new", type=int, default=20, help="CI: new runs for the re-sync")
    parser.add_argument("--only", choices=sorted(SOURCES), default=None)
    parser.add_argument(
        "--via",
        nargs="+",
        choices=["graphql", "rest"],
        default=["graphql", "rest"],
        help="pull request fetch paths to measure (full syncs)",
    )
    args = parser.parse_args()
    print(f"{'source':<8} {'run':<40} {'requests':>9} {'items':>6} {'per item':>9} {'seconds':>8}")
    for name, bench in SOURCES.items():
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            scenario_dir = Path(tmp) / "scenario"
            scenario_dir.mkdir()
            with SandboxServer(scenario_dir) as server:
                for label, requests, items, seconds in bench(scenario_dir, server, args):
                    per = f"{requests / items:.2f}" if items else "-"
                    print(
                        f"{name:<8} {label:<40} {requests:>9} {items:>6} {per:>9} {seconds:>8.1f}"
                    )


if __name__ == "__main__":
    main()
