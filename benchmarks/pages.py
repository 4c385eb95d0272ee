"""Page server time and size on a year of data: 50 people, 6 teams, 20 repositories.

Seeds about 100,000 commits, 20,000 pull requests, 100,000 workflow runs with 200,000 job runs
and 1,000 flags with bulk inserts, then times 200 requests per page through the real app
(in-process ASGI client, so the time is the server's plus a negligible client overhead):

    .venv/bin/python benchmarks/pages.py                      # SQLite in a temporary folder
    .venv/bin/python benchmarks/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Targets (issue 6): person page p95 < 150 ms, team page p95 < 300 ms, HTML with figure data
< 300 KB per page (plotly.js excluded: it is a separate, cached file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine, make_url

from app.core.db import make_engine, upgrade
from app.core.models import (
    CATEGORIES,
    ApiToken,
    Commit,
    FileChange,
    FlagAuthor,
    FrictionFlag,
    Identity,
    Job,
    OneOnOneNote,
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
    metadata,
)
from app.core.tokens import TOKEN_PREFIX, hash_token

PEOPLE, TEAMS, REPOS = 50, 6, 20
COMMITS, PULLS, RUNS, FLAGS = 100_000, 20_000, 100_000, 1_000
JOBS_PER_ATTEMPT = 2
FILES_PER_REPO = 150
CHUNK = 5_000


@dataclass(frozen=True)
class Size:
    """How much `seed` writes; the defaults are this benchmark's year of 50 people
    (`benchmarks/scaling.py --org` seeds an organisation of 500 with the same code)."""

    people: int = PEOPLE
    teams: int = TEAMS
    repos: int = REPOS
    days: int = 365
    commits: int = COMMITS
    pulls: int = PULLS
    runs: int = RUNS
    flags: int = FLAGS
    director_of: int = 0  # > 0: a director, manager of the first N teams' managers


@dataclass
class Org:
    now: datetime
    managers: list[str]
    members: dict[str, list[str]]  # team -> member logins
    team_repos: dict[str, list[int]]
    tokens: dict[str, str]
    repos: int = REPOS
    director: str | None = None  # signed in for /org (a manager of managers)


def chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(engine: Engine, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with engine.begin() as connection:
        for batch in chunks(rows):
            connection.execute(insert(table.__table__), batch)
            count += len(batch)
    return count


def seed(engine: Engine, rng: random.Random, now: datetime, size: Size | None = None) -> Org:
    """Write `size.days` of activity with bulk inserts (ids are given, so nothing is read back).

    With `size.director_of`, every fifth pull request is reviewed by the next team (so an
    organisation has reviews across team lines) and a director manages a team of the first
    `director_of` teams' managers, as the people file defines a manager of managers.
    """
    size = size or Size()
    since = now - timedelta(days=size.days)
    logins = [f"dev{i:02d}" for i in range(size.people)]
    if size.director_of:
        logins.append("director")  # the last id: the other people's ids stay as without one
    bulk(
        engine,
        Person,
        (
            {
                "id": i + 1,
                "login": login,
                "name": f"Developer {i:02d}",
                "email": f"{login}@example.com",
            }
            for i, login in enumerate(logins)
        ),
    )
    bulk(
        engine,
        Identity,
        (
            {"id": i + 1, "kind": "email", "value": f"{login}@example.com", "person_id": i + 1}
            for i, login in enumerate(logins)
        ),
    )
    managers = logins[: size.teams]
    rest = logins[size.teams : size.people]
    teams = [f"team-{i}" for i in range(size.teams)]
    members = {team: rest[i :: size.teams] for i, team in enumerate(teams)}
    bulk(
        engine,
        Team,
        (
            {"id": i + 1, "name": team, "manager_id": i + 1, "timezone": "UTC"}
            for i, team in enumerate(teams)
        ),
    )
    person_id = {login: i + 1 for i, login in enumerate(logins)}
    bulk(
        engine,
        TeamMember,
        (
            {"team_id": i + 1, "person_id": person_id[login]}
            for i, team in enumerate(teams)
            for login in members[team]
        ),
    )
    if size.director_of:
        leads = [person_id[login] for login in managers[: size.director_of]]
        _add_director(engine, size.teams + 1, person_id["director"], leads)
    tokens = {login: f"{TOKEN_PREFIX}bench-{login}-{rng.randrange(10**12)}" for login in logins}
    bulk(
        engine,
        ApiToken,
        (
            {
                "id": i + 1,
                "person_id": person_id[login],
                "token_hash": hash_token(tokens[login]),
                "is_admin": False,
                "created_at": now,
            }
            for i, login in enumerate(logins)
        ),
    )
    repos = [f"acme/service-{i:02d}" for i in range(size.repos)]
    bulk(
        engine,
        Repository,
        (
            {
                "id": i + 1,
                "name": name,
                "html_url": f"https://github.com/{name}",
                "default_branch": "main",
            }
            for i, name in enumerate(repos)
        ),
    )
    # Each team works in its own repositories plus one it shares with the next team (the
    # default size: 4 repositories at a stride of 3, as before).
    stride, per_team = max(3, size.repos // size.teams), max(4, size.repos // size.teams + 1)
    team_repos = {
        team: [1 + (i * stride + k) % size.repos for k in range(per_team)]
        for i, team in enumerate(teams)
    }
    team_of = {login: team for team in teams for login in members[team]}
    paths = [f"src/module{m}/file{f}.py" for m in range(15) for f in range(FILES_PER_REPO // 15)]
    bulk(
        engine,
        RepoFile,
        (
            {"repository_id": r + 1, "path": p, "loc": rng.randint(20, 2000), "is_binary": False}
            for r in range(size.repos)
            for p in paths
        ),
    )
    weights = [1 / (k + 1) for k in range(len(paths))]  # a few files change a lot: hotspots

    def commits() -> Iterator[dict[str, Any]]:
        for i in range(size.commits):
            author = rng.choice(rest)
            repo = rng.choice(team_repos[team_of[author]])
            at = since + timedelta(seconds=rng.randrange(size.days * 86400))
            yield {
                "id": i + 1,
                "repository_id": repo,
                "sha": f"{i:040x}",
                "author_name": author,
                "author_email": f"{author}@example.com",
                "authored_at": at,
                "committed_at": at,
                "is_merge": False,
                "is_bot": False,
                "summary": "change",
            }

    bulk(engine, Commit, commits())

    def changes() -> Iterator[dict[str, Any]]:
        change_id = 0
        for i in range(size.commits):
            for path in set(rng.choices(paths, weights=weights, k=2)):
                change_id += 1
                yield {
                    "id": change_id,
                    "commit_id": i + 1,
                    "path": path,
                    "added": rng.randint(1, 80),
                    "deleted": rng.randint(0, 40),
                    "is_binary": False,
                }

    bulk(engine, FileChange, changes())
    workflows = ["tests", "lint", "build"]
    bulk(
        engine,
        Workflow,
        (
            {
                "id": r * 10 + w + 1,
                "repository_id": r + 1,
                "name": name,
                "path": f".github/workflows/{name}.yml",
            }
            for r in range(size.repos)
            for w, name in enumerate(workflows)
        ),
    )
    pulls: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    numbers = dict.fromkeys(range(1, size.repos + 1), 0)
    for i in range(size.pulls):
        author = rng.choice(rest)
        repo = rng.choice(team_repos[team_of[author]])
        numbers[repo] += 1
        created = since + timedelta(seconds=rng.randrange(size.days * 86400))
        pickup = timedelta(hours=rng.expovariate(1 / 10))
        merge = pickup + timedelta(hours=rng.expovariate(1 / 6))
        still_open = created + merge > now or rng.random() < 0.01
        reviewing = team_of[author]
        if size.director_of and i % 5 == 0:  # a review across team lines
            reviewing = teams[(teams.index(reviewing) + 1) % size.teams]
        reviewer = rng.choice([m for m in members[reviewing] if m != author])
        pull_id = i + 1
        pulls.append(
            {
                "id": pull_id,
                "repository_id": repo,
                "number": numbers[repo],
                "title": f"Change {numbers[repo]} in module {rng.randrange(15)}",
                "html_url": f"https://github.com/{repos[repo - 1]}/pull/{numbers[repo]}",
                "author_login": author,
                "author_is_bot": False,
                "state": "open" if still_open else "closed",
                "draft": False,
                "created_at": created,
                "updated_at": min(now, created + merge),
                "closed_at": None if still_open else created + merge,
                "merged_at": None if still_open else created + merge,
                "ready_at": created,
                "first_commit_at": created - timedelta(hours=rng.expovariate(1 / 20)),
                "additions": rng.randint(1, 400),
                "deletions": rng.randint(0, 200),
                "changed_files": rng.randint(1, 12),
                "commits": rng.randint(1, 6),
                "head_sha": f"{size.pulls + i:040x}",
                "labels": [],
                "requested_reviewers": [reviewer] if still_open else [],
            }
        )
        if created + pickup < now and not (still_open and rng.random() < 0.5):
            reviews.append(
                {
                    "id": len(reviews) + 1,
                    "pull_request_id": pull_id,
                    "reviewer_login": reviewer,
                    "reviewer_is_bot": False,
                    "state": "APPROVED",
                    "submitted_at": created + pickup,
                    "commit_sha": f"{size.pulls + i:040x}",
                }
            )
    bulk(engine, PullRequest, pulls)
    bulk(engine, Review, reviews)
    runs: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    for i in range(size.runs):
        pull = pulls[i % size.pulls]
        repo = pull["repository_id"]
        w = rng.randrange(len(workflows))
        created = pull["created_at"] + timedelta(minutes=rng.randrange(0, 600))
        if created > now:
            created = now - timedelta(minutes=30)
        flaky = rng.random() < 0.05
        results = ["failure", "success"] if flaky else [rng.choice(["success"] * 9 + ["failure"])]
        run_id = i + 1
        runs_url = f"https://github.com/{repos[repo - 1]}/actions/runs"
        start = created
        for attempt, conclusion in enumerate(results, start=1):
            end = start + timedelta(minutes=rng.randint(3, 25))
            attempts.append(
                {
                    "run_id": run_id,
                    "attempt": attempt,
                    "status": "completed",
                    "conclusion": conclusion,
                    "run_started_at": start,
                    "updated_at": end,
                    "triggering_actor_login": pull["author_login"],
                }
            )
            for j in range(JOBS_PER_ATTEMPT):
                jobs.append(
                    {
                        "id": len(jobs) + 1,
                        "run_id": run_id,
                        "run_attempt": attempt,
                        "name": f"{workflows[w]}-{j}",
                        "status": "completed",
                        "conclusion": conclusion,
                        "created_at": start,
                        "started_at": start + timedelta(seconds=20),
                        "completed_at": end,
                        "labels": [],
                        "steps": [],
                        "html_url": f"{runs_url}/{run_id}/job/{len(jobs) + 1}",
                    }
                )
            start = end + timedelta(minutes=3)
        runs.append(
            {
                "id": run_id,
                "repository_id": repo,
                "workflow_id": (repo - 1) * 10 + w + 1,
                "name": workflows[w],
                "head_sha": pull["head_sha"],
                "head_branch": f"feature-{pull['number']}",
                "event": "pull_request",
                "actor_login": pull["author_login"],
                "triggering_actor_login": pull["author_login"],
                "status": "completed",
                "conclusion": results[-1],
                "run_attempt": len(results),
                "run_number": i + 1,
                "created_at": created,
                "run_started_at": created,
                "updated_at": start,
                "html_url": f"https://github.com/{repos[repo - 1]}/actions/runs/{run_id}",
                "pull_numbers": [pull["number"]],
            }
        )
    bulk(engine, WorkflowRun, runs)
    bulk(engine, RunAttempt, attempts)
    bulk(engine, Job, jobs)
    flags: list[dict[str, Any]] = []
    authors: list[dict[str, Any]] = []
    for i in range(size.flags):
        author = rng.choice(rest)
        created = since + timedelta(seconds=rng.randrange(size.days * 86400))
        answered = rng.random() < 0.4
        anonymous = rng.random() < 0.3
        flags.append(
            {
                "id": i + 1,
                "team_id": teams.index(team_of[author]) + 1,
                "category": rng.choice(CATEGORIES),
                "summary": f"Friction number {i}",
                "details": "",
                "anonymous": anonymous,
                "created_at": created,
                "status": "answered" if answered else "open",
                "answer": "We changed the process" if answered else None,
            }
        )
        if not anonymous:
            authors.append({"flag_id": i + 1, "person_id": person_id[author]})
    bulk(engine, FrictionFlag, flags)
    bulk(engine, FlagAuthor, authors)
    bulk(
        engine,
        OneOnOneNote,
        (
            {
                "id": i + 1,
                "person_id": person_id[login],
                "author_id": person_id[managers[teams.index(team_of[login])]],
                "shared": True,
                "body": "Last 1:1",
                "created_at": now - timedelta(days=rng.randint(5, 20)),
                "done": True,
            }
            for i, login in enumerate(rest)
        ),
    )
    _reset_sequences(engine)
    analyze(engine)
    director = "director" if size.director_of else None
    return Org(now, managers, members, team_repos, tokens, size.repos, director)


def _add_director(engine: Engine, team_id: int, director_id: int, managers: list[int]) -> None:
    """A team "leads" whose members are the given managers, managed by the director: the
    people file's skip-level manager (as `benchmarks/org_page.py` seeds one)."""
    team = {"id": team_id, "name": "leads", "manager_id": director_id, "timezone": "UTC"}
    bulk(engine, Team, [team])
    bulk(engine, TeamMember, ({"team_id": team_id, "person_id": m} for m in managers))


