"""Store side of pull-request collection: idempotent upserts keyed by GitHub ids.

A batch of PRs, their child rows and the `pulls` cursor are written in the caller's one
transaction, so a crash repeats at most one batch and never leaves a gap or a duplicate.
Works on SQLite and PostgreSQL (each dialect's INSERT ... ON CONFLICT DO UPDATE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from app.core.models import (
    PullRequest,
    PullRequestEvent,
    Repository,
    Review,
    ReviewComment,
    SyncCursor,
)
from app.core.models.base import as_utc, utcnow
from collectors.pulls.records import PullRequestRecord

PULLS_SOURCE = "pulls"


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET update, on the session's dialect."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model.__table__)  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: getattr(statement.excluded, name) for name in update},
    )
    session.execute(statement, list(rows))


def upsert_repository(
    session: Session,
    *,
    name: str,
    github_id: int | None,
    default_branch: str | None = None,
    html_url: str | None = None,
) -> int:
    """The Repository row for "owner/name" (shared with git and CI collectors), by name."""
    existing = session.exec(select(Repository).where(Repository.name == name)).first()
    if existing is None:
        existing = Repository(name=name)
        session.add(existing)
    existing.github_id = github_id if github_id is not None else existing.github_id
    existing.default_branch = default_branch or existing.default_branch
    existing.html_url = html_url or existing.html_url
    session.flush()
    assert existing.id is not None
    return existing.id


def repository_row(session: Session, name: str) -> Repository | None:
    return session.exec(select(Repository).where(Repository.name == name)).first()


def read_cursor(session: Session, repo_name: str) -> datetime | None:
    cursor = session.exec(
        select(SyncCursor).where(
            SyncCursor.source == PULLS_SOURCE, SyncCursor.repository == repo_name
        )
    ).first()
    if cursor is None or not cursor.position:
        return None
    return datetime.fromisoformat(cursor.position)


def write_cursor(session: Session, repo_name: str, position: datetime) -> None:
    """Advance (never rewind) the high-water mark of PR `updated_at` stored for a repository."""
    current = read_cursor(session, repo_name)
    if current is not None and current >= position:
        return
    upsert(
        session,
        SyncCursor,
        [
            {
                "source": PULLS_SOURCE,
                "repository": repo_name,
                "position": position.isoformat(),
                "updated_at": utcnow(),
            }
        ],
        keys=("source", "repository"),
        update=("position", "updated_at"),
    )


def stored_versions(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    """`updated_at` of the PRs we already hold, to skip refetching unchanged ones."""
    found: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for pull_id, updated in session.exec(
            select(PullRequest.id, PullRequest.updated_at).where(col(PullRequest.id).in_(chunk))
        ):
            stamp = as_utc(updated)
            assert stamp is not None
            found[pull_id] = stamp
    return found


PULL_FIELDS = (
    "number",
    "title",
    "html_url",
    "author_login",
    "author_is_bot",
    "state",
    "draft",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "ready_at",
    "first_commit_at",
    "additions",
    "deletions",
    "changed_files",
    "commits",
    "head_sha",
    "merge_commit_sha",
    "head_ref",
    "base_ref",
    "labels",
    "requested_reviewers",
)


def save_pulls(
    session: Session,
    *,
    repository_id: int,
    records: Sequence[PullRequestRecord],
) -> None:
    """Upsert PRs by GitHub id and replace their reviews, review comments and events."""
    if not records:
        return
    pulls = []
    for record in records:
        row = {name: getattr(record, name) for name in PULL_FIELDS}
        row["labels"] = list(record.labels)
        row["requested_reviewers"] = list(record.requested_reviewers)
        pulls.append({"id": record.id, "repository_id": repository_id, **row})
    upsert(
        session,
        PullRequest,
        pulls,
        keys=("id",),
        update=("repository_id", *PULL_FIELDS),
    )
    ids = [record.id for record in records]
    for model in (Review, ReviewComment, PullRequestEvent):
        session.execute(delete(model).where(col(model.pull_request_id).in_(ids)))  # type: ignore[attr-defined]
    reviews = [
        {**asdict(review), "pull_request_id": record.id}
        for record in records
        for review in record.reviews
    ]
    comments = [
        {**asdict(comment), "pull_request_id": record.id}
        for record in records
        for comment in record.review_comments
    ]
    events = [
        {**asdict(event), "pull_request_id": record.id}
        for record in records
        for event in record.events
    ]
    # A review id is unique on GitHub; upsert guards against one listed twice in a page shift.
    upsert(
        session,
        Review,
        reviews,
        keys=("id",),
        update=("pull_request_id", "reviewer_login", "reviewer_is_bot", "state", "submitted_at"),
    )
    upsert(
        session,
        ReviewComment,
        comments,
        keys=("id",),
        update=("pull_request_id", "review_id", "author_login", "author_is_bot", "path"),
    )
    if events:
        session.execute(PullRequestEvent.__table__.insert(), events)  # type: ignore[attr-defined]
    session.flush()


_upsert = upsert  # the name the CI store imported first
