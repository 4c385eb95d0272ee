"""Lean loaders for the pages: CI rows and touched files of a few people, as plain columns.

`dashboards.queries.ci` loads every run of a window as ORM objects, which is right for
org-wide reports but far too slow for a page that needs one person's or one team's runs
(seconds on a year of data). These queries select only the columns the pure functions in
`dashboards.signals.builds` read and filter in SQL, then hand over the same row types.
The person behind a run here is the run's actor (for pull-request runs, whoever pushed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.core.models import (
    Commit,
    FileChange,
    Job,
    PullRequest,
    RepoFile,
    Repository,
    Review,
    RunAttempt,
    SyncCursor,
    Workflow,
    WorkflowRun,
)
from app.core.models.base import as_utc
from dashboards.queries.ci import (
    FALLBACK_DEFAULT_BRANCHES,
    UNATTENDED_EVENTS,
    AttemptRow,
    JobRow,
)


def _runs(
    query: Any,
    *,
    since: datetime,
    until: datetime,
    actors: Collection[str] | None,
    repo: str | None,
) -> Any:
    """Join a query over runs to their repository and workflow, and keep the wanted runs."""
    query = (
        query.join(Repository, Repository.id == WorkflowRun.repository_id)
        .join(Workflow, Workflow.id == WorkflowRun.workflow_id, isouter=True)
        .where(WorkflowRun.created_at >= since, WorkflowRun.created_at < until)
    )
    if actors is not None:
        query = query.where(col(WorkflowRun.actor_login).in_(actors))
    if repo is not None:
        query = query.where(Repository.name == repo)
    return query


def attempts_for(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    actors: Collection[str] | None = None,
    repo: str | None = None,
) -> list[AttemptRow]:
    """Attempts of runs created in [since, until) by these actors and/or in this repository."""
    query = (
        select(
            Repository.name,
            Repository.default_branch,
            WorkflowRun.id,
            RunAttempt.attempt,
            WorkflowRun.workflow_id,
            Workflow.name,
            WorkflowRun.name,
            WorkflowRun.head_sha,
            WorkflowRun.head_branch,
            WorkflowRun.event,
            RunAttempt.status,
            RunAttempt.conclusion,
            WorkflowRun.created_at,
            RunAttempt.run_started_at,
            RunAttempt.updated_at,
            WorkflowRun.actor_login,
            RunAttempt.triggering_actor_login,
            WorkflowRun.pull_numbers,
            WorkflowRun.html_url,
        ).join(WorkflowRun, WorkflowRun.id == RunAttempt.run_id)  # type: ignore[arg-type]
    )
    query = _runs(query, since=since, until=until, actors=actors, repo=repo)
    rows = []
    for (
        repo_name,
        default_branch,
        run_id,
        attempt,
        workflow_id,
        workflow_name,
        run_name,
        head_sha,
        head_branch,
        event,
        status,
        conclusion,
        created_at,
        started_at,
        updated_at,
        actor,
        triggering_actor,
        pull_numbers,
        html_url,
    ) in session.exec(query):
        defaults = {default_branch} if default_branch else FALLBACK_DEFAULT_BRANCHES
        rows.append(
            AttemptRow(
                repo=repo_name,
                run_id=run_id,
                attempt=attempt,
                workflow_id=workflow_id,
                workflow=workflow_name or run_name,
                head_sha=head_sha,
                head_branch=head_branch,
                event=event,
                status=status,
                conclusion=conclusion,
                created_at=as_utc(created_at),  # type: ignore[arg-type]
                started_at=as_utc(started_at),
                updated_at=as_utc(updated_at),
                actor=actor,
                triggering_actor=triggering_actor,
                person=None if event in UNATTENDED_EVENTS else actor,
                pull_numbers=tuple(pull_numbers or ()),
                html_url=f"{html_url}/attempts/{attempt}" if html_url else None,
                on_default_branch=head_branch in defaults and event != "pull_request",
            )
        )
    rows.sort(key=lambda r: (r.created_at, r.run_id, r.attempt))
    return rows


def jobs_for(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    actors: Collection[str] | None = None,
    repo: str | None = None,
) -> list[JobRow]:
    """Jobs of the same runs as `attempts_for`, for job-level flakiness."""
    query = (
        select(
            Repository.name,
            Job.id,
            Job.run_id,
            Job.run_attempt,
            WorkflowRun.workflow_id,
            Workflow.name,
            WorkflowRun.name,
            Job.name,
            WorkflowRun.head_sha,
            Job.status,
            Job.conclusion,
            Job.created_at,
            Job.started_at,
            Job.completed_at,
            Job.html_url,
        ).join(WorkflowRun, WorkflowRun.id == Job.run_id)  # type: ignore[arg-type]
    )
    query = _runs(query, since=since, until=until, actors=actors, repo=repo)
    return [
        JobRow(
            repo=repo_name,
            job_id=job_id,
            run_id=run_id,
            attempt=attempt,
            workflow_id=workflow_id,
            workflow=workflow_name or run_name,
            name=name,
            head_sha=head_sha,
            status=status,
            conclusion=conclusion,
            created_at=as_utc(created_at),
            started_at=as_utc(started_at),
            completed_at=as_utc(completed_at),
            html_url=html_url,
        )
        for (
            repo_name,
            job_id,
            run_id,
            attempt,
            workflow_id,
            workflow_name,
            run_name,
            name,
            head_sha,
            status,
            conclusion,
            created_at,
            started_at,
            completed_at,
            html_url,
        ) in session.exec(query)
    ]


@dataclass(frozen=True)
class Touched:
    repo: str
    path: str
    commits: int
    added: int
    deleted: int


def files_touched(
    session: Session, *, emails: Collection[str], since: datetime, until: datetime
) -> list[Touched]:
    """Files at HEAD that these exact commit emails changed in non-merge commits, in one query.

    `app.core.people.emails_of` returns the spellings seen in commits, so an exact, indexed match
    is enough here (the hotspot module's case-insensitive scan is meant for reports).
    """
    if not emails:
        return []
    rows = session.exec(
        select(
            Repository.name,
            FileChange.path,
            func.count(func.distinct(Commit.id)),
            func.sum(FileChange.added),
            func.sum(FileChange.deleted),
        )
        .join(Commit, Commit.id == FileChange.commit_id)  # type: ignore[arg-type]
        .join(Repository, Repository.id == Commit.repository_id)  # type: ignore[arg-type]
        .join(
            RepoFile,
            (RepoFile.repository_id == Commit.repository_id) & (RepoFile.path == FileChange.path),  # type: ignore[arg-type]
        )
        .where(
            col(Commit.author_email).in_(emails),
            col(Commit.is_merge).is_(False),
            Commit.authored_at >= since,
            Commit.authored_at <= until,
        )
        .group_by(Repository.name, FileChange.path)
    )
    return [
        Touched(repo, path, int(commits), int(added or 0), int(deleted or 0))
        for repo, path, commits, added, deleted in rows
    ]


_VERSION_KEY = "gemba_data_version"


@sa_event.listens_for(OrmSession, "after_commit")
@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_data_version(session: OrmSession) -> None:
    """A new transaction may see new data: the next `data_version` call asks again."""
    session.info.pop(_VERSION_KEY, None)


def data_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a collector writes: the newest cursor move and the newest row ids.

    Primary-key maxima are index lookups; the answer is kept until the session's transaction
    ends (one request), so a page asks once however many baselines it uses.
    """
    cached = session.info.get(_VERSION_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    version = tuple(
        session.exec(
            select(
                func.max(SyncCursor.updated_at),
                select(func.max(Commit.id)).scalar_subquery(),
                select(func.max(FileChange.id)).scalar_subquery(),
                select(func.max(PullRequest.id)).scalar_subquery(),
                select(func.max(Review.id)).scalar_subquery(),
                select(func.max(WorkflowRun.id)).scalar_subquery(),
                select(func.max(Job.id)).scalar_subquery(),
            )
        ).one()
    )
    session.info[_VERSION_KEY] = version
    return version
