"""The SQL behind the delivery keys: deployments with their commits, merged PRs with the times
their phases start at, and failures, for a set of repositories."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.core.models import (
    DeliveryFailure,
    DeployedCommit,
    DeployedPull,
    Deployment,
    PullRequest,
    Repository,
    Review,
    SyncCursor,
)
from app.core.models.base import as_utc


@dataclass(frozen=True)
class DeploymentRow:
    repository: str
    key: str
    source: str
    environment: str
    sha: str
    deployed_at: datetime
    html_url: str | None
    commits: tuple[str, ...]


@dataclass(frozen=True)
class PullRow:
    id: int
    repository: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    merge_commit_sha: str
    opened_at: datetime
    merged_at: datetime
    first_commit_at: datetime | None
    first_review_at: datetime | None


@dataclass(frozen=True)
class FailureRow:
    repository: str
    kind: str
    ref: str
    number: int | None
    title: str
    html_url: str | None
    started_at: datetime
    restored_at: datetime | None
    deployment_key: str | None
    reverted_number: int | None


def repositories(session: Session, names: Collection[str]) -> dict[int, str]:
    rows = session.exec(
        select(Repository.id, Repository.name).where(col(Repository.name).in_(list(names)))
    )
    return {rid: name for rid, name in rows if rid is not None}


def repositories_of_authors(session: Session, logins: Collection[str]) -> dict[int, str]:
    """Repositories where any of `logins` (every spelling, as the identity directory gives
    them) authored a merged PR. Read by the author index and deduplicated here: a DISTINCT
    makes SQLite walk every PR in repository order instead (70 ms against 5 on a year of
    20 repositories)."""
    ids = set(
        session.exec(
            select(PullRequest.repository_id).where(
                col(PullRequest.author_login).in_(list(logins)),
                col(PullRequest.merged_at).is_not(None),
            )
        )
    )
    return repositories_by_id(session, ids)


def repositories_by_id(session: Session, ids: Collection[int]) -> dict[int, str]:
    rows = session.exec(
        select(Repository.id, Repository.name).where(col(Repository.id).in_(list(ids)))
    )
    return {rid: name for rid, name in rows if rid is not None}


def sources(session: Session, names: Collection[str]) -> dict[str, str]:
    """Each repository's deployment source, as its last delivery collect chose it."""
    rows = session.exec(
        select(SyncCursor.repository, SyncCursor.position).where(
            SyncCursor.source == "delivery", col(SyncCursor.repository).in_(list(names))
        )
    )
    return {name: json.loads(position or "{}").get("source") or "" for name, position in rows}


def deployments(session: Session, repos: dict[int, str], *, since: datetime) -> list[DeploymentRow]:
    """Deployments at or after `since`, each with the commits it brought."""
    rows = list(
        session.exec(
            select(Deployment).where(
                col(Deployment.repository_id).in_(list(repos)), Deployment.deployed_at >= since
            )
        )
    )
    commits: dict[int, list[str]] = defaultdict(list)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        for deployment_id, sha in session.exec(
            select(DeployedCommit.deployment_id, DeployedCommit.sha).where(
                col(DeployedCommit.deployment_id).in_(ids[start : start + 500])
            )
        ):
            commits[deployment_id].append(sha)
    return sorted(
        (
            DeploymentRow(
                repos[r.repository_id],
                r.key,
                r.source,
                r.environment,
                r.sha,
                as_utc(r.deployed_at),  # type: ignore[arg-type]
                r.html_url,
                tuple(commits[r.id]),  # type: ignore[index]
            )
            for r in rows
        ),
        key=lambda d: (d.deployed_at, d.repository, d.key),
    )


def merged_pulls(
    session: Session,
    repos: dict[int, str],
    *,
    since: datetime,
    until: datetime,
    logins: Collection[str] | None = None,
) -> list[PullRow]:
    """PRs merged in [since, until) with a merge commit (by `logins` when given)."""
    query = select(PullRequest).where(
        col(PullRequest.repository_id).in_(list(repos)),
        col(PullRequest.merged_at) >= since,
        col(PullRequest.merged_at) < until,
        col(PullRequest.merge_commit_sha).is_not(None),
    )
    if logins is not None:
        query = query.where(col(PullRequest.author_login).in_(list(logins)))
    pulls = list(session.exec(query))
    first_review: dict[int, datetime] = {}
    ids = [p.id for p in pulls]
    for start in range(0, len(ids), 500):
        for review, author in session.exec(
            select(Review, PullRequest.author_login)
            .join(PullRequest, col(PullRequest.id) == col(Review.pull_request_id))
            .where(col(Review.pull_request_id).in_(ids[start : start + 500]))
        ):
            at = as_utc(review.submitted_at)
            if at is None or review.reviewer_is_bot or review.reviewer_login == author:
                continue
            if (
                review.pull_request_id not in first_review
                or at < first_review[review.pull_request_id]
            ):
                first_review[review.pull_request_id] = at
    return [
        PullRow(
            p.id,
            repos[p.repository_id],
            p.number,
            p.title,
            p.html_url,
            p.author_login,
            p.merge_commit_sha or "",
            as_utc(p.created_at),  # type: ignore[arg-type]
            as_utc(p.merged_at),  # type: ignore[arg-type]
            as_utc(p.first_commit_at),
            first_review.get(p.id),
        )
        for p in sorted(pulls, key=lambda p: (as_utc(p.merged_at), p.number))  # type: ignore[arg-type,return-value]
    ]


def failures(
    session: Session, repos: dict[int, str], *, since: datetime, until: datetime
) -> list[FailureRow]:
    rows = session.exec(
        select(DeliveryFailure).where(
            col(DeliveryFailure.repository_id).in_(list(repos)),
            DeliveryFailure.started_at >= since,
            DeliveryFailure.started_at < until,
        )
    )
    return [
        FailureRow(
            repos[f.repository_id],
            f.kind,
            f.ref,
            f.number,
            f.title,
            f.html_url,
            as_utc(f.started_at),  # type: ignore[arg-type]
            as_utc(f.restored_at),
            f.deployment_key,
            f.reverted_number,
        )
        for f in rows
    ]


@dataclass(frozen=True)
class DeployedAt:
    deployment_key: str
    repository: str
    deployed_at: datetime
    html_url: str | None


def deployed_pulls(session: Session, pull_request_ids: Collection[int]) -> dict[int, DeployedAt]:
    """PR id -> the first deployment that shipped it (the person page's "deployed at")."""
    found: dict[int, DeployedAt] = {}
    ids = list(pull_request_ids)
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(DeployedPull.pull_request_id, Deployment, Repository.name)
            .join(Deployment, col(Deployment.id) == col(DeployedPull.deployment_id))
            .join(Repository, col(Repository.id) == col(Deployment.repository_id))
            .where(col(DeployedPull.pull_request_id).in_(ids[start : start + 500]))
        )
        for pull_id, deployment, name in rows:
            found[pull_id] = DeployedAt(
                deployment.key,
                name,
                as_utc(deployment.deployed_at),
                deployment.html_url,  # type: ignore[arg-type]
            )
    return found
