"""What a person's talking points are compared with beyond their own numbers: how much history
their usual rests on, and the reviews each member of their team gave in the same period.

Review load is a pattern, not a few days' blip: in a period shorter than two weeks (a 1:1
held on Friday, read on Wednesday) the person and their team are counted over the last two
weeks instead, and the point says so.

The usual is asked of the three periods before this one (`baseline.USUAL_PERIODS`); where the
person's first PR or review is later, it covers only the time since then, and the talking
points say so ("from the 5 weeks before") or, under one period's length, compare with nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.models import PullRequest, Review
from app.core.models.base import as_utc
from app.core.settings import Settings
from dashboards.pages.baseline import USUAL_PERIODS
from dashboards.periods import Period
from dashboards.queries.reviews import given_reviews
from dashboards.signals.reviews.rules import BotRule
from dashboards.talking_points import History
from dashboards.talking_points.load import TEAM_MIN_PEOPLE


def first_activity(session: Session, logins: set[str]) -> datetime | None:
    """When the person first opened a PR or gave a review, among the data collected."""
    if not logins:
        return None
    opened = session.exec(
        select(func.min(PullRequest.created_at)).where(col(PullRequest.author_login).in_(logins))
    ).one()
    reviewed = session.exec(
        select(func.min(Review.submitted_at)).where(col(Review.reviewer_login).in_(logins))
    ).one()
    moments = [m for m in (as_utc(opened), as_utc(reviewed)) if m is not None]
    return min(moments, default=None)


def usual_history(session: Session, logins: set[str], period: Period) -> History | None:
    """The part of the three periods before this one that the person's data covers."""
    first = first_activity(session, logins)
    if first is None:
        return None
    since = max(first, period.previous(USUAL_PERIODS).start)
    days = max(0.0, (period.start - since).total_seconds() / 86400)
    return History(period_days=period.days, days=days)


def team_reviews_given(
    session: Session, members: Mapping[int, set[str]], period: Period, settings: Settings
) -> list[int]:
    """Reviews each member gave in the period on PRs that are not their own (bots left out),
    one number per member, in one query for the whole team."""
    everyone = set().union(*members.values()) if members else set()
    if not everyone:
        return []
    bots = BotRule.from_settings(settings)
    rows = [
        g
        for g in given_reviews(session, since=period.start, until=period.end, reviewers=everyone)
        if not bots.is_bot(g.reviewer_login, g.reviewer_is_bot)
    ]
    return [
        sum(1 for g in rows if g.reviewer_login in logins and g.author_login not in logins)
        for logins in members.values()
    ]


LOAD_MIN_DAYS = 14  # review load is counted over at least two weeks


@dataclass(frozen=True)
class ReviewLoad:
    """What the review-load rule reads: the person's reviews, their usual, each member's."""

    given: int | None
    usual: float | None
    team: list[int]
    window: str | None = None  # "the last 2 weeks" when counted over more than the period


def review_load(
    session: Session,
    person_id: int,
    members: Mapping[int, set[str]],
    period: Period,
    settings: Settings,
    *,
    given: int | None,
    usual: float | None,
) -> ReviewLoad:
    """The period's counts, or, for a period under two weeks in a team the rule compares with,
    the last two weeks' (the person's usual is then not compared: it was asked of periods of
    another length)."""
    if period.days >= LOAD_MIN_DAYS or person_id not in members or len(members) < TEAM_MIN_PEOPLE:
        return ReviewLoad(given, usual, team_reviews_given(session, members, period, settings))
    window = replace(period, start=period.end - timedelta(days=LOAD_MIN_DAYS), held_at=None)
    counts = dict(zip(members, team_reviews_given(session, members, window, settings), strict=True))
    return ReviewLoad(counts[person_id], None, list(counts.values()), "the last 2 weeks")
