"""The test world: every row, repository and stand-in answer a test builds comes from here.

This module holds the row builders: plain `make_*(session, ..., **overrides)` functions writing
real rows (people, teams, repositories, pull requests, reviews, runs, commits, flags, notes,
deployments). A field a world needs differently is an override, not a second builder. Beside it:

- `git`: real git repositories in temporary folders (commit by commit, or long histories
  through one `git fast-import`), and plain-git counts to compare with.
- `github` (GitHub-shaped REST objects) and `github_api` (the `github_api` fixture: the GitHub
  stand-in serving what a test writes); `reviews`, `ci`, `delivery` and `teams` are the
  stand-in's scenarios: pull requests and reviews, Actions runs, deployments and incidents,
  an organisation's teams.

The organisations of tests/dashboards/world.py, tests/dashboards/digest/org.py and
tests/app/http/access_world.py are made of these rows.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.core.models import (
    Commit,
    DeliveryFailure,
    DeployedCommit,
    DeployedPull,
    Deployment,
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
    session: Session,
    name: str,
    *,
    manager: Person | None,
    members: list[Person],
    **overrides: Any,
) -> Team:
    team = Team(name=name, manager_id=manager.id if manager else None, **overrides)
    session.add(team)
    session.flush()
    for member in members:
        make_member(session, team, member)
    return team


def make_member(session: Session, team: Team, person: Person) -> TeamMember:
    """`person` joins `team`, also a team some world already wrote."""
    member = TeamMember(team_id=team.id, person_id=person.id)
    session.add(member)
    session.flush()
    return member


def make_token(session: Session, person: Person, *, is_admin: bool = False) -> str:
    return create_token(session, person, is_admin=is_admin)[1]


def make_repo(session: Session, name: str = "acme/shop", **overrides: Any) -> Repository:
    values = {"html_url": f"https://github.com/{name}", "default_branch": "main"} | overrides
    repo = Repository(name=name, **values)
    session.add(repo)
    session.flush()
    return repo


def make_pull(
    session: Session,
    repo: Repository,
    author: str,
    *,
    number: int,
    ready_at: datetime | None,
    first_review_at: datetime | None = None,
    reviewer: str = "bob",
    merged_at: datetime | None = None,
    approved: bool = True,
    **overrides: Any,
) -> PullRequest:
    """A PR ready at `ready_at`, reviewed (approved) at `first_review_at`, merged at `merged_at`."""
    values = {
        "id": next_id(),
        "title": f"Change {number}",
        "html_url": f"https://github.com/{repo.name}/pull/{number}",
        "state": "closed" if merged_at else "open",
        "created_at": ready_at,
        "updated_at": merged_at or first_review_at or ready_at,
        "first_commit_at": ready_at - timedelta(hours=2) if ready_at else None,
        "closed_at": merged_at,
        "head_sha": f"{number:040x}",
    } | overrides
    pull = PullRequest(
        repository_id=repo.id,
        number=number,
        author_login=author,
        ready_at=ready_at,
        merged_at=merged_at,
        **values,
    )
    session.add(pull)
    session.flush()
    if first_review_at is not None:
        make_review(session, pull, reviewer, at=first_review_at, approved=approved)
    return pull


def make_review(
    session: Session,
    pull: PullRequest,
    reviewer: str,
    *,
    at: datetime | None,
    approved: bool = True,
    state: str | None = None,
    **overrides: Any,
) -> Review:
    values = {"id": next_id()} | overrides
    review = Review(
        pull_request_id=pull.id,
        reviewer_login=reviewer,
        state=state or ("APPROVED" if approved else "COMMENTED"),
        submitted_at=at,
        **values,
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
    job: str | None = "unit",
    every: timedelta | None = None,
    **overrides: Any,
) -> WorkflowRun:
    """One workflow run with its attempts, (conclusion, duration) each, and a job per attempt.

    An attempt starts five minutes after the previous one ends, or every `every` from
    `created_at`; `job=None` writes no jobs. `overrides` are fields of the run itself (`id`,
    `event`, `updated_at`, ...); with `workflow_id` the caller has written the workflow.
    """
    if "workflow_id" not in overrides:
        overrides["workflow_id"] = _workflow_id(repo, workflow)
        if session.get(Workflow, overrides["workflow_id"]) is None:
            session.add(Workflow(id=overrides["workflow_id"], repository_id=repo.id, name=workflow))
            session.flush()
    spans: list[tuple[str, datetime, datetime]] = []
    start = created_at
    for number, (conclusion, duration) in enumerate(attempts):
        if every is not None:
            start = created_at + every * number
        spans.append((conclusion, start, start + duration))
        start = start + duration + timedelta(minutes=5)
    run_id = overrides.pop("id", None) or next_id()
    values = {
        "name": workflow,
        "head_sha": head_sha,
        "head_branch": "feature",
        "event": "pull_request",
        "actor_login": actor,
        "triggering_actor_login": actor,
        "status": "completed",
        "conclusion": spans[-1][0] if spans else "success",
        "run_attempt": len(attempts),
        "created_at": created_at,
        "run_started_at": created_at,
        "updated_at": spans[-1][2] if spans else created_at,
        "html_url": f"https://github.com/{repo.name}/actions/runs/{run_id}",
        "pull_numbers": [pull_number] if pull_number else [],
    } | overrides
    run = WorkflowRun(id=run_id, repository_id=repo.id, **values)
    session.add(run)
    session.flush()
    for number, (conclusion, started, ended) in enumerate(spans, start=1):
        session.add(
            RunAttempt(
                run_id=run_id,
                attempt=number,
                status="completed",
                conclusion=conclusion,
                run_started_at=started,
                updated_at=ended,
                triggering_actor_login=actor,
            )
        )
        if job is not None:
            session.add(
                Job(
                    id=next_id(),
                    run_id=run_id,
                    run_attempt=number,
                    name=job,
                    status="completed",
                    conclusion=conclusion,
                    created_at=started,
                    started_at=started,
                    completed_at=ended,
                    html_url=f"https://github.com/{repo.name}/actions/runs/{run_id}/job/{number}",
                )
            )
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
    deleted: int = 0,
    loc: int | None = 200,
    **overrides: Any,
) -> Commit:
    """A commit adding `files[path]` lines (and deleting `deleted`) to each path; a path not
    yet in the tree gets a RepoFile of `loc` lines (None: the caller writes the tree)."""
    values = {"sha": f"{next_id():040x}"} | overrides
    commit = Commit(
        repository_id=repo.id,
        author_name=name,
        author_email=email,
        authored_at=at,
        committed_at=at,
        **values,
    )
    session.add(commit)
    session.flush()
    for path, lines in files.items():
        session.add(FileChange(commit_id=commit.id, path=path, added=lines, deleted=deleted))
        if loc is not None and session.get(RepoFile, (repo.id, path)) is None:
            make_file(session, repo, path, loc)
    session.flush()
    return commit


def make_file(session: Session, repo: Repository, path: str, loc: int) -> RepoFile:
    """A file of `loc` lines in the repository's tree at its head."""
    row = RepoFile(repository_id=repo.id, path=path, loc=loc)
    session.add(row)
    session.flush()
    return row


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
    **overrides: Any,
) -> FrictionFlag:
    flag = FrictionFlag(
        team_id=team.id if team else None,
        category=category,
        summary=summary,
        anonymous=author is None,
        created_at=created_at,
        status=status,
        answer=answer,
        **overrides,
    )
    session.add(flag)
    session.flush()
    if author is not None:
        session.add(FlagAuthor(flag_id=flag.id, person_id=author.id))
        session.flush()
    return flag


