"""How much one machine collects per hour: measured, not guessed (figures for docs/scaling.md).

1. GitHub collection: the demo organisation served by the stand-in, collected by the real PR
   and CI collectors through PyGithub; prints requests and seconds per PR and per run.
2. Git collection through the worker queue: N generated repositories of M commits each,
   collected by K `gemba worker` processes; prints repositories and commits per hour.
3. With `--org` (instead of 1 and 2): an organisation of 500 people in 60 teams with 300
   repositories and two years of history, seeded in bulk into an EMPTY database by
   `benchmarks/pages.py`'s seeder, then the org page of a director of 8 teams, person and
   team pages timed through the real app (wall and CPU time, p50 and p95).

    .venv/bin/python benchmarks/scaling.py [--database-url URL] [--repos 20] [--commits 2000]
        [--workers 1,2,4]
    .venv/bin/python benchmarks/scaling.py --org [--database-url URL] [--requests 100]
        [--profile org|person|team] [--reuse]

`--profile PAGE` also prints where that page's builder spends its time over all its views
(cProfile in the server's thread, where the app runs). `--reuse` measures the organisation an
earlier `--org` run seeded into the same `--database-url` (a SQLite file outside the temporary
folder, or a PostgreSQL database), without seeding again.

The stand-in answers from memory in about a millisecond, so part 1 measures our side only;
against GitHub add its latency (typically 100-300 ms a request) and the rate limit.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.db import make_engine, upgrade
from app.core.models import metadata
from app.core.settings import Settings
from app.demo.build import build_demo
from app.ops import worker
from app.ops.queue import Queue
from app.ops.tasks import Runtime
from app.sandbox.server import SandboxServer
from benchmarks.pages import Org, Pages, Size, keep, measure, report, reused, seed
from collectors.ci.fetch import collect_ci
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls
from tests.world.git import linear_history


def github_rates(workdir: Path, database_url: str) -> None:
    manifest = build_demo(workdir / "demo")
    upgrade(database_url)
    engine = make_engine(database_url)
    sandbox = SandboxServer(manifest.scenario_dir).start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        github_api_url=sandbox.url,
        github_token="bench",
        github_seconds_between_requests=0,
    )
    gh = make_github(settings)
    pulls = runs = pull_requests = run_requests = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for repo in manifest.repos:
        stats = collect_pulls(engine, gh, repo["full_name"])
        pulls += stats.fetched
        pull_requests += stats.requests
    pull_seconds = time.perf_counter() - started
    pull_cpu = time.process_time() - cpu_started
    started = time.perf_counter()
    cpu_started = time.process_time()
    for repo in manifest.repos:
        ci = collect_ci(engine, gh, repo["full_name"], settings)
        runs += ci.runs
        run_requests += ci.requests
    run_seconds = time.perf_counter() - started
    run_cpu = time.process_time() - cpu_started
    started = time.perf_counter()
    resync = sum(collect_pulls(engine, gh, r["full_name"]).requests for r in manifest.repos)
    resync += sum(collect_ci(engine, gh, r["full_name"], settings).requests for r in manifest.repos)
    resync_seconds = time.perf_counter() - started
    sandbox.stop()
    engine.dispose()
    print(
        f"pull requests: {pulls} in {pull_seconds:.1f} s, {pull_requests} requests "
        f"({pull_requests / pulls:.2f} per PR, {pulls / pull_seconds * 3600:,.0f} PRs/h locally; "
        f"CPU {pull_cpu:.1f} s, stand-in included)"
    )
    print(
        f"workflow runs: {runs} in {run_seconds:.1f} s, {run_requests} requests "
        f"({run_requests / runs:.2f} per run, {runs / run_seconds * 3600:,.0f} runs/h locally; "
        f"CPU {run_cpu:.1f} s, stand-in included)"
    )
    print(
        f"unchanged re-sync of {len(manifest.repos)} repositories: {resync} requests "
        f"in {resync_seconds:.2f} s"
    )
    for limit in (5000, 15000):
        print(
            f"  with {limit:,} requests/h: {limit / (pull_requests / pulls):,.0f} PRs/h "
            f"or {limit / (run_requests / runs):,.0f} runs/h (full sync)"
        )


def worker_rates(
    workdir: Path, database_url: str, repos: int, commits: int, counts: list[int]
) -> None:
    sources = [linear_history(workdir / f"r{n}", commits=commits, seed=n) for n in range(repos)]
    for workers in counts:
        url = _fresh_database(database_url, workdir / f"w{workers}.db")
        engine = make_engine(url)
        queue = Queue(Runtime(Settings(_env_file=None, database_url=url), engine), schedule=False)
        with queue.app.open():
            for n, path in enumerate(sources):
                queue.enqueue("git", f"bench{n}={path}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
        env.update(GEMBA_DATABASE_URL=url, GEMBA_DATA_DIR=str(workdir / "data"))
        cpu_before = _children_cpu()
        started = time.perf_counter()
        if not queue.postgres:  # SQLite: no shared queue, the jobs run in this process
            worker.run_blocking(queue, worker.Options(until_empty=True, poll_seconds=0.2))
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "app", "worker", "--until-empty", "--poll", "0.2"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers if queue.postgres else 0)
        ]
        for process in processes:
            process.wait()
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        with engine.connect() as conn:
            stored = conn.execute(text('SELECT count(*) FROM "commit"')).scalar_one()
        engine.dispose()
        print(
            f"{workers} worker(s): {repos} repositories, {stored:,} commits in {seconds:.1f} s "
            f"= {repos / seconds * 3600:,.0f} repositories/h, {stored / seconds:,.0f} commits/s "
            f"(process start included); workers' CPU {cpu:.1f} s, "
            f"{cpu / repos:.2f} s per repository of {commits} commits"
        )


# 500 people, 60 teams, 300 repositories, two years: 100 pull requests a day (approved by a
# teammate once picked up, every fifth by the next team), 400 workflow runs a day (two jobs
# per attempt, 5% rerun after a flaky failure), about 340 commits a day.
ORG = Size(
    people=500,
    teams=60,
    repos=300,
    days=730,
    commits=250_000,
    pulls=73_000,
    runs=292_000,
    flags=5_000,
    director_of=8,
)
COUNTED = (  # the tables whose rows are printed beside the timings
    "person",
    "team",
    "repository",
    "commit",
    "filechange",
    "pullrequest",
    "review",
    "workflowrun",
    "runattempt",
    "job",
    "frictionflag",
)


def org_pages(url: str, requests: int, profile: str | None = None, reuse: bool = False) -> None:
    """Seed the organisation (or, with `reuse`, take the one seeded into `url` before), print
    what is stored, then time the pages a director, a manager and their people open."""
    started = time.perf_counter()
    if reuse:
        org = reused(url)
    else:
        upgrade(url)
        engine = make_engine(url)
        org = seed(engine, random.Random(42), datetime.now(UTC).replace(microsecond=0), ORG)
        engine.dispose()
        keep(url, org)
    seeded = time.perf_counter() - started
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
            for name in COUNTED
        }
    engine.dispose()
    print(
        f"{'reused (seeded before)' if reuse else 'seeded'} in {seeded:.0f} s "
        f"({ORG.days} days to {org.now:%Y-%m-%d %H:%M}): "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
    )
    print(f"load average before measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    views = _org_views(org)
    if profile:
        views = {profile: views[profile]}
        with _profiled(profile) as profiler:
            report(measure(url, org, requests, views))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        report(measure(url, org, requests, views))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


@contextmanager
def _profiled(page: str) -> Iterator[cProfile.Profile]:
    """Profile every call of the page's builder (`dashboards.pages.<page>.<page>_page`) in
    the thread that runs it: the app serves the test client from a thread of its own."""
    module = importlib.import_module(f"dashboards.pages.{page}")
    name = f"{page}_page"
    builder = getattr(module, name)
    profiler = cProfile.Profile()

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        profiler.enable()
        try:
            return builder(*args, **kwargs)
        finally:
            profiler.disable()

    setattr(module, name, wrapped)
    try:
        yield profiler
    finally:
        setattr(module, name, builder)


def _org_views(org: Org) -> Pages:
    """The director's org page, and person and team pages spread over the organisation (each
    opened by the team's manager): every third team's first member, every sixth team."""
    teams = list(org.members)
    assert org.director, "seeded without a director"
    return {
        "org": [(org.director, "/org")],
        "person": [
            (org.managers[t], f"/people/{org.members[team][0]}")
            for t, team in enumerate(teams)
            if t % 3 == 0
        ],
        "team": [(org.managers[t], f"/teams/{team}") for t, team in enumerate(teams) if t % 6 == 0],
    }


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (the workers and their git processes):
    less sensitive than wall time to other load on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fresh_database(database_url: str, sqlite_path: Path) -> str:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{sqlite_path}"
    else:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        name = f"gemba_bench_{sqlite_path.stem}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        from sqlalchemy.engine import make_url

        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--org", action="store_true", help="seed an organisation, time pages")
    parser.add_argument("--requests", type=int, default=100, help="--org: requests per page")
    parser.add_argument(
        "--profile", choices=("org", "person", "team"), help="--org: profile this page's builder"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="--org: measure the organisation seeded into --database-url by an earlier run",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'github.db'}"
        load = os.getloadavg()[0]
        print(f"cores: {os.cpu_count()}; load average {load:.1f}; database: {url.split('@')[-1]}")
        if args.org:
            org_pages(url, args.requests, args.profile, args.reuse)
            return
        github_rates(
            workdir, url if url.startswith("sqlite") else _fresh_database(url, workdir / "gh.db")
        )
        counts = [int(n) for n in args.workers.split(",")]
        if url.startswith("sqlite"):
            counts = [1]  # SQLite has one writer: one worker
        worker_rates(workdir, url, args.repos, args.commits, counts)


if __name__ == "__main__":
    main()
