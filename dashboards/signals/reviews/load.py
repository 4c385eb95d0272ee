"""Reviewer load: reviews given per person per week. Ordered by name; nothing here ranks people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dashboards.queries.reviews import (
    GivenReview,
)
from dashboards.signals.reviews.flow import week_of
from dashboards.signals.reviews.rules import (
    BotRule,
)


@dataclass(frozen=True)
class ReviewerLoad:
    """Reviews one person gave in one week and their share of the group's reviews that week."""

    week: str
    week_start: date
    reviewer: str
    reviews: int
    pulls_reviewed: int
    share: float


def load_from(
    reviews: Iterable[GivenReview], *, bots: BotRule, timezone: str = "UTC"
) -> list[ReviewerLoad]:
    """Per week and reviewer, sorted by week then name (never by count: this is not a ranking).

    Self-reviews and bots are left out; `share` is of all counted reviews in that week.
    """
    counts: dict[tuple[str, date], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for review in reviews:
        if review.reviewer_login == review.author_login:
            continue
        if bots.is_bot(review.reviewer_login, review.reviewer_is_bot):
            continue
        key = week_of(review.submitted_at, timezone)
        counts[key][review.reviewer_login].append(review.pull_request_id)
    result = []
    for key in sorted(counts, key=lambda k: k[1]):
        total = sum(len(ids) for ids in counts[key].values())
        for reviewer in sorted(counts[key], key=str.lower):
            ids = counts[key][reviewer]
            result.append(
                ReviewerLoad(
                    week=key[0],
                    week_start=key[1],
                    reviewer=reviewer,
                    reviews=len(ids),
                    pulls_reviewed=len(set(ids)),
                    share=round(len(ids) / total, 3),
                )
            )
    return result
