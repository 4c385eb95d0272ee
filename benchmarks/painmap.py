"""The pain map of a 20,000-file repository: what `/api/v1/painmap` and `gemba painmap` answer.

Seeds one repository with 20,000 files at HEAD in folders four deep, a year of 6,000 commits
touching 1 to 8 files each, 1,500 PRs (each the head of one of those commits, with a review),
4,000 workflow runs of those PRs (some failed, some rerun to green) and 200 flags on its files
and PRs, then times `dashboards.reports.painmap.answer` (the map at the default 2,000 boxes) over 90
days, beside the baseline of only reading the files at HEAD, two ways: cold (nothing
remembered, as after a collect or any new row: COLD_RUNS times) and remembered (the same data
asked again, as every view until the next collect: RUNS times):

    .venv/bin/python benchmarks/painmap.py                 # SQLite in a temporary folder
    .venv/bin/python benchmarks/painmap.py --database-url postgresql+psycopg://...

Target (issue 16): under 300 ms p95 on SQLite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).parent.parent))

from app.core.access import Viewer
from app.core.db import make_engine, upgrade
from app.core.models import (
    Commit,
    FileChange,
    FrictionFlag,
    PullRequest,
    RepoFile,
    Repository,
    Review,
    RunAttempt,
    WorkflowRun,
)
from app.core.settings import Settings
from app.flags.lookup import lookup
from dashboards.queries.git import head_files
from dashboards.reports import painmap_cache
from dashboards.reports.painmap import MapQuery, answer

REPO = "bench/monorepo"
FILES = 20_000
COMMITS = 6_000
PULLS = 1_500
RUNS_OF_PULLS = 4_000
FLAGS = 200
RUNS = 20
COLD_RUNS = 5


def _paths(rng: random.Random) -> list[str]:
    paths = []
    for i in range(FILES):
        a, b, c = i % 20, (i // 20) % 10, (i // 200) % 10
        paths.append(f"pkg{a}/mod{b}/part{c}/file{i}.py")
    rng.shuffle(paths)
    return paths


def seed(url: str, now: datetime) -> list[str]:
    """One repository's files, history, PRs, runs and flags; returns the paths at HEAD."""
    rng = random.Random(16)
    engine = make_engine(url)
    paths = _paths(rng)
    people = [(f"Dev {i}", f"dev{i}@example.com") for i in range(40)]
    with Session(engine) as session:
        session.execute(insert(Repository), [{"id": 1, "name": REPO}])
        session.execute(
            insert(RepoFile),
            [{"repository_id": 1, "path": p, "loc": rng.randint(5, 800)} for p in paths],
        )
        commits, changes = [], []
        for i in range(COMMITS):
            name, email = rng.choice(people)
            at = now - timedelta(days=365 * (1 - i / COMMITS))
            commits.append(
                {
                    "id": i + 1,
                    "repository_id": 1,
                    "sha": f"{i:040x}",
                    "author_name": name,
                    "author_email": email,
                    "authored_at": at,
                    "committed_at": at,
                    "summary": f"change {i}",
                }
            )
            hot = paths[: FILES // 20]  # a twentieth of the files take most of the changes
            for path in {
                rng.choice(hot if rng.random() < 0.7 else paths) for _ in range(rng.randint(1, 8))
            }:
                changes.append(
                    {
                        "commit_id": i + 1,
                        "path": path,
                        "added": rng.randint(1, 40),
                        "deleted": rng.randint(0, 20),
                    }
                )
        session.execute(insert(Commit), commits)
        session.execute(insert(FileChange), changes)
        pulls, reviews = [], []
        for n in range(1, PULLS + 1):
            head = commits[COMMITS - PULLS + n - 1]
            created = head["authored_at"] - timedelta(hours=2)
            pulls.append(
                {
                    "id": n,
                    "repository_id": 1,
                    "number": n,
                    "title": f"PR {n}",
                    "author_login": f"dev{n % 40}",
                    "state": "closed",
                    "created_at": created,
                    "updated_at": created,
                    "ready_at": created,
                    "merged_at": created + timedelta(hours=30),
                    "closed_at": created + timedelta(hours=30),
                    "head_sha": head["sha"],
                    "labels": [],
                    "requested_reviewers": [],
                }
            )
            reviews.append(
                {
                    "id": n,
                    "pull_request_id": n,
                    "reviewer_login": f"dev{(n + 1) % 40}",
                    "state": "APPROVED",
                    "submitted_at": created + timedelta(hours=rng.uniform(1, 48)),
                }
            )
        session.execute(insert(PullRequest), pulls)
        session.execute(insert(Review), reviews)
        runs, attempts = [], []
        for r in range(1, RUNS_OF_PULLS + 1):
            pull = pulls[r % PULLS]
            conclusion = "failure" if rng.random() < 0.15 else "success"
            runs.append(
                {
                    "id": r,
                    "repository_id": 1,
                    "name": "CI",
                    "head_sha": pull["head_sha"],
                    "conclusion": conclusion,
                    "status": "completed",
                    "created_at": pull["created_at"],
                    "pull_numbers": [pull["number"]],
                    "run_attempt": 2 if conclusion == "success" and rng.random() < 0.1 else 1,
                }
            )
            if runs[-1]["run_attempt"] == 2:
                attempts.append({"run_id": r, "attempt": 1, "conclusion": "failure"})
        session.execute(insert(WorkflowRun), runs)
        session.execute(insert(RunAttempt), attempts)
        session.execute(
            insert(FrictionFlag),
            [
                {
                    "public_id": f"{i:013d}",
                    "category": "review_wait",
                    "summary": "waiting",
                    "repo": REPO,
                    "path": rng.choice(paths) if i % 2 else None,
                    "pull_number": None if i % 2 else rng.randint(1, PULLS),
                    "created_at": now - timedelta(days=rng.uniform(0, 80)),
                    "status": "open",
                }
                for i in range(FLAGS)
            ],
        )
        session.commit()
    return paths


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an EMPTY database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    seed(url, now)
    seeded = time.perf_counter() - started
    engine = make_engine(url)
    settings = Settings(database_url=url)
    admin = Viewer(person_id=0, login="bench", is_admin=True)
    query = MapQuery(REPO, now - timedelta(days=90), now, admin, lookup, settings)
    cold, warm, baseline, boxes = [], [], [], 0
    for run in range(RUNS):
        with Session(engine) as session:
            start = time.perf_counter()
            head_files(session, repository_id=1)
            baseline.append(time.perf_counter() - start)
        if run < COLD_RUNS:
            with Session(engine) as session:
                painmap_cache.forget(session)
                start = time.perf_counter()
                answer(session, query, color="review")
                cold.append(time.perf_counter() - start)
        with Session(engine) as session:
            start = time.perf_counter()
            result = answer(session, query, color="review")
            warm.append(time.perf_counter() - start)
            boxes = len(result["nodes"])  # type: ignore[arg-type]
    backend = url.split(":", 1)[0]
    base = statistics.median(baseline)
    print(
        f"data: 1 repository, {FILES:,} files at HEAD, {COMMITS:,} commits, {PULLS:,} PRs, "
        f"{RUNS_OF_PULLS:,} runs, {FLAGS} flags on {backend} (seeded in {seeded:.1f} s)"
    )
    print(f"map over 90 days, {boxes:,} boxes (max {settings.painmap_max_boxes:,}):")
    for label, samples in (
        (f"cold answer ({COLD_RUNS} runs)", cold),
        (f"remembered answer ({RUNS} runs)", warm),
        (f"baseline: files at HEAD ({RUNS} runs)", baseline),
    ):
        print(
            f"  {label:38} median {_ms(statistics.median(samples))}   p95 {_ms(_p95(samples))}"
            f"   {statistics.median(samples) / base:5.1f}x baseline"
        )
    met = "met" if _p95(warm) < 0.3 else "NOT met"
    print(f"target: p95 under 300 ms on SQLite (remembered answer): {met}")
    load = Path("/proc/loadavg")
    if load.exists():
        print(f"load average after the runs: {load.read_text().split()[0]}")


if __name__ == "__main__":
    main()
