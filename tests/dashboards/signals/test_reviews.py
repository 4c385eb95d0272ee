"""Review-flow definitions checked one by one on hand-built rows (docs/metrics.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dashboards.queries.reviews import (
    CommentRow,
    EventRow,
    GivenReview,
    PullRow,
    ReviewRow,
)
from dashboards.signals.reviews.flow import flow_of, flows_from, summarise, weekly_flow
from dashboards.signals.reviews.load import load_from
from dashboards.signals.reviews.rules import BotRule, WorkCalendar, working_hours
from dashboards.signals.reviews.waiting import waiting_from
from dashboards.signals.stats import rounded_percentile as percentile

BOTS = BotRule(frozenset({"renovate"}))
UTC_WEEK = WorkCalendar("UTC", frozenset({0, 1, 2, 3, 4}))
MON = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(hours: float) -> datetime:
    return MON + timedelta(hours=hours)


def review(login: str, state: str, hour: float, bot: bool = False) -> ReviewRow:
    return ReviewRow(login, bot, state, at(hour))


def pull(**overrides: object) -> PullRow:
    base = PullRow(
        id=1,
        repository="acme/api",
        number=1,
        title="t",
        html_url=None,
        author_login="ann",
        author_is_bot=False,
        state="closed",
        draft=False,
        created_at=at(2),
        ready_at=at(2),
        first_commit_at=at(0),
        merged_at=at(10),
        closed_at=at(10),
        additions=10,
        deletions=5,
        changed_files=2,
        labels=(),
        requested_reviewers=(),
        reviews=(review("bob", "COMMENTED", 4), review("cid", "APPROVED", 6)),
        comments=(CommentRow("bob", False), CommentRow("ann", False)),
        events=(),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def flow(row: PullRow):  # type: ignore[no-untyped-def]
    return flow_of(row, bots=BOTS, calendar=UTC_WEEK)


def test_each_phase_of_a_plain_pull() -> None:
    f = flow(pull())
    assert (f.first_review_at, f.first_reviewer, f.first_approval_at) == (at(4), "bob", at(6))
    assert (f.coding_hours, f.pickup_hours, f.review_hours, f.merge_hours, f.cycle_hours) == (
        2.0,
        2.0,
        2.0,
        4.0,
        10.0,
    )
    assert f.size == 15 and f.reviewers == ("bob", "cid") and f.review_comments == 1
    assert f.changes_requested == 0 and not f.merged_without_approval


def test_author_reviewing_own_pull_and_bots_do_not_count() -> None:
    f = flow(
        pull(
            reviews=(
                review("ann", "APPROVED", 3),
                review("dependabot[bot]", "APPROVED", 3.5, bot=True),
                review("renovate", "COMMENTED", 3.6),
                review("bob", "CHANGES_REQUESTED", 5),
            )
        )
    )
    assert f.first_review_at == at(5) and f.first_approval_at is None
    assert f.review_hours == 5.0  # no approval: until merge
    assert f.merge_hours is None and f.merged_without_approval
    assert f.changes_requested == 1 and f.reviewers == ("bob",)


def test_reviews_before_ready_are_not_pickup() -> None:
    f = flow(pull(created_at=at(1), ready_at=at(5), reviews=(review("bob", "COMMENTED", 3),)))
    assert f.first_review_at is None and f.pickup_hours is None and f.review_hours is None
    assert f.coding_hours == 5.0


def test_negative_coding_is_zero_and_missing_steps_are_none() -> None:
    f = flow(pull(first_commit_at=at(3), state="open", merged_at=None, closed_at=None, reviews=()))
    assert f.coding_hours == 0.0
    assert (f.pickup_hours, f.review_hours, f.merge_hours, f.cycle_hours) == (None,) * 4


def test_dismissed_review_is_a_review_but_not_an_approval() -> None:
    f = flow(pull(reviews=(review("bob", "DISMISSED", 4),)))
    assert f.first_review_at == at(4) and f.first_approval_at is None
    assert f.merged_without_approval


def test_review_after_merge_is_outside_the_flow() -> None:
    f = flow(pull(reviews=(review("bob", "APPROVED", 12),)))
    assert f.first_review_at is None and f.merged_without_approval


def test_bot_authored_pulls_are_left_out() -> None:
    rows = [pull(), pull(id=2, author_login="renovate"), pull(id=3, author_is_bot=True)]
    assert [f.id for f in flows_from(rows, bots=BOTS, calendar=UTC_WEEK)] == [1]


def test_working_hours_leave_out_the_weekend_in_the_team_time_zone() -> None:
    friday = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)
    monday = datetime(2026, 11, 9, 4, 0, tzinfo=UTC)
    assert working_hours(friday, monday, UTC_WEEK) == 8.0  # 4 h Friday + 4 h Monday
    tokyo = WorkCalendar("Asia/Tokyo", frozenset({0, 1, 2, 3, 4}))
    # Friday 20:00 UTC is Saturday 05:00 in Tokyo; Monday 04:00 UTC is Monday 13:00 there
    assert working_hours(friday, monday, tokyo) == 13.0
    assert working_hours(monday, friday, UTC_WEEK) == 0.0
    # Europe/Berlin leaves summer time on Sunday 2026-10-25: that day lasts 25 hours
    berlin_all_week = WorkCalendar("Europe/Berlin", frozenset(range(7)))
    saturday_noon = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)
    assert (
        working_hours(saturday_noon, saturday_noon + timedelta(hours=48), berlin_all_week) == 48.0
    )
    berlin_weekdays = WorkCalendar("Europe/Berlin", frozenset({0, 1, 2, 3, 4}))
    assert (
        working_hours(saturday_noon, saturday_noon + timedelta(hours=48), berlin_weekdays) == 11.0
    )


def test_percentile_and_summary_use_merged_pulls_only() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.75) == 3.25
    assert percentile([], 0.5) is None
    flows = flows_from(
        [
            pull(),
            pull(id=2, merged_at=at(20), closed_at=at(20)),
            pull(id=3, state="open", merged_at=None, closed_at=None),
        ],
        bots=BOTS,
        calendar=UTC_WEEK,
    )
    summary = summarise(flows, now=at(100))
    cycle = {p.phase: p for p in summary.phases}["cycle"]
    assert (summary.merged, summary.open, cycle.count) == (2, 1, 2)
    assert (cycle.median_hours, cycle.p75_hours) == (15.0, 17.5)
    weeks = weekly_flow(flows)
    assert [(w.week, w.merged) for w in weeks] == [("2026-W45", 2)]


def test_reviewer_load_is_sorted_by_name_with_shares() -> None:
    given = [
        GivenReview("zoe", False, "ann", at(1), 1),
        GivenReview("zoe", False, "ann", at(2), 1),
        GivenReview("Bob", False, "ann", at(3), 2),
        GivenReview("ann", False, "ann", at(3), 2),  # self-review
        GivenReview("ci", True, "ann", at(3), 2),  # bot
    ]
    load = load_from(given, bots=BOTS)
    assert [(r.reviewer, r.reviews, r.pulls_reviewed, r.share) for r in load] == [
        ("Bob", 1, 1, 0.333),
        ("zoe", 2, 1, 0.667),
    ]


@pytest.mark.parametrize(
    ("reviews", "requested", "events", "expected_since"),
    [
        ((), (), (), 2),  # never reviewed: since ready
        ((review("bob", "COMMENTED", 4),), (), (), None),  # reviewed, nobody asked again
        (
            (review("bob", "COMMENTED", 4),),
            ("bob",),
            (EventRow("review_requested", "ann", at(6)),),
            6,
        ),
    ],
)
def test_waiting_now(
    reviews: tuple[ReviewRow, ...],
    requested: tuple[str, ...],
    events: tuple[EventRow, ...],
    expected_since: float | None,
) -> None:
    row = pull(
        state="open",
        merged_at=None,
        closed_at=None,
        reviews=reviews,
        requested_reviewers=requested,
        events=events,
    )
    draft = pull(id=2, number=2, state="open", merged_at=None, closed_at=None, draft=True)
    waiting = waiting_from([row, draft], now=at(12), bots=BOTS, calendar=UTC_WEEK)
    if expected_since is None:
        assert waiting.on_reviewer == ()
        return
    (only,) = waiting.on_reviewer
    assert only.waiting_since == at(expected_since)
    assert only.waited_hours == 12 - expected_since
    assert (len(waiting.unreviewed) == 1) == (not reviews)
