"""How long building every manager's weekly digest takes (target: 50 managers in under 10 s).

Seeds an organisation with bulk inserts: MANAGERS teams of REPORTS people, twelve weeks of
pull requests with reviews, CI runs with reruns and flakes, commits with file changes and
friction flags, then builds and renders every digest of the last complete week in one
session, the way `gemba digest send` does, and prints the time and the data size.

    .venv/bin/python benchmarks/digest.py [--managers 50] [--reports 5] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, select

from app.core.db import make_engine, upgrade
from app.core.models import (
    Commit,
    FileChange,
    FlagAuthor,
    FrictionFlag,
    Person,
    PullRequest,
    RepoFile,
    Repository,
    Review,
    RunAttempt,
    Team,
    TeamMember,
    Workflow,
    WorkflowRun,
)
from app.core.settings import Settings
from app.flags.lookup import lookup  # as `gemba digest send` does: open flags beside each line
from dashboards.digest.build import manager_digest, render
from dashboards.digest.delivery import all_due, send_digests

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WEEKS = 12
REPOS = 10
FILES_PER_REPO = 200


def _bulk(session: Session, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def seed(session: Session, managers: int, reports: int, rng: random.Random) -> None:
    """One transaction of executemany inserts: no ORM objects, so seeding stays quick."""
    people: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    person_id = 0
    for t in range(managers):
        person_id += 1
        manager = person_id
        people.append({"id": manager, "login": f"mgr{t}", "email": f"mgr{t}@example.test"})
        teams.append({"id": t + 1, "name": f"Team {t:02d}", "manager_id": manager})
        for r in range(reports):
            person_id += 1
            login = f"dev{t}x{r}"
            people.append({"id": person_id, "login": login, "email": f"{login}@example.test"})
            members.append({"team_id": t + 1, "person_id": person_id})
    for row in people:
        row.update(name=row["login"].title(), is_bot=False, digest_opt_in=False)
        row.update(digest_unsubscribed=False)
    for row in teams:
        row["timezone"] = "UTC"
    _bulk(session, Person, people)
    _bulk(session, Team, teams)
    _bulk(session, TeamMember, members)
    _bulk(session, Repository, [{"id": i + 1, "name": f"acme/repo{i}"} for i in range(REPOS)])
    _bulk(
        session,
        Workflow,
        [{"id": i + 1, "repository_id": i + 1, "name": "build", "path": ""} for i in range(REPOS)],
    )
    _bulk(
        session,
        RepoFile,
        [
            {"repository_id": r + 1, "path": f"src/f{f}.py", "loc": rng.randint(20, 2000)}
            for r in range(REPOS)
            for f in range(FILES_PER_REPO)
        ],
    )
    _seed_activity(session, members, people, rng)
    session.commit()


def _seed_activity(
    session: Session,
    members: list[dict[str, Any]],
    people: list[dict[str, Any]],
    rng: random.Random,
) -> None:
    login = {p["id"]: p["login"] for p in people}
    by_team: dict[int, list[int]] = {}
    for m in members:
        by_team.setdefault(m["team_id"], []).append(m["person_id"])
    pulls, reviews, runs, attempts, commits, changes, flags, authors = ([] for _ in range(8))
    start = NOW - timedelta(weeks=WEEKS)
    ids = {"pr": 0, "review": 0, "run": 0, "commit": 0, "flag": 0}
    for team_id, team in by_team.items():
        repo = 1 + team_id % REPOS
        for author in team:
            for _ in range(2 * WEEKS):
                ids["pr"] += 1
                created = start + timedelta(hours=rng.uniform(0, WEEKS * 7 * 24 - 1))
                reviewer = rng.choice([p for p in team if p != author] or [author])
                picked = created + timedelta(hours=rng.expovariate(1 / 12))
                merged = picked + timedelta(hours=rng.expovariate(1 / 8))
                done = merged < NOW and rng.random() < 0.9
                pulls.append(
                    {
                        "id": ids["pr"], "repository_id": repo, "number": ids["pr"],
                        "title": f"Change {ids['pr']}", "author_login": login[author],
                        "author_is_bot": False, "state": "closed" if done else "open",
                        "draft": False, "created_at": created, "updated_at": created,
                        "closed_at": merged if done else None,
                        "merged_at": merged if done else None, "ready_at": created,
                        "head_sha": f"{ids['pr']:040x}", "labels": [],
                        "requested_reviewers": [] if done else [login[reviewer]],
                        "html_url": f"https://github.example.test/pr/{ids['pr']}",
                    }
                )  # fmt: skip
                if picked < NOW:
                    ids["review"] += 1
                    reviews.append(
                        {
                            "id": ids["review"], "pull_request_id": ids["pr"],
                            "reviewer_login": login[reviewer], "reviewer_is_bot": False,
                            "state": "APPROVED", "submitted_at": picked,
                        }
                    )  # fmt: skip
                ids["run"] += 1
                flaky = rng.random() < 0.1
                results = (
                    ["failure", "success"] if flaky else [rng.choice(["success"] * 9 + ["failure"])]
                )
                runs.append(
                    {
                        "id": ids["run"], "repository_id": repo, "workflow_id": repo,
                        "name": "build", "head_sha": f"{ids['pr']:040x}", "event": "pull_request",
                        "actor_login": login[author], "status": "completed",
                        "conclusion": results[-1], "run_attempt": len(results),
                        "created_at": created, "pull_numbers": [ids["pr"]],
                    }
                )  # fmt: skip
                for n, conclusion in enumerate(results, start=1):
                    begun = created + timedelta(minutes=30 * (n - 1))
                    attempts.append(
                        {
                            "run_id": ids["run"], "attempt": n, "status": "completed",
                            "conclusion": conclusion, "run_started_at": begun,
                            "updated_at": begun + timedelta(minutes=rng.randint(5, 25)),
                        }
                    )  # fmt: skip
                for _ in range(3):
                    ids["commit"] += 1
                    at = created - timedelta(hours=rng.uniform(1, 48))
                    commits.append(
                        {
                            "id": ids["commit"], "repository_id": repo,
                            "sha": f"{ids['commit']:040x}", "author_name": login[author],
                            "author_email": f"{login[author]}@example.test", "authored_at": at,
                            "committed_at": at, "is_merge": False, "is_bot": False, "summary": "",
                        }
                    )  # fmt: skip
                    for path in {int(rng.paretovariate(1.2)) % FILES_PER_REPO for _ in range(2)}:
                        changes.append(
                            {
                                "commit_id": ids["commit"], "path": f"src/f{path}.py",
                                "added": rng.randint(1, 60), "deleted": rng.randint(0, 30),
                                "is_binary": False,
                            }
                        )  # fmt: skip
            if rng.random() < 0.5:
                ids["flag"] += 1
                raised = start + timedelta(days=rng.uniform(0, WEEKS * 7))
                flags.append(
                    {
                        "id": ids["flag"], "team_id": team_id, "category": "flaky_build",
                        "summary": "CI is flaky", "details": "", "anonymous": False,
                        "created_at": raised, "status": "open",
                    }
                )  # fmt: skip
                authors.append({"flag_id": ids["flag"], "person_id": author})
    for table, rows in (
        (PullRequest, pulls), (Review, reviews), (WorkflowRun, runs), (RunAttempt, attempts),
        (Commit, commits), (FileChange, changes), (FrictionFlag, flags), (FlagAuthor, authors),
    ):  # fmt: skip
        _bulk(session, table, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'digest-bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    with Session(engine, expire_on_commit=False) as session:
        if session.exec(select(func.count()).select_from(Person)).one():
            raise SystemExit(f"{url} already holds people: give an empty database")
        began = time.perf_counter()
        seed(session, args.managers, args.reports, random.Random(7))
        seeded = time.perf_counter() - began
        sizes = {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Person, PullRequest, Review, RunAttempt, Commit, FileChange, FrictionFlag)
        }
        managers = session.exec(select(Person).where(Person.login.startswith("mgr"))).all()  # type: ignore[union-attr]
        began, cpu_began = time.perf_counter(), time.process_time()
        built = total_bytes = 0
        for manager in managers:
            data = manager_digest(session, manager, None, settings, NOW, flags=lookup)
            if data is None:
                continue
            total_bytes += len(render(data).as_bytes())
            built += 1
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
    print(f"database: {engine.url.get_backend_name()}  seeded in {seeded:.1f} s")
    print("rows: " + ", ".join(f"{name} {count}" for name, count in sizes.items()))
    print(
        f"built and rendered {built} manager digests in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({1000 * elapsed / max(built, 1):.0f} ms each), {total_bytes / 1024:.0f} KiB of email"
    )
    began, cpu_began = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        due = all_due(session, None, NOW, settings)
    report = send_digests(engine, settings, due, now=NOW, dry_run=True, flags=lookup)
    print(
        f"send --dry-run path (a session per recipient, rows shared): "
        f"{len(report.would_send)} digests in {time.perf_counter() - began:.2f} s wall, "
        f"{time.process_time() - cpu_began:.2f} s CPU"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
