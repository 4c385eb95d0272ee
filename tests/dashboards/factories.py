"""Plain `make_*(session, **overrides)` functions writing real rows for the dashboard tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.core.models import (
    Commit,
    FileChange,
    FlagAuthor,
    FrictionFlag,
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
)
from app.core.tokens import create_token

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_ids = itertools.count(1000)


def next_id() -> int:
    return next(_ids)


def make_person(session: Session, login: str, **overrides: Any) -> Person:
    values = {"name": login.title(), "email": f"{login}@example.com"} | overrides
    person = Person(login=login, **values)
    session.add(person)
    session.flush()
    return person


def make_team(
    session: Session, name: str, *, manager: Person | None, members: list[Person]
) -> Team:
    team = Team(name=name, manager_id=manager.id if manager else None)
    session.add(team)
    session.flush()
    for member in members:
        session.add(TeamMember(team_id=team.id, person_id=member.id))
    session.flush()
    return team


def make_token(session: Session, person: Person, *, is_admin: bool = False) -> str:
    return create_token(session, person, is_admin=is_admin)[1]


def make_repo(session: Session, name: str = "acme/shop") -> Repository:
    repo = Repository(name=name, html_url=f"https://github.com/{name}", default_branch="main")
    session.add(repo)
    session.flush()
    return repo


def make_pull(
    session: Session,
    repo: Repository,
    author: str,
    *,
    number: int,
    ready_at: datetime,
    first_review_at: datetime | None = None,
    reviewer: str = "bob",
    merged_at: datetime | None = None,
    approved: bool = True,
    head_sha: str | None = None,
    **overrides: Any,
) -> PullRequest:
    """A PR ready at `ready_at`, reviewed (approved) at `first_review_at`, merged at `merged_at`."""
    state = "closed" if merged_at else "open"
    pull = PullRequest(
        id=next_id(),
        repository_id=repo.id,
        number=number,
        title=overrides.pop("title", f"Change {number}"),
        html_url=f"https://github.com/{repo.name}/pull/{number}",
        author_login=author,
        state=state,
        created_at=ready_at,
        updated_at=merged_at or first_review_at or ready_at,
        ready_at=ready_at,
        first_commit_at=ready_at - timedelta(hours=2),
        merged_at=merged_at,
        closed_at=merged_at,
        head_sha=head_sha or f"{number:040x}",
        **overrides,
    )
    session.add(pull)
    session.flush()
    if first_review_at is not None:
        make_review(session, pull, reviewer, at=first_review_at, approved=approved)
    return pull


def make_review(
    session: Session, pull: PullRequest, reviewer: str, *, at: datetime, approved: bool = True
) -> Review:
    review = Review(
        id=next_id(),
        pull_request_id=pull.id,
        reviewer_login=reviewer,
        state="APPROVED" if approved else "COMMENTED",
        submitted_at=at,
    )
    session.add(review)
    session.flush()
    return review


def make_run(
    session: Session,
    repo: Repository,
    *,
    actor: str,
    head_sha: str,
    created_at: datetime,
    attempts: list[tuple[str, timedelta]],
    pull_number: int | None = None,
    workflow: str = "tests",
    job: str = "unit",
) -> WorkflowRun:
    """One workflow run with its attempts: (conclusion, duration), each after the previous."""
    workflow_row = session.get(Workflow, _workflow_id(repo, workflow))
    if workflow_row is None:
        workflow_row = Workflow(
            id=_workflow_id(repo, workflow), repository_id=repo.id, name=workflow
        )
        session.add(workflow_row)
        session.flush()
    run_id = next_id()
    start = created_at
    last_conclusion, end = "success", created_at
    for number, (conclusion, duration) in enumerate(attempts, start=1):
        end = start + duration
        last_conclusion = conclusion
        if number == 1:
            session.add(
                WorkflowRun(
                    id=run_id,
                    repository_id=repo.id,
                    workflow_id=workflow_row.id,
                    name=workflow,
                    head_sha=head_sha,
                    head_branch="feature",
                    event="pull_request",
                    actor_login=actor,
                    triggering_actor_login=actor,
                    status="completed",
                    conclusion=conclusion,
                    run_attempt=len(attempts),
                    created_at=created_at,
                    run_started_at=created_at,
                    updated_at=end,
                    html_url=f"https://github.com/{repo.name}/actions/runs/{run_id}",
                    pull_numbers=[pull_number] if pull_number else [],
                )
            )
            session.flush()
        session.add(
            RunAttempt(
                run_id=run_id,
                attempt=number,
                status="completed",
                conclusion=conclusion,
                run_started_at=start,
                updated_at=end,
                triggering_actor_login=actor,
            )
        )
        session.add(
            Job(
                id=next_id(),
                run_id=run_id,
                run_attempt=number,
                name=job,
                status="completed",
                conclusion=conclusion,
                created_at=start,
                started_at=start,
                completed_at=end,
                html_url=f"https://github.com/{repo.name}/actions/runs/{run_id}/job/{number}",
            )
        )
        start = end + timedelta(minutes=5)
    run = session.get(WorkflowRun, run_id)
    assert run is not None
    run.conclusion = last_conclusion
    run.updated_at = end
    session.add(run)
    session.flush()
    return run


def _workflow_id(repo: Repository, name: str) -> int:
    return (repo.id or 0) * 1000 + sum(map(ord, name))


def make_commit(
    session: Session,
    repo: Repository,
    *,
    email: str,
    at: datetime,
    files: dict[str, int],
    name: str = "Someone",
) -> Commit:
    commit = Commit(
        repository_id=repo.id,
        sha=f"{next_id():040x}",
        author_name=name,
        author_email=email,
        authored_at=at,
        committed_at=at,
    )
    session.add(commit)
    session.flush()
    for path, lines in files.items():
        session.add(FileChange(commit_id=commit.id, path=path, added=lines, deleted=0))
        if session.get(RepoFile, (repo.id, path)) is None:
            session.add(RepoFile(repository_id=repo.id, path=path, loc=200))
    session.flush()
    return commit


def make_flag(
    session: Session,
    author: Person | None,
    *,
    summary: str,
    category: str = "tooling",
    status: str = "open",
    created_at: datetime,
    team: Team | None = None,
    answer: str | None = None,
) -> FrictionFlag:
    flag = FrictionFlag(
        team_id=team.id if team else None,
        category=category,
        summary=summary,
        anonymous=author is None,
        created_at=created_at,
        status=status,
        answer=answer,
    )
    session.add(flag)
    session.flush()
    if author is not None:
        session.add(FlagAuthor(flag_id=flag.id, person_id=author.id))
        session.flush()
    return flag


def make_note(
    session: Session, person: Person, author: Person, *, body: str, at: datetime, shared: bool
) -> OneOnOneNote:
    note = OneOnOneNote(
        person_id=person.id, author_id=author.id, body=body, created_at=at, shared=shared
    )
    session.add(note)
    session.flush()
    return note
