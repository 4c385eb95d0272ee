"""A small organisation for the digest tests, built with plain inserts.

Payments (Europe/Berlin) is run by alice with bob and carol; Search (America/New_York) by dave
with erin; frank runs a team with nobody in it. Everything Search does carries the marker
SEARCH-SECRET so a test can prove it never reaches Payments' digest. The digest week is
2026-W47 (Monday 16 to Sunday 22 November 2026); "now" is the Wednesday after.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

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

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WEEK = "2026-W47"
W47 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday morning of the digest week
SECRET = "SEARCH-SECRET"
_REVIEW_IDS = itertools.count(1)


@dataclass
class Org:
    people: dict[str, Person]
    teams: dict[str, Team]


def person(session: Session, login: str, **fields: object) -> Person:
    row = Person(login=login, name=login.title(), email=f"{login}@example.test", **fields)
    session.add(row)
    session.flush()
    return row


def team(session: Session, name: str, manager: Person, members: list[Person], tz: str) -> Team:
    row = Team(name=name, manager_id=manager.id, timezone=tz)
    session.add(row)
    session.flush()
    for member in members:
        assert row.id is not None and member.id is not None
        session.add(TeamMember(team_id=row.id, person_id=member.id))
    session.flush()
    return row


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
    row = FrictionFlag(
        team_id=team_row.id,
        category="flaky_build",
        summary=summary,
        anonymous=author is None,
        created_at=created_at,
        status="answered" if answered_at else "open",
        answered_at=answered_at,
        answer=answer,
    )
    session.add(row)
    session.flush()
    if author is not None:
        assert row.id is not None and author.id is not None
        session.add(FlagAuthor(flag_id=row.id, person_id=author.id))
    return row


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
    row = PullRequest(
        id=repo.id * 1000 + number,
        repository_id=repo.id,
        number=number,
        title=title or f"Change {number}",
        html_url=f"https://github.example.test/{repo.name}/pull/{number}",
        author_login=author.login,
        state="closed" if merged_at else "open",
        created_at=created_at,
        updated_at=merged_at or created_at,
        closed_at=merged_at,
        merged_at=merged_at,
        ready_at=created_at,
        requested_reviewers=reviewers or [],
    )
    session.add(row)
    session.flush()
    return row


def review(session: Session, pr: PullRequest, reviewer: Person, at: datetime, state: str) -> None:
    session.add(
        Review(
            id=next(_REVIEW_IDS),
            pull_request_id=pr.id,
            reviewer_login=reviewer.login,
            state=state,
            submitted_at=at,
        )
    )
    session.flush()


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

    pay_repo = Repository(name="acme/payments")
    search_repo = Repository(name="acme/search")
    session.add(pay_repo)
    session.add(search_repo)
    session.flush()
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
    session.add(
        WorkflowRun(
            id=run_id,
            repository_id=repo.id,
            workflow_id=repo.id,
            name="build",
            head_sha=sha * 40,
            head_branch="feature",
            event="pull_request" if pulls else "push",
            actor_login=actor,
            status="completed",
            conclusion=conclusions[-1],
            run_attempt=len(conclusions),
            created_at=at,
            run_started_at=at,
            updated_at=at + timedelta(hours=len(conclusions)),
            html_url=f"https://github.example.test/{repo.name}/actions/runs/{run_id}",
            pull_numbers=pulls or [],
        )
    )
    session.flush()
    for number, conclusion in enumerate(conclusions, start=1):
        started = at + timedelta(hours=number - 1)
        session.add(
            RunAttempt(
                run_id=run_id,
                attempt=number,
                status="completed",
                conclusion=conclusion,
                run_started_at=started,
                updated_at=started + timedelta(minutes=10),
                triggering_actor_login=actor,
            )
        )
    session.flush()


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
    assert repo.id is not None
    row = Commit(
        repository_id=repo.id,
        sha=sha.ljust(40, "0"),
        author_name=email.split("@")[0],
        author_email=email,
        authored_at=at,
        committed_at=at,
        summary="work",
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for path, added in changes.items():
        session.add(FileChange(commit_id=row.id, path=path, added=added, deleted=1))
    session.flush()


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
    assert pay.id is not None and search.id is not None
    for repo_id, path, loc in (
        (pay.id, "pay/legacy.py", 400),
        (pay.id, "pay/ledger.py", 120),
        (search.id, secret_path, 150),
    ):
        session.add(RepoFile(repository_id=repo_id, path=path, loc=loc))
    session.flush()
