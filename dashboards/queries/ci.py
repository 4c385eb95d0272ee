"""The selects behind the CI signals: attempts, jobs and who each run belongs to, as typed rows.

Everything the pure functions in `dashboards.signals.builds` need is loaded here, so those
functions never touch the database and tests can build rows by hand.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core.models import (
    CheckRun,
    Identity,
    Job,
    Person,
    PullRequest,
    Repository,
    RunAttempt,
    Team,
    TeamMember,
    Workflow,
    WorkflowRun,
)
from app.core.models.base import as_utc

# Runs that nobody waits for: no developer is behind a scheduled build.
UNATTENDED_EVENTS = frozenset({"schedule", "dynamic"})
FALLBACK_DEFAULT_BRANCHES = frozenset({"main", "master"})


@dataclass(frozen=True)
class AttemptRow:
    """One attempt of one workflow run (attempt 1 is the first try, n > 1 a rerun)."""

    repo: str
    run_id: int
    attempt: int
    workflow_id: int | None
    workflow: str
    head_sha: str
    head_branch: str | None
    event: str | None
    status: str | None
    conclusion: str | None
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    actor: str | None
    triggering_actor: str | None
    person: str | None
    pull_numbers: tuple[int, ...]
    html_url: str | None
    on_default_branch: bool


@dataclass(frozen=True)
class JobRow:
    """One job of one attempt; `name` includes the matrix values, as GitHub shows it."""

    repo: str
    job_id: int
    run_id: int
    attempt: int
    workflow_id: int | None
    workflow: str
    name: str
    head_sha: str
    status: str | None
    conclusion: str | None
    created_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    html_url: str | None


@dataclass(frozen=True)
class People:
    """Login → person login, and person login → team names, for summing time per person/team."""

    person_of_login: dict[str, str]
    teams_of_person: dict[str, tuple[str, ...]]

    def person(self, login: str | None) -> str | None:
        if login is None:
            return None
        return self.person_of_login.get(login.lower(), login)

    def teams(self, person: str | None) -> tuple[str, ...]:
        return self.teams_of_person.get(person, ()) if person else ()


def _runs_in_window(
    model: type[RunAttempt | Job], *, repo: str | None, since: datetime, until: datetime
) -> Any:
    """Rows of `model` (attempts or jobs) with their run, repository and workflow, for the runs
    created in [since, until) (of one repository when named): one join for both loaders.
    """
    query = (
        select(model, WorkflowRun, Repository, Workflow)
        .join(WorkflowRun, WorkflowRun.id == model.run_id)  # type: ignore[arg-type]
        .join(Repository, Repository.id == WorkflowRun.repository_id)
        .join(Workflow, Workflow.id == WorkflowRun.workflow_id, isouter=True)
        .where(WorkflowRun.created_at >= since, WorkflowRun.created_at < until)
    )
    return query.where(Repository.name == repo) if repo else query


def _pr_authors(session: Session, repo_ids: set[int]) -> tuple[dict, dict]:
    """(repo_id, number) → author and (repo_id, head_sha) → (number, author) for run attribution."""
    by_number: dict[tuple[int, int], str | None] = {}
    by_sha: dict[tuple[int, str], tuple[int, str | None]] = {}
    if not repo_ids:
        return by_number, by_sha
    rows = session.exec(
        select(
            PullRequest.repository_id,
            PullRequest.number,
            PullRequest.author_login,
            PullRequest.head_sha,
        ).where(col(PullRequest.repository_id).in_(repo_ids))
    )
    for repo_id, number, author, head_sha in rows:
        by_number[(repo_id, number)] = author
        if head_sha:
            by_sha[(repo_id, head_sha)] = (number, author)
    return by_number, by_sha


def load_people(session: Session) -> People:
    """Map every known GitHub login to its person's login, and each person to their teams."""
    person_login = {p.id: p.login for p in session.exec(select(Person))}
    mapping = {login.lower(): login for login in person_login.values()}
    for identity in session.exec(
        select(Identity).where(Identity.kind == "login", col(Identity.person_id).is_not(None))
    ):
        if identity.person_id in person_login:
            mapping[identity.value.lower()] = person_login[identity.person_id]
    teams: dict[str, list[str]] = defaultdict(list)
    rows = session.exec(
        select(TeamMember.person_id, Team.name).join(Team, Team.id == TeamMember.team_id)  # type: ignore[arg-type]
    )
    for person_id, team_name in rows:
        if person_id in person_login:
            teams[person_login[person_id]].append(team_name)
    return People(mapping, {p: tuple(sorted(t)) for p, t in teams.items()})


def load_attempts(
    session: Session, *, repo: str | None = None, since: datetime, until: datetime
) -> list[AttemptRow]:
    """Every attempt of every Actions run created in [since, until), with the workflow's
    current name, followed by the external checks started in the window (see `check_attempts`).

    The person is the author of the run's pull request (by PR number, then by head SHA), else
    the actor who pushed; scheduled runs have no person because nobody waits for them.
    """
    return _actions_attempts(session, repo=repo, since=since, until=until) + check_attempts(
        session, repo=repo, since=since, until=until
    )


