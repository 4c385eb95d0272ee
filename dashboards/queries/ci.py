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

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import String, case, cast, func, type_coerce
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
from dashboards.queries import bulk
from dashboards.queries.bulk import JsonText
from dashboards.queries.ci_checks import check_attempts
from dashboards.queries.ci_owners import Owners, PullsByNumber, PullsBySha, pull_authors
from dashboards.queries.ci_rows import (
    FALLBACK_DEFAULT_BRANCHES,
    UNATTENDED_EVENTS,
    AttemptRow,
    JobRow,
    People,
    RuleAttempt,
)

# What whose build a run is depends on: first in every attempt query, so `_read` and `_person`
# find them by position whatever follows.
_OWNER_COLUMNS = (
    WorkflowRun.repository_id,
    WorkflowRun.head_sha,
    WorkflowRun.event,
    WorkflowRun.actor_login,
    type_coerce(WorkflowRun.pull_numbers, JsonText),
)
_ATTEMPT_COLUMNS = (
    *_OWNER_COLUMNS,
    Repository.name,
    Repository.default_branch,
    WorkflowRun.id,
    RunAttempt.attempt,
    WorkflowRun.workflow_id,
    Workflow.name,
    WorkflowRun.name,
    WorkflowRun.head_branch,
    RunAttempt.status,
    RunAttempt.conclusion,
    WorkflowRun.created_at,
    RunAttempt.run_started_at,
    RunAttempt.updated_at,
    RunAttempt.triggering_actor_login,
    WorkflowRun.html_url,
)
_RULE_COLUMNS = (  # after the owner's columns, a `RuleAttempt` field by field
    *_OWNER_COLUMNS,
    Repository.name,
    func.coalesce(func.nullif(Workflow.name, ""), WorkflowRun.name),  # as `_attempt` names it
    WorkflowRun.workflow_id,
    WorkflowRun.head_sha,
    WorkflowRun.id,
    RunAttempt.attempt,
    *bulk.utc(WorkflowRun.created_at, RunAttempt.run_started_at, RunAttempt.updated_at),
    RunAttempt.status,
    RunAttempt.conclusion,
    case(  # as `_attempt_url` links it
        (
            WorkflowRun.html_url != "",
            WorkflowRun.html_url + "/attempts/" + cast(RunAttempt.attempt, String),
        ),
    ),
)
PullsFound = tuple[PullsByNumber, PullsBySha]
_CREATED = attrgetter("created_at", "run_id", "attempt")  # the order of every attempt list


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
        found += bulk.rows(
            session, query.where(col(WorkflowRun.id).in_(run_ids[start : start + 500]))
        )
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
    raw, pulls, owners, narrow = _read(
        session, _ATTEMPT_COLUMNS, since=since, until=until, repo=repo, logins=logins
    )
    rows = [_attempt(r, pulls) for r in raw]
    rows.sort(key=_CREATED)
    rows += check_attempts(session, repo=repo, since=since, until=until, owners=narrow)
    return _owned(session, rows, owners)


def rule_attempts(
    session: Session, *, since: datetime, until: datetime, logins: Collection[str]
) -> list[RuleAttempt]:
    """The attempts `attempts_for(logins=logins)` gives, in its order, as the CI agreements
    read them: the same runs kept by the same owner rule, without the fields they never read
    (a 90-day check of a whole organisation reads tens of thousands)."""
    raw, pulls, owners, narrow = _read(
        session, _RULE_COLUMNS, since=since, until=until, repo=None, logins=logins
    )
    assert owners is not None
    owns = _owns(session, owners)
    rows = [RuleAttempt._make(r[5:]) for r in raw if owns(_person(r, pulls)[0])]
    rows.sort(key=_CREATED)
    checks = check_attempts(session, since=since, until=until, owners=narrow)
    return rows + [_as_rule_attempt(a) for a in checks if owns(a.person)]


