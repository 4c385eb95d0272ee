"""The one query path behind every CI figure: attempts, jobs and whose build each run is.

Pages, the API, the CLI and the digest all load CI rows here, so they count the same runs for
the same person (docs/metrics.md, "CI health and flaky builds"): a run belongs to the author of
its pull request (by the PR numbers GitHub lists on the run, else by head SHA), else to the
actor who pushed; scheduled runs belong to nobody. Only the columns the pure functions in
`dashboards.signals.ci` read are selected, as plain rows. With `logins`, the database narrows
the window to the runs those people may own (pushed by them, or on the SHA or branch of one
of their PRs), and the rule above keeps the ones they do own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.core.identities import directory
from app.core.models import (
    Job,
    Repository,
    RunAttempt,
    Workflow,
    WorkflowRun,
)
from app.core.models.base import as_utc
from dashboards.queries.ci_checks import check_attempts
from dashboards.queries.ci_owners import Owners, pull_authors
from dashboards.queries.ci_rows import (
    FALLBACK_DEFAULT_BRANCHES,
    UNATTENDED_EVENTS,
    AttemptRow,
    JobRow,
    People,
)

_ATTEMPT_COLUMNS = (
    Repository.name,
    Repository.default_branch,
    WorkflowRun.repository_id,
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
)


def _window(
    query: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    repo: str | None,
) -> Any:
    """The runs' repository and workflow joined in; runs created in [since, until) when given,
    of one repository when named."""
    query = query.join(Repository, Repository.id == WorkflowRun.repository_id).join(
        Workflow, Workflow.id == WorkflowRun.workflow_id, isouter=True
    )
    if since is not None and until is not None:
        query = query.where(WorkflowRun.created_at >= since, WorkflowRun.created_at < until)
    return query.where(Repository.name == repo) if repo is not None else query


def _by_run_ids(session: Session, query: Any, run_ids: Sequence[int]) -> list[Any]:
    """`query`'s rows for these runs, asked for 500 runs at a time (bound-parameter limits)."""
    found: list[Any] = []
    for start in range(0, len(run_ids), 500):
        found += session.exec(query.where(col(WorkflowRun.id).in_(run_ids[start : start + 500])))
    return found


def attempts_for(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    repo: str | None = None,
    logins: Collection[str] | None = None,
) -> list[AttemptRow]:
    """Every attempt of every Actions run created in [since, until) (of one repository when
    named; of the runs these people own when `logins` are given), then the external checks
    started in the window (see `check_attempts`)."""
    owners = narrow = None
    if logins is not None:
        owners = Owners.of(session, logins, since=since, until=until, runs=False)
        if _few(session, owners):
            owners = narrow = Owners.of(session, logins, since=since, until=until)
    query = select(*_ATTEMPT_COLUMNS).join(WorkflowRun, WorkflowRun.id == RunAttempt.run_id)  # type: ignore[arg-type]
    if narrow is None:
        raw = list(session.exec(_window(query, since=since, until=until, repo=repo)))
    else:
        run_ids = narrow.run_ids(session, since=since, until=until)
        raw = _by_run_ids(session, _window(query, repo=repo), run_ids)
    numbers = {(r[2], n) for r in raw for n in (r[18] or ())}
    shas = {(r[2], r[8]) for r in raw if not r[18]}
    by_number, by_sha = pull_authors(session, numbers, shas) if raw else ({}, {})
    rows = [_attempt(r, by_number, by_sha) for r in raw]
    rows.sort(key=lambda r: (r.created_at, r.run_id, r.attempt))
    rows += check_attempts(session, repo=repo, since=since, until=until, owners=narrow)
    return _owned(session, rows, owners)


def _few(session: Session, owners: Owners) -> bool:
    """Whether to ask the database for just these people's runs: worth it for a few people
    of many; for most of the organisation, reading the window once is cheaper than the
    lookups by login, SHA and branch. Either way `_owned` keeps the same runs."""
    return len(owners.persons) * 3 < len(directory(session).people)


def _attempt(
    raw: Any,
    by_number: dict[tuple[int, int], str | None],
    by_sha: dict[tuple[int, str], tuple[int, str | None]],
) -> AttemptRow:
    (
        repo_name,
        default_branch,
        repo_id,
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
    ) = raw
    numbers = tuple(pull_numbers or ())
    author: str | None = None
    for number in numbers:
        author = author or by_number.get((repo_id, number))
    if not numbers and (repo_id, head_sha) in by_sha:
        number, author = by_sha[(repo_id, head_sha)]
        numbers = (number,)
    defaults = {default_branch} if default_branch else FALLBACK_DEFAULT_BRANCHES
    return AttemptRow(
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
        person=None if event in UNATTENDED_EVENTS else (author or actor),
        pull_numbers=numbers,
        html_url=f"{html_url}/attempts/{attempt}" if html_url else None,
        on_default_branch=head_branch in defaults and event != "pull_request",
    )


def _owned(session: Session, rows: list[AttemptRow], owners: Owners | None) -> list[AttemptRow]:
    if owners is None:
        return rows
    people = People.of(directory(session))
    return [row for row in rows if people.person(row.person) in owners.persons]


_JOB_COLUMNS = (
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
)


def jobs_for(
    session: Session,
    attempts: Sequence[AttemptRow],
    *,
    since: datetime,
    until: datetime,
    repo: str | None = None,
    logins: Collection[str] | None = None,
) -> list[JobRow]:
    """Every job of the given attempts (the answer of `attempts_for` with the same window,
    repository and logins), for runner time and job-level flakiness."""
    query = select(*_JOB_COLUMNS).join(WorkflowRun, WorkflowRun.id == Job.run_id)  # type: ignore[arg-type]
    order = (Job.run_id, Job.run_attempt, Job.id)
    kept = {(a.run_id, a.attempt) for a in attempts}
    if logins is None:
        window = _window(query, since=since, until=until, repo=repo).order_by(*order)
        found = list(session.exec(window))
    else:  # a few people's runs: ask for just those runs
        run_ids = sorted({a.run_id for a in attempts if a.run_id > 0})
        found = _by_run_ids(session, _window(query, repo=repo).order_by(*order), run_ids)
        found.sort(key=lambda r: (r[2], r[3], r[1]))
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
        ) in found
        if (run_id, attempt) in kept
    ]