def check_workflow_id(app_slug: str | None, name: str) -> int:
    """A stable negative id for an external check, so it groups like a workflow of its own."""
    return -(zlib.crc32(f"{app_slug}/{name}".encode()) or 1)


def check_attempts(
    session: Session, *, repo: str | None = None, since: datetime, until: datetime
) -> list[AttemptRow]:
    """External CI check runs (CircleCI, Buildkite, ...) as attempts of a workflow named
    "app / check": a re-requested check is a new check run on the same SHA, so flaky external
    checks are found like flaky workflows. Their person comes from the PR with that head SHA.
    """
    query = (
        select(CheckRun, Repository)
        .join(Repository, Repository.id == CheckRun.repository_id)  # type: ignore[arg-type]
        .where(CheckRun.started_at >= since, CheckRun.started_at < until)  # type: ignore[operator]
        .order_by(CheckRun.started_at, CheckRun.id)
    )
    if repo:
        query = query.where(Repository.name == repo)
    results = list(session.exec(query))
    _, by_sha = _pr_authors(session, {r.id for _, r in results if r.id})
    rows = []
    for check, repository in results:
        number, author = by_sha.get((check.repository_id, check.head_sha), (None, None))
        started = as_utc(check.started_at)
        assert started is not None
        rows.append(
            AttemptRow(
                repo=repository.name,
                run_id=-check.id,  # apart from workflow run ids
                attempt=1,
                workflow_id=check_workflow_id(check.app_slug, check.name),
                workflow=f"{check.app_slug or 'external'} / {check.name}",
                head_sha=check.head_sha,
                head_branch=None,
                event="check_run",
                status=check.status,
                conclusion=check.conclusion,
                created_at=started,
                started_at=started,
                updated_at=as_utc(check.completed_at),
                actor=None,
                triggering_actor=None,
                person=author,
                pull_numbers=(number,) if number is not None else (),
                html_url=check.html_url,
                on_default_branch=False,
            )
        )
    return rows


def _actions_attempts(
    session: Session, *, repo: str | None = None, since: datetime, until: datetime
) -> list[AttemptRow]:
    query = _runs_in_window(RunAttempt, repo=repo, since=since, until=until).order_by(
        WorkflowRun.created_at, RunAttempt.run_id, RunAttempt.attempt
    )
    results = list(session.exec(query))
    by_number, by_sha = _pr_authors(session, {r.id for _, _, r, _ in results if r.id})
    rows = []
    for attempt, run, repository, workflow in results:
        numbers = tuple(run.pull_numbers or ())
        author: str | None = None
        for number in numbers:
            author = author or by_number.get((run.repository_id, number))
        if not numbers and (run.repository_id, run.head_sha) in by_sha:
            number, author = by_sha[(run.repository_id, run.head_sha)]
            numbers = (number,)
        person = None if run.event in UNATTENDED_EVENTS else (author or run.actor_login)
        defaults = (
            {repository.default_branch} if repository.default_branch else FALLBACK_DEFAULT_BRANCHES
        )
        rows.append(
            AttemptRow(
                repo=repository.name,
                run_id=run.id,
                attempt=attempt.attempt,
                workflow_id=run.workflow_id,
                workflow=workflow.name if workflow else run.name,
                head_sha=run.head_sha,
                head_branch=run.head_branch,
                event=run.event,
                status=attempt.status,
                conclusion=attempt.conclusion,
                created_at=as_utc(run.created_at),  # type: ignore[arg-type]
                started_at=as_utc(attempt.run_started_at),
                updated_at=as_utc(attempt.updated_at),
                actor=run.actor_login,
                triggering_actor=attempt.triggering_actor_login,
                person=person,
                pull_numbers=numbers,
                html_url=f"{run.html_url}/attempts/{attempt.attempt}" if run.html_url else None,
                on_default_branch=run.head_branch in defaults and run.event != "pull_request",
            )
        )
    return rows


def load_jobs(
    session: Session, *, repo: str | None = None, since: datetime, until: datetime
) -> list[JobRow]:
    """Every job of every attempt of the runs created in [since, until)."""
    query = _runs_in_window(Job, repo=repo, since=since, until=until).order_by(
        Job.run_id, Job.run_attempt, Job.id
    )
    return [
        JobRow(
            repo=repository.name,
            job_id=job.id,
            run_id=job.run_id,
            attempt=job.run_attempt,
            workflow_id=run.workflow_id,
            workflow=workflow.name if workflow else run.name,
            name=job.name,
            head_sha=run.head_sha,
            status=job.status,
            conclusion=job.conclusion,
            created_at=as_utc(job.created_at),
            started_at=as_utc(job.started_at),
            completed_at=as_utc(job.completed_at),
            html_url=job.html_url,
        )
        for job, run, repository, workflow in session.exec(query)
    ]
