"""Who waits on a reviewer right now: ready PRs with no review yet, or re-requested since."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from dashboards.queries.reviews import (
    EventRow,
    PullRow,
)
from dashboards.signals.reviews.flow import human_reviews
from dashboards.signals.reviews.rules import (
    BotRule,
    WorkCalendar,
    hours,
    working_hours,
)


@dataclass(frozen=True)
class WaitingPull:
    """An open, ready PR waiting on a reviewer, and for how long."""

    repository: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    ready_at: datetime
    waiting_since: datetime
    waited_hours: float
    waited_working_hours: float
    reviewed: bool
    requested_reviewers: tuple[str, ...]


@dataclass(frozen=True)
class WaitingNow:
    """`unreviewed`: ready PRs with no review yet; `on_reviewer`: every PR whose author waits
    on a reviewer (no review yet, or a review re-requested since the last one), longest first."""

    now: datetime
    unreviewed: tuple[WaitingPull, ...] = field(default=())
    on_reviewer: tuple[WaitingPull, ...] = field(default=())


def _last_request(events: Iterable[EventRow]) -> datetime | None:
    times = [e.created_at for e in events if e.event == "review_requested"]
    return max(times) if times else None


def waiting_from(
    rows: Iterable[PullRow], *, now: datetime, bots: BotRule, calendar: WorkCalendar
) -> WaitingNow:
    """Who is waiting right now (see docs/metrics.md)."""
    waiting: list[WaitingPull] = []
    for row in rows:
        if row.state != "open" or row.draft or row.ready_at is None or row.ready_at > now:
            continue
        if bots.is_bot(row.author_login, row.author_is_bot):
            continue
        human = [r for r in human_reviews(row, bots) if r.submitted_at and r.submitted_at <= now]
        since: datetime | None
        if not human:
            since = row.ready_at
        else:
            last_review = human[-1].submitted_at
            requested = _last_request(e for e in row.events if e.created_at <= now)
            rerequested = (
                requested is not None and last_review is not None and requested > last_review
            )
            since = requested if row.requested_reviewers and rerequested else None
        if since is None:
            continue
        waited = hours(since, now) or 0.0
        waiting.append(
            WaitingPull(
                repository=row.repository,
                number=row.number,
                title=row.title,
                html_url=row.html_url,
                author_login=row.author_login,
                ready_at=row.ready_at,
                waiting_since=since,
                waited_hours=waited,
                waited_working_hours=working_hours(since, now, calendar) or 0.0,
                reviewed=bool(human),
                requested_reviewers=row.requested_reviewers,
            )
        )
    waiting.sort(key=lambda w: (w.waiting_since, w.repository, w.number))
    return WaitingNow(
        now=now,
        unreviewed=tuple(w for w in waiting if not w.reviewed),
        on_reviewer=tuple(waiting),
    )
