"""The SQL behind review flow: typed rows for the pure functions in `reviews.py`.

Everything a number depends on is read here, so the signal functions stay pure and testable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
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
    """PRs alive in [since, until): created before `until`, not closed before `since`."""
    query = select(PullRequest, Repository.name).join(
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
    pulls = list(session.exec(query.order_by(col(PullRequest.created_at), col(PullRequest.id))))
    ids = [pull.id for pull, _ in pulls]
    reviews, comments, events = _children(session, ids)
    return [
        _row(pull, name, reviews[pull.id], comments[pull.id], events[pull.id])
        for pull, name in pulls
    ]


def _children(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[ReviewRow]], dict[int, list[CommentRow]], dict[int, list[EventRow]]]:
    reviews: dict[int, list[ReviewRow]] = defaultdict(list)
    comments: dict[int, list[CommentRow]] = defaultdict(list)
    events: dict[int, list[EventRow]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for review in session.exec(
            select(Review).where(col(Review.pull_request_id).in_(chunk)).order_by(col(Review.id))
        ):
            reviews[review.pull_request_id].append(
                ReviewRow(
                    review.reviewer_login,
                    review.reviewer_is_bot,
                    review.state,
                    as_utc(review.submitted_at),
                )
            )
        for comment in session.exec(
            select(ReviewComment).where(col(ReviewComment.pull_request_id).in_(chunk))
        ):
            comments[comment.pull_request_id].append(
                CommentRow(comment.author_login, comment.author_is_bot)
            )
        for event in session.exec(
            select(PullRequestEvent)
            .where(col(PullRequestEvent.pull_request_id).in_(chunk))
            .order_by(col(PullRequestEvent.created_at))
        ):
            created = as_utc(event.created_at)
            assert created is not None
            events[event.pull_request_id].append(EventRow(event.event, event.actor_login, created))
    return reviews, comments, events


def _row(
    pull: PullRequest,
    repository: str,
    reviews: list[ReviewRow],
    comments: list[CommentRow],
    events: list[EventRow],
) -> PullRow:
    created = as_utc(pull.created_at)
    assert created is not None
    return PullRow(
        id=pull.id,
        repository=repository,
        number=pull.number,
        title=pull.title,
        html_url=pull.html_url,
        author_login=pull.author_login,
        author_is_bot=pull.author_is_bot,
        state=pull.state,
        draft=pull.draft,
        created_at=created,
        ready_at=as_utc(pull.ready_at),
        first_commit_at=as_utc(pull.first_commit_at),
        merged_at=as_utc(pull.merged_at),
        closed_at=as_utc(pull.closed_at),
        additions=pull.additions,
        deletions=pull.deletions,
        changed_files=pull.changed_files,
        labels=tuple(pull.labels or ()),
        requested_reviewers=tuple(pull.requested_reviewers or ()),
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