def _read(
    session: Session,
    columns: tuple[Any, ...],
    *,
    since: datetime,
    until: datetime,
    repo: str | None,
    logins: Collection[str] | None,
) -> tuple[list[Any], PullsFound, Owners | None, Owners | None]:
    """The `columns` of the attempts of runs created in [since, until), the PRs they name,
    whose runs to keep (None: everyone's), and the owners the database was asked about."""
    owners = narrow = None
    if logins is not None:
        owners = Owners.of(session, logins, since=since, until=until, runs=False)
        if _few(session, owners):
            owners = narrow = Owners.of(session, logins, since=since, until=until)
    query = (
        select(*columns)
        .select_from(RunAttempt)
        .join(WorkflowRun, WorkflowRun.id == RunAttempt.run_id)  # type: ignore[arg-type]
    )
    if narrow is None:
        raw = bulk.rows(session, _window(query, since=since, until=until, repo=repo))
    else:
        run_ids = narrow.run_ids(session, since=since, until=until)
        raw = _by_run_ids(session, _window(query, repo=repo), run_ids)
    numbers = {(r[0], n) for r in raw for n in (r[4] or ())}
    shas = {(r[0], r[1]) for r in raw if not r[4]}
    pulls = pull_authors(session, numbers, shas) if raw else ({}, {})
    return raw, pulls, owners, narrow


def _few(session: Session, owners: Owners) -> bool:
    """Whether to ask the database for just these people's runs: worth it for a few people
    of many; for most of the organisation, reading the window once is cheaper than the
    lookups by login, SHA and branch. Either way `_owned` keeps the same runs."""
    return len(owners.persons) * 3 < len(directory(session).people)


def _person(raw: Any, pulls: PullsFound) -> tuple[str | None, tuple[int, ...]]:
    """Whose build an attempt row is (its `_OWNER_COLUMNS` first), and its PR numbers: the
    author of its pull request (by the numbers on the run, else by head SHA), else the actor
    who pushed; nobody's when scheduled."""
    repo_id, head_sha, event, actor, pull_numbers = raw[:5]
    by_number, by_sha = pulls
    numbers = tuple(pull_numbers or ())
    author: str | None = None
    for number in numbers:
        author = author or by_number.get((repo_id, number))
    if not numbers and (repo_id, head_sha) in by_sha:
        number, author = by_sha[(repo_id, head_sha)]
        numbers = (number,)
    return (None if event in UNATTENDED_EVENTS else (author or actor)), numbers


def _attempt(raw: Any, pulls: PullsFound) -> AttemptRow:
    (
        _,
        head_sha,
        event,
        actor,
        _,
        repo_name,
        default_branch,
        run_id,
        attempt,
        workflow_id,
        workflow_name,
        run_name,
        head_branch,
        status,
        conclusion,
        created_at,
        started_at,
        updated_at,
        triggering_actor,
        html_url,
    ) = raw
    person, numbers = _person(raw, pulls)
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
        person=person,
        pull_numbers=numbers,
        html_url=_attempt_url(html_url, attempt),
        on_default_branch=head_branch in defaults and event != "pull_request",
    )


def _as_rule_attempt(row: AttemptRow) -> RuleAttempt:
    return RuleAttempt(**{name: getattr(row, name) for name in RuleAttempt._fields})


def _attempt_url(run_url: str | None, attempt: int) -> str | None:
    return f"{run_url}/attempts/{attempt}" if run_url else None


def _owned(session: Session, rows: list[AttemptRow], owners: Owners | None) -> list[AttemptRow]:
    if owners is None:
        return rows
    owns = _owns(session, owners)
    return [row for row in rows if owns(row.person)]


def _owns(session: Session, owners: Owners) -> Callable[[str | None], bool]:
    """Whether a run's person (any spelling of their login) is one of `owners`."""
    people = People.of(directory(session))
    return lambda person: people.person(person) in owners.persons


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
