"""External CI checks (CircleCI, Buildkite, ...) as attempts, beside the Actions runs."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlmodel import Session, col, select

from app.core.models import CheckRun, Repository
from app.core.models.base import as_utc
from dashboards.queries.ci_owners import Owners, pull_authors
from dashboards.queries.ci_rows import AttemptRow


def check_workflow_id(app_slug: str | None, name: str) -> int:
    """A stable negative id for an external check, so it groups like a workflow of its own."""
    return -(zlib.crc32(f"{app_slug}/{name}".encode()) or 1)


def check_attempts(
    session: Session,
    *,
    repo: str | None = None,
    since: datetime,
    until: datetime,
    owners: Owners | None = None,
) -> list[AttemptRow]:
    """External CI check runs (CircleCI, Buildkite, ...) as attempts of a workflow named
    "app / check": a re-requested check is a new check run on the same SHA, so flaky external
    checks are found like flaky workflows. Their person comes from the PR with that head SHA.
    """
    query = (
        select(
            CheckRun.id,
            CheckRun.repository_id,
            Repository.name,
            CheckRun.app_slug,
            CheckRun.name,
            CheckRun.head_sha,
            CheckRun.status,
            CheckRun.conclusion,
            CheckRun.started_at,
            CheckRun.completed_at,
            CheckRun.html_url,
        )
        .join(Repository, Repository.id == CheckRun.repository_id)  # type: ignore[arg-type]
        .where(CheckRun.started_at >= since, CheckRun.started_at < until)  # type: ignore[operator]
        .order_by(CheckRun.started_at, CheckRun.id)
    )
    if repo:
        query = query.where(Repository.name == repo)
    if owners is not None:
        query = query.where(col(CheckRun.head_sha).in_(owners.shas))
    results = list(session.exec(query))
    _, by_sha = (
        pull_authors(session, set(), {(r[1], r[5]) for r in results}) if results else ({}, {})
    )
    rows = []
    for (
        check_id,
        repo_id,
        repo_name,
        app_slug,
        name,
        head_sha,
        status,
        conclusion,
        started,
        completed,
        html_url,
    ) in results:
        number, author = by_sha.get((repo_id, head_sha), (None, None))
        started = as_utc(started)
        assert started is not None
        rows.append(
            AttemptRow(
                repo=repo_name,
                run_id=-check_id,  # apart from workflow run ids
                attempt=1,
                workflow_id=check_workflow_id(app_slug, name),
                workflow=f"{app_slug or 'external'} / {name}",
                head_sha=head_sha,
                head_branch=None,
                event="check_run",
                status=status,
                conclusion=conclusion,
                created_at=started,
                started_at=started,
                updated_at=as_utc(completed),
                actor=None,
                triggering_actor=None,
                person=author,
                pull_numbers=(number,) if number is not None else (),
                html_url=html_url,
                on_default_branch=False,
            )
        )
    return rows
