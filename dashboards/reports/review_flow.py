"""Review flow for a scope (a repository, a team or a person), read from the database.

What `GET /api/v1/pulls`, `/api/v1/reviews/flow`, `gemba pulls` and `gemba reviews flow`
report, and what the pages and the digest read: rows from `dashboards.queries.reviews`, numbers
from the pure functions in `dashboards.signals.reviews`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.settings import Settings
from dashboards.queries.reviews import (
    given_reviews,
    pull_rows,
)
from dashboards.signals.reviews.flow import (
    FlowSummary,
    PullFlow,
    WeekFlow,
    flows_from,
    summarise,
    weekly_flow,
)
from dashboards.signals.reviews.load import ReviewerLoad, load_from
from dashboards.signals.reviews.rules import (
    BotRule,
    flow_rules,
)
from dashboards.signals.reviews.waiting import WaitingNow, waiting_from


def pull_flows(
    session: Session,
    *,
    settings: Settings,
    repo: str | None = None,
    authors: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str | None = None,
) -> list[PullFlow]:
    """Flows of PRs alive in [since, until) (created before `until`, not closed before `since`).

    `authors` limits to PRs by those logins (a team's or a person's: `app.core.identities`);
    `timezone` is the team's, for working hours (default: settings.default_timezone).
    """
    rows = pull_rows(session, repo=repo, authors=authors, since=since, until=until)
    return flows_from(rows, **flow_rules(settings, timezone))


def reviewer_load(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    settings: Settings,
    repo: str | None = None,
    reviewers: Collection[str] | None = None,
    timezone: str | None = None,
) -> list[ReviewerLoad]:
    """Reviews given per person per week in [since, until); `reviewers` = a team's logins."""
    rows = given_reviews(session, since=since, until=until, repo=repo, reviewers=reviewers)
    return load_from(
        rows,
        bots=BotRule.from_settings(settings),
        timezone=timezone or settings.default_timezone,
    )


def waiting_now(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    repo: str | None = None,
    authors: Collection[str] | None = None,
    timezone: str | None = None,
) -> WaitingNow:
    """Open ready PRs waiting on a reviewer as of `now`, longest wait first."""
    rows = pull_rows(session, repo=repo, authors=authors, open_only=True)
    return waiting_from(rows, now=now, **flow_rules(settings, timezone))


@dataclass(frozen=True)
class FlowReport:
    """Everything `reviews flow` shows for one scope (repo, team or person) over some weeks."""

    scope: str
    since: datetime
    until: datetime
    summary: FlowSummary
    weeks: tuple[WeekFlow, ...]
    reviewer_load: tuple[ReviewerLoad, ...]
    waiting: WaitingNow


def flow_report(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    weeks: int,
    scope: str,
    repo: str | None = None,
    authors: Collection[str] | None = None,
    timezone: str | None = None,
) -> FlowReport:
    """Phases of PRs merged in the last `weeks` weeks, reviewer load and who waits now.

    For a team or person (`authors` given), reviewer load counts the reviews those people
    gave, wherever they gave them; for a repo, every review given on it.
    """
    since = now - timedelta(weeks=weeks)
    zone = timezone or settings.default_timezone
    flows = pull_flows(
        session,
        settings=settings,
        repo=repo,
        authors=authors,
        since=since,
        until=now,
        timezone=zone,
    )
    merged_recently = [f for f in flows if f.merged_at is not None and f.merged_at >= since]
    return FlowReport(
        scope=scope,
        since=since,
        until=now,
        summary=summarise(flows, now=now),
        weeks=tuple(weekly_flow(merged_recently, timezone=zone)),
        reviewer_load=tuple(
            reviewer_load(
                session,
                since=since,
                until=now,
                settings=settings,
                repo=repo,
                reviewers=authors,
                timezone=zone,
            )
        ),
        waiting=waiting_now(
            session, now=now, settings=settings, repo=repo, authors=authors, timezone=zone
        ),
    )
