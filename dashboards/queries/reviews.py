"""The SQL behind review flow: typed rows for the pure functions in `reviews.py`.

Everything a number depends on is read here, so the signal functions stay pure and testable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, type_coerce
from sqlmodel import Session, col, select

from app.core.identities import directory
from app.core.models import (
    Person,
    PullRequest,
    PullRequestEvent,
    Repository,
    Review,
    ReviewComment,
    Team,
    TeamMember,
)
from app.core.models.base import as_utc
from dashboards.queries import bulk
from dashboards.queries.bulk import JsonText


@dataclass(frozen=True)
class ReviewRow:
    reviewer_login: str | None
    reviewer_is_bot: bool
    state: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class CommentRow:
    author_login: str | None
    author_is_bot: bool


@dataclass(frozen=True)
class EventRow:
    event: str
    actor_login: str | None
    created_at: datetime


@dataclass(frozen=True)
class PullRow:
    """A pull request with its reviews, review comments and timeline events."""

    id: int
    repository: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    author_is_bot: bool
    state: str
    draft: bool
    created_at: datetime
    ready_at: datetime | None
    first_commit_at: datetime | None
    merged_at: datetime | None
    closed_at: datetime | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    labels: tuple[str, ...]
    requested_reviewers: tuple[str, ...]
    reviews: tuple[ReviewRow, ...]
    comments: tuple[CommentRow, ...]
    events: tuple[EventRow, ...]


def pull_rows(
    session: Session,
    *,
    repo: str | None = None,
    authors: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    open_only: bool = False,
) -> list[PullRow]:
    """PRs alive in [since, until): created before `until`, not closed before `since`.

    Only the columns a `PullRow` holds are read, as plain rows (no ORM objects to build)."""
    query = select(*_PULL_COLUMNS).join(
        Repository,
        Repository.id == PullRequest.repository_id,  # type: ignore[arg-type]
    )
    if repo is not None:
        query = query.where(Repository.name == repo)
    if authors is not None:
        query = query.where(col(PullRequest.author_login).in_(list(authors)))
    if until is not None:
        query = query.where(PullRequest.created_at < until)
    if since is not None:
        query = query.where(
            or_(col(PullRequest.closed_at).is_(None), col(PullRequest.closed_at) >= since)
        )
    if open_only:
        query = query.where(PullRequest.state == "open")
    pulls = bulk.rows(session, query.order_by(col(PullRequest.created_at), col(PullRequest.id)))
    reviews, comments, events = _children(session, [pull[0] for pull in pulls])
    return [_row(pull, reviews[pull[0]], comments[pull[0]], events[pull[0]]) for pull in pulls]


_PULL_COLUMNS = (
    PullRequest.id,
    Repository.name,
    PullRequest.number,
    PullRequest.title,
    PullRequest.html_url,
    PullRequest.author_login,
    PullRequest.author_is_bot,
    PullRequest.state,
    PullRequest.draft,
    *bulk.utc(
        PullRequest.created_at,
        PullRequest.ready_at,
        PullRequest.first_commit_at,
        PullRequest.merged_at,
        PullRequest.closed_at,
    ),
    PullRequest.additions,
    PullRequest.deletions,
    PullRequest.changed_files,
    type_coerce(PullRequest.labels, JsonText),
    type_coerce(PullRequest.requested_reviewers, JsonText),
)


def _children(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[ReviewRow]], dict[int, list[CommentRow]], dict[int, list[EventRow]]]:
    reviews: dict[int, list[ReviewRow]] = defaultdict(list)
    comments: dict[int, list[CommentRow]] = defaultdict(list)
    events: dict[int, list[EventRow]] = defaultdict(list)
    review_columns = (Review.reviewer_login, Review.reviewer_is_bot, Review.state)
    comment_columns = (ReviewComment.author_login, ReviewComment.author_is_bot)
    event_columns = (PullRequestEvent.event, PullRequestEvent.actor_login)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for pull_id, login, is_bot, state, submitted in _of_pulls(
            session,
            Review,
            (*review_columns, *bulk.utc(Review.submitted_at)),
            chunk,
            Review.id,
        ):
            reviews[pull_id].append(ReviewRow(login, is_bot, state, as_utc(submitted)))
        for pull_id, login, is_bot in _of_pulls(session, ReviewComment, comment_columns, chunk):
            comments[pull_id].append(CommentRow(login, is_bot))
        created_at = PullRequestEvent.created_at
        for pull_id, event, actor, created in _of_pulls(
            session,
            PullRequestEvent,
            (*event_columns, *bulk.utc(created_at)),
            chunk,
            created_at,
        ):
            events[pull_id].append(EventRow(event, actor, as_utc(created)))  # type: ignore[arg-type]
    return reviews, comments, events


def _of_pulls(
    session: Session, table: Any, columns: tuple[Any, ...], ids: list[int], order: Any = None
) -> Any:
    """The pull request id and these columns of `table`'s rows for these PRs."""
    query = select(table.pull_request_id, *columns).where(col(table.pull_request_id).in_(ids))
    return bulk.rows(session, query.order_by(col(order)) if order is not None else query)