def make_note(
    session: Session,
    person: Person,
    author: Person,
    *,
    body: str,
    at: datetime | None,
    shared: bool,
) -> OneOnOneNote:
    """A 1:1 note by `author` about `person`; `at=None` stamps it now, as the product does."""
    stamp = {"created_at": at} if at is not None else {}
    note = OneOnOneNote(person_id=person.id, author_id=author.id, body=body, shared=shared, **stamp)
    session.add(note)
    session.flush()
    return note


def make_deployment(
    session: Session,
    repo: Repository,
    sha: str,
    *,
    at: datetime,
    key: str | None = None,
    source: str = "deployments",
    environment: str = "production",
    commits: tuple[str, ...] = (),
    pulls: tuple[PullRequest, ...] = (),
    **overrides: Any,
) -> Deployment:
    """A successful deployment at `at` that brought `commits` (its SHA when none are given) and
    was the first to ship `pulls`, as the delivery collector stores them."""
    deployment = Deployment(
        repository_id=repo.id,
        key=key or f"deployment:{next_id()}",
        source=source,
        environment=environment,
        sha=sha,
        deployed_at=at,
        created_at=overrides.pop("created_at", at),
        **overrides,
    )
    session.add(deployment)
    session.flush()
    brought = set(commits or (sha,)) | {p.merge_commit_sha for p in pulls if p.merge_commit_sha}
    for commit in sorted(brought):
        session.add(DeployedCommit(deployment_id=deployment.id, sha=commit))
    for pull in pulls:
        session.add(
            DeployedPull(pull_request_id=pull.id, deployment_id=deployment.id, deployed_at=at)
        )
    session.flush()
    return deployment


def make_delivery_failure(
    session: Session,
    repo: Repository,
    kind: str,
    ref: str,
    *,
    started_at: datetime,
    **overrides: Any,
) -> DeliveryFailure:
    """An incident, revert or failed status (`deployment_key` names the deployment it points at)."""
    failure = DeliveryFailure(
        repository_id=repo.id, kind=kind, ref=ref, started_at=started_at, **overrides
    )
    session.add(failure)
    session.flush()
    return failure
