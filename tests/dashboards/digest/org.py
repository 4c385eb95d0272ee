"""A small organisation for the digest tests, built with plain inserts.

Payments (Europe/Berlin) is run by alice with bob and carol; Search (America/New_York) by dave
with erin; frank runs a team with nobody in it. Everything Search does carries the marker
SEARCH-SECRET so a test can prove it never reaches Payments' digest. The digest week is
2026-W47 (Monday 16 to Sunday 22 November 2026); "now" is the Wednesday after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.core.models import FrictionFlag, Person, PullRequest, Repository, Team, Workflow
from tests import world

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WEEK = "2026-W47"
W47 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday morning of the digest week
SECRET = "SEARCH-SECRET"


@dataclass
class Org:
    people: dict[str, Person]
    teams: dict[str, Team]


def person(session: Session, login: str, **fields: object) -> Person:
    return world.make_person(session, login, email=f"{login}@example.test", **fields)


def team(session: Session, name: str, manager: Person, members: list[Person], tz: str) -> Team:
    return world.make_team(session, name, manager=manager, members=members, timezone=tz)


def flag(
    session: Session,
    team_row: Team,
    summary: str,
    created_at: datetime,
    *,
    author: Person | None = None,
    answered_at: datetime | None = None,
    answer: str | None = None,
) -> FrictionFlag:
    return world.make_flag(
        session,
        author,
        summary=summary,
        category="flaky_build",
        status="answered" if answered_at else "open",
        created_at=created_at,
        team=team_row,
        answer=answer,
        answered_at=answered_at,
    )


def pull(
    session: Session,
    repo: Repository,
    number: int,
    author: Person,
    created_at: datetime,
    *,
    title: str = "",
    merged_at: datetime | None = None,
    reviewers: list[str] | None = None,
) -> PullRequest:
    assert repo.id is not None
    return world.make_pull(
        session,
        repo,
        author.login,
        number=number,
        ready_at=created_at,
        merged_at=merged_at,
        id=repo.id * 1000 + number,
        title=title or f"Change {number}",
        html_url=f"https://github.example.test/{repo.name}/pull/{number}",
        updated_at=merged_at or created_at,
        first_commit_at=None,
        head_sha=None,
        requested_reviewers=reviewers or [],
    )


def review(session: Session, pr: PullRequest, reviewer: Person, at: datetime, state: str) -> None:
    world.make_review(session, pr, reviewer.login, at=at, state=state)


def build_org(session: Session) -> Org:
    """The organisation with a busy week for Payments and a secret-laden week for Search."""
    p = {login: person(session, login) for login in ("alice", "bob", "carol", "dave", "erin")}
    p["frank"] = person(session, "frank")
    p["bob"].digest_opt_in = True
    teams = {
        "Payments": team(session, "Payments", p["alice"], [p["bob"], p["carol"]], "Europe/Berlin"),
        "Search": team(session, "Search", p["dave"], [p["erin"]], "America/New_York"),
        "Platform": team(session, "Platform", p["frank"], [], "UTC"),
    }
    pay = teams["Payments"]
    flag(session, pay, "Runner queue too long", W47 + timedelta(days=1), author=p["bob"])
    flag(session, pay, "Docs out of date", W47 + timedelta(days=2))
    flag(
        session,
        pay,
        "Flaky integration job",
        W47 - timedelta(days=3),
        author=p["bob"],
        answered_at=W47 + timedelta(days=3),
        answer="We added a retry budget and a second runner.",
    )
    search = teams["Search"]
    for day in range(3):
        flag(session, search, f"{SECRET} flag {day}", W47 + timedelta(days=day), author=p["erin"])

    pay_repo = world.make_repo(session, "acme/payments", html_url=None, default_branch=None)
    search_repo = world.make_repo(session, "acme/search", html_url=None, default_branch=None)
    merged = pull(session, pay_repo, 1, p["bob"], W47, merged_at=W47 + timedelta(days=1, hours=4))
    review(session, merged, p["carol"], W47 + timedelta(hours=5), "APPROVED")
    pull(
        session,
        pay_repo,
        2,
        p["carol"],
        W47 + timedelta(days=3),
        title="Retry card captures",
        reviewers=["bob"],
    )
    pull(session, search_repo, 3, p["erin"], W47, title=f"{SECRET} ranking", reviewers=["dave"])
    add_ci(session, pay_repo, search_repo)
    add_git(session, pay_repo, search_repo)
    session.commit()
    return Org(people=p, teams=teams)


def run(
    session: Session,
    repo: Repository,
    run_id: int,
    sha: str,
    actor: str,
    at: datetime,
    conclusions: list[str],
    *,
    pulls: list[int] | None = None,
) -> None:
    """One workflow run with an attempt per conclusion, ten minutes each, an hour apart."""
    assert repo.id is not None
    world.make_run(
        session,
        repo,
        actor=actor,
        head_sha=sha * 40,
        created_at=at,
        attempts=[(conclusion, timedelta(minutes=10)) for conclusion in conclusions],
        job=None,
        every=timedelta(hours=1),
        id=run_id,
        workflow_id=repo.id,
        name="build",
        event="pull_request" if pulls else "push",
        triggering_actor_login=None,
        updated_at=at + timedelta(hours=len(conclusions)),
        html_url=f"https://github.example.test/{repo.name}/actions/runs/{run_id}",
        pull_numbers=pulls or [],
    )


def add_ci(session: Session, pay: Repository, search: Repository) -> None:
    """Payments: bob's PR build failed then passed on the same commit (flaky), carol's push
    passed; Search: erin's build failed."""
    for repo in (pay, search):
        assert repo.id is not None
        name = "build" if repo is pay else f"{SECRET} build"
        session.add(Workflow(id=repo.id, repository_id=repo.id, name=name))
    session.flush()
    run(session, pay, 1, "a", "bob", W47 + timedelta(hours=1), ["failure", "success"], pulls=[1])
    run(session, pay, 2, "b", "carol", W47 + timedelta(days=1), ["success"])
    run(session, search, 3, "c", "erin", W47 + timedelta(days=1), ["failure"])


def commit(
    session: Session, repo: Repository, sha: str, email: str, at: datetime, changes: dict[str, int]
) -> None:
    world.make_commit(
        session,
        repo,
        email=email,
        at=at,
        files=changes,
        name=email.split("@")[0],
        deleted=1,
        loc=None,  # add_git writes the tree
        sha=sha.ljust(40, "0"),
        summary="work",
    )


def add_git(session: Session, pay: Repository, search: Repository) -> None:
    """ledger.py becomes a hotspot during W47 (bob); legacy.py's main author, olga, left
    long ago (knowledge risk); Search's secret file is erin's."""
    old = W47 - timedelta(days=200)
    commit(session, pay, "01", "olga@example.test", old, {"pay/legacy.py": 400})
    commit(session, pay, "02", "bob@example.test", W47 - timedelta(days=30), {"pay/legacy.py": 5})
    for day in range(4):
        at = W47 + timedelta(days=day, hours=2)
        commit(session, pay, f"1{day}", "bob@example.test", at, {"pay/ledger.py": 30})
    secret_path = f"search/{SECRET}.py"
    for day in range(3):
        at = W47 + timedelta(days=day)
        commit(session, search, f"2{day}", "erin@example.test", at, {secret_path: 50})
    for repo, path, loc in (
        (pay, "pay/legacy.py", 400),
        (pay, "pay/ledger.py", 120),
        (search, secret_path, 150),
    ):
        world.make_file(session, repo, path, loc)