def _row(
    pull: Any,
    reviews: list[ReviewRow],
    comments: list[CommentRow],
    events: list[EventRow],
) -> PullRow:
    (
        pull_id,
        repository,
        number,
        title,
        html_url,
        author_login,
        author_is_bot,
        state,
        draft,
        created_at,
        ready_at,
        first_commit_at,
        merged_at,
        closed_at,
        additions,
        deletions,
        changed_files,
        labels,
        requested_reviewers,
    ) = pull
    created = as_utc(created_at)
    assert created is not None
    return PullRow(
        id=pull_id,
        repository=repository,
        number=number,
        title=title,
        html_url=html_url,
        author_login=author_login,
        author_is_bot=author_is_bot,
        state=state,
        draft=draft,
        created_at=created,
        ready_at=as_utc(ready_at),
        first_commit_at=as_utc(first_commit_at),
        merged_at=as_utc(merged_at),
        closed_at=as_utc(closed_at),
        additions=additions,
        deletions=deletions,
        changed_files=changed_files,
        labels=tuple(labels or ()),
        requested_reviewers=tuple(requested_reviewers or ()),
        reviews=tuple(reviews),
        comments=tuple(comments),
        events=tuple(events),
    )


@dataclass(frozen=True)
class GivenReview:
    """One submitted review, for reviewer load."""

    reviewer_login: str
    reviewer_is_bot: bool
    author_login: str | None
    submitted_at: datetime
    pull_request_id: int


def given_reviews(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    repo: str | None = None,
    reviewers: Collection[str] | None = None,
) -> list[GivenReview]:
    """Reviews submitted in [since, until), optionally on one repo or by some logins."""
    query = (
        select(Review, PullRequest.author_login)
        .join(PullRequest, PullRequest.id == Review.pull_request_id)  # type: ignore[arg-type]
        .where(col(Review.submitted_at) >= since, col(Review.submitted_at) < until)
        .where(col(Review.reviewer_login).is_not(None))
    )
    if repo is not None:
        query = query.join(
            Repository,
            Repository.id == PullRequest.repository_id,  # type: ignore[arg-type]
        ).where(Repository.name == repo)
    if reviewers is not None:
        query = query.where(col(Review.reviewer_login).in_(list(reviewers)))
    rows = []
    for review, author in session.exec(query):
        submitted = as_utc(review.submitted_at)
        assert submitted is not None and review.reviewer_login is not None
        rows.append(
            GivenReview(
                review.reviewer_login,
                review.reviewer_is_bot,
                author,
                submitted,
                review.pull_request_id,
            )
        )
    return rows


@dataclass(frozen=True)
class FlowScope:
    """Whose PRs a review-flow view covers: a label, author logins (None = everyone), a zone."""

    label: str
    logins: frozenset[str] | None = None
    timezone: str | None = None


def team_scope(session: Session, team: Team) -> FlowScope:
    """Every member's logins (`app.core.identities`), in the team's time zone."""
    assert team.id is not None
    members = session.exec(select(TeamMember.person_id).where(TeamMember.team_id == team.id))
    logins = directory(session).logins_of(*members)
    return FlowScope(f"team {team.name}", frozenset(logins), team.timezone)


def person_scope(session: Session, person: Person) -> FlowScope:
    """A person's logins, in the time zone of their first team by name (None: the default)."""
    assert person.id is not None
    zone = session.exec(
        select(Team.timezone)
        .join(TeamMember, TeamMember.team_id == Team.id)  # type: ignore[arg-type]
        .where(TeamMember.person_id == person.id)
        .order_by(col(Team.name))
    ).first()
    logins = directory(session).logins_of(person.id) | {person.login}
    return FlowScope(f"person {person.login}", frozenset(logins), zone)
