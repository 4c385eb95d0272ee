"""The organisation page's p95 for a director of N teams, beside a team page measured in the
same run (the baseline: the ratio says what the side-by-side view costs over one team).

Seeds a director over N teams of M members each, with WEEKS weeks of pull requests (one per
member and week, reviewed by a teammate, every fifth by another team), a CI run per PR (every
tenth flaky) and some flags; then opens `/org` and `/teams/<first team>` through the real app
(TestClient, signed in as the director), each REPEAT times after one warm-up.

    .venv/bin/python benchmarks/org_page.py [--database-url URL] [--teams 8] [--members 8]
        [--weeks 104] [--repos 20] [--repeat 20]

Target (issue #17): under 300 ms p95 for a director of 8 teams.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from app.core.db import make_engine, upgrade
from app.core.settings import Settings
from app.http.main import create_app
from tests import world as f
from tests.signed_in import sign_in

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def seed(url: str, teams: int, members: int, weeks: int, repos: int) -> tuple[str, str, int]:
    """(the director's token, the first team's name, pull requests written)."""
    engine = make_engine(url)
    pulls = 0
    with Session(engine, expire_on_commit=False) as session:
        director = f.make_person(session, "director")
        repositories = [f.make_repo(session, f"acme/repo{r:03d}") for r in range(repos)]
        managers, names, people = [], [], []
        for t in range(teams):
            manager = f.make_person(session, f"manager{t}")
            team_people = [f.make_person(session, f"dev{t}x{m}") for m in range(members)]
            f.make_team(session, f"team{t:02d}", manager=manager, members=team_people)
            managers.append(manager)
            names.append(f"team{t:02d}")
            people.append(team_people)
        f.make_team(session, "leads", manager=director, members=managers)
        number = 0
        for week in range(weeks):
            for t, team_people in enumerate(people):
                for m, person in enumerate(team_people):
                    number += 1
                    repo = repositories[(t * 3 + m + week) % repos]
                    other = people[(t + 1) % teams] if number % 5 == 0 else team_people
                    reviewer = other[(m + 1) % len(other)].login
                    ready = NOW - timedelta(weeks=week, days=m % 5, hours=3)
                    merged = ready + timedelta(hours=6 + number % 30)
                    pull = f.make_pull(
                        session,
                        repo,
                        person.login,
                        number=number,
                        ready_at=ready,
                        first_review_at=ready + timedelta(hours=1 + number % 20),
                        reviewer=reviewer,
                        merged_at=merged if week or m % 3 else None,
                    )
                    attempts = [("success", timedelta(minutes=12))]
                    if number % 10 == 0:
                        attempts.insert(0, ("failure", timedelta(minutes=12)))
                    f.make_run(
                        session,
                        repo,
                        actor=person.login,
                        head_sha=pull.head_sha or "",
                        created_at=ready + timedelta(minutes=30),
                        attempts=attempts,
                        pull_number=number,
                    )
                    pulls += 1
            session.commit()
        token = f.make_token(session, director)
        session.commit()
    engine.dispose()
    return token, names[0], pulls


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(client: TestClient, path: str, repeat: int) -> list[float]:
    assert client.get(path).status_code == 200, path  # warm-up (and caches, as in use)
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--teams", type=int, default=8)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'org.db'}"
        upgrade(url)
        started = time.perf_counter()
        token, first, pulls = seed(url, args.teams, args.members, args.weeks, args.repos)
        print(
            f"data: {args.teams} teams of {args.members}, {args.repos} repositories, "
            f"{args.weeks} weeks, {pulls} PRs with a review and a CI run each "
            f"({time.perf_counter() - started:.0f} s to seed; {url.split(':')[0]})"
        )
        settings = Settings(_env_file=None, database_url=url, data_dir=Path(folder))  # type: ignore[call-arg]
        app = create_app(settings)
        app.state.clock = lambda: NOW
        with TestClient(app) as client:
            sign_in(client, token)
            team = timed(client, f"/teams/{first}", args.repeat)
            org = timed(client, "/org", args.repeat)
        for label, found in ((f"team page /teams/{first}", team), ("org page /org", org)):
            print(f"{label}: p50 {statistics.median(found):.0f} ms, p95 {p95(found):.0f} ms")
        print(f"org p95 / team p95: {p95(org) / p95(team):.2f}")


if __name__ == "__main__":
    main()
