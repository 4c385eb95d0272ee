"""Lean loaders only the pages need: the files a few people touched, and the data version
that keys the pages' cached baselines. (CI rows come from `dashboards.queries.ci`, the one
path every CI figure uses.)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

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
    SyncCursor,
    WorkflowRun,
)


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