def analyze(engine: Engine) -> None:
    """Refresh planner statistics, as autovacuum would after a bulk load (both backends)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: move each id sequence past the ids we gave, so later inserts work."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is True:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 1))'
                    )
                )


def get(client: Any, org: Org, viewer: str, path: str) -> tuple[float, int, float]:
    """One signed-in GET: (wall ms, bytes of HTML with its figure data, CPU ms of this process).

    The app runs in this process (in-process ASGI client), so the CPU time is the server's
    own work, undisturbed by other load on the machine (for PostgreSQL it leaves out the
    database server's CPU, which runs in its own process).
    """
    headers = {"Authorization": f"Bearer {org.tokens[viewer]}"}  # signed in as an API client
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, headers=headers, follow_redirects=False)
    elapsed = (time.perf_counter() - start) * 1000
    cpu_ms = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}\n{response.text[:500]}")
    return elapsed, len(response.content), cpu_ms


Pages = dict[str, list[tuple[str, str]]]  # page name -> (viewer, path) to open in turn


def all_pages(org: Org) -> Pages:
    """Every person, team and repository page, each opened by its manager, and the home page."""
    teams = list(org.members)
    return {
        "person": [
            (org.managers[t], f"/people/{login}")
            for t, team in enumerate(teams)
            for login in org.members[team]
        ],
        "team": [(org.managers[t], f"/teams/{team}") for t, team in enumerate(teams)],
        "team 90 d": [
            (org.managers[t], f"/teams/{team}?period=90d") for t, team in enumerate(teams)
        ],
        "repository": [(org.managers[0], f"/repos/acme/service-{i:02d}") for i in range(org.repos)],
        "home": [(org.managers[0], "/")],
    }


def measure(
    url: str, org: Org, requests: int, pages: Pages | None = None
) -> dict[str, dict[str, float]]:
    """Time `requests` GETs of each page (default: `all_pages`) through the real app."""
    from fastapi.testclient import TestClient

    from app.core.settings import Settings
    from app.http.main import create_app

    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    app = create_app(settings)
    app.state.clock = lambda: org.now
    results: dict[str, dict[str, float]] = {}
    with TestClient(app) as client:
        for name, targets in (pages or all_pages(org)).items():
            # First views: every distinct page once, which computes the team and repository
            # baselines that later views of the same day and data reuse.
            cold = [get(client, org, viewer, path) for viewer, path in targets]
            warm = [get(client, org, *targets[i % len(targets)]) for i in range(requests)]
            times = sorted(t for t, _, _ in warm)
            cpu = sorted(c for _, _, c in warm)
            results[name] = {
                "first_view_p50_ms": round(statistics.median(t for t, _, _ in cold), 1),
                "first_view_max_ms": round(max(t for t, _, _ in cold), 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1], 1),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                "max_ms": round(times[-1], 1),
                "max_kb": round(max(size for _, size, _ in cold + warm) / 1024, 1),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an EMPTY database (default: SQLite in a temp dir)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database this script seeded before"
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    if args.reuse:
        org = reused(url)
        print(f"database: {make_url(url).get_backend_name()}; reusing the seeded data")
    else:
        upgrade(url)
        engine = make_engine(url)
        now = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        org = seed(engine, random.Random(args.seed), now)
        engine.dispose()
        keep(url, org)
        seeded = time.perf_counter() - started
        print(f"database: {make_url(url).get_backend_name()}; seeded in {seeded:.0f} s")
    report(measure(url, org, args.requests))


def _sidecar(url: str) -> Path:
    """Where the seeded organisation's logins and tokens are kept beside a database URL."""
    digest = hashlib.sha1(url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"gemba-bench-{digest}.json"


def keep(url: str, org: Org) -> None:
    """Remember who was seeded into `url`, so a later run can measure it without reseeding."""
    _sidecar(url).write_text(json.dumps(asdict(org), default=str))


def reused(url: str) -> Org:
    """The organisation `keep` remembered for `url` (planner statistics refreshed)."""
    org = Org(**json.loads(_sidecar(url).read_text()))
    org.now = datetime.fromisoformat(str(org.now))
    engine = make_engine(url)
    analyze(engine)
    engine.dispose()
    return org


def report(results: dict[str, dict[str, float]]) -> None:
    for name, stats in results.items():
        print(
            f"{name:<11} p50 {stats['p50_ms']:>7.1f} ms  p95 {stats['p95_ms']:>7.1f} ms  "
            f"max {stats['max_ms']:>7.1f} ms  CPU p50 {stats['cpu_p50_ms']:>6.1f} "
            f"p95 {stats['cpu_p95_ms']:>6.1f} ms  "
            f"first views p50 {stats['first_view_p50_ms']:>7.1f} ms "
            f"max {stats['first_view_max_ms']:>7.1f} ms  largest page {stats['max_kb']:>6.1f} KB"
        )


if __name__ == "__main__":
    main()
