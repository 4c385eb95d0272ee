"""Review flow as the pages show it: a person's PRs and reviews, a team's trend and waits.

The one place the pages call `dashboards.signals.reviews`; it returns None when there are no
pull requests, and the page shows an empty state naming the command that collects them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from app.core.settings import Settings
from dashboards.pages.baseline import (
    USUAL_PERIODS,
    cached_baseline,
    day_window,
    team_window,
)
from dashboards.pages.weekly import Weekly, week_counts
from dashboards.periods import Period, iso_week, weeks_between
from dashboards.queries.reviews import GivenReview, given_reviews
from dashboards.reports.review_flow import pull_flows, reviewer_load, waiting_now
from dashboards.signals.reviews.flow import FlowSummary, PullFlow, summarise, weekly_flow
from dashboards.signals.reviews.rules import BotRule
from dashboards.signals.reviews.waiting import WaitingPull as ReviewerWait
from dashboards.talking_points import PullWait


@dataclass
class Phases:
    """Median hours per review-flow phase; None where there is no data."""

    pickup: float | None = None
    review: float | None = None
    merge: float | None = None


@dataclass
class WaitingPull:
    repo: str
    number: int
    title: str
    url: str | None
    author: str | None
    waiting_for: str
    waited_hours: float


@dataclass
class PersonReviews:
    pulls: list[PullWait]
    phases: Phases
    usual: Phases
    team: Phases
    reviews_given: int
    usual_reviews_given: float | None
    reviews_weekly: Weekly


@dataclass
class TeamReviews:
    trend: Weekly  # pickup, review, merge median hours per week
    waiting: list[WaitingPull]
    load: dict[str, int]  # reviews given per member login in the period
    waiting_hours: Weekly  # hours PRs waited for reviews, per week
    median_pickup_hours: float | None


def _phases(summary: FlowSummary) -> Phases:
    medians = {p.phase: p.median_hours for p in summary.phases}
    return Phases(medians.get("pickup"), medians.get("review"), medians.get("merge"))


def _in_period(flow: PullFlow, period: Period) -> bool:
    moments = (flow.ready_at or flow.created_at, flow.first_review_at, flow.merged_at)
    return any(m is not None and period.start <= m < period.end for m in moments)


def _per_period(earlier: list[GivenReview], period: Period) -> float | None:
    """Reviews per period of this length, over the time since their first earlier review.

    Someone who started reviewing six weeks ago is compared with those six weeks, not with
    three empty months.
    """
    if not earlier:
        return None
    covered = (period.start - min(g.submitted_at for g in earlier)).total_seconds() / 86400
    return round(len(earlier) * period.days / max(covered, period.days), 1)


def team_phases(
    session: Session, *, team_logins: set[str], period: Period, settings: Settings
) -> Phases:
    """Median hours of each phase over the team's PRs in the period's weeks."""
    start, end = team_window(period)

    def compute() -> Phases:
        flows = pull_flows(session, settings=settings, authors=team_logins, since=start, until=end)
        window = Period(period.key, period.label, start, end)
        return _phases(summarise([f for f in flows if _in_period(f, window)], now=end))

    return cached_baseline(session, ("phases", frozenset(team_logins), start, end), compute)


def person_reviews(
    session: Session,
    *,
    logins: set[str],
    team_logins: set[str],
    period: Period,
    now: datetime,
    settings: Settings,
    timezone: str | None = None,
) -> PersonReviews | None:
    """Their PRs' flow against their own usual and the team's median, and reviews they gave
    (per week in `timezone`, their team's)."""
    usual_window = period.previous(USUAL_PERIODS)
    flows = pull_flows(
        session, settings=settings, authors=logins, since=usual_window.start, until=now
    )
    given = [
        g
        for g in given_reviews(session, since=usual_window.start, until=now, reviewers=logins)
        if g.author_login not in logins
        and not BotRule.from_settings(settings).is_bot(g.reviewer_login, g.reviewer_is_bot)
    ]
    waiting = {
        (w.repository, w.number): w
        for w in waiting_now(session, now=now, settings=settings, authors=logins).unreviewed
    }
    if not flows and not given and not waiting:
        return None
    now_flows = [f for f in flows if _in_period(f, period)]
    before = [f for f in flows if not _in_period(f, period) and f.created_at < period.start]
    pulls = [
        PullWait.from_flow(f, waiting)
        for f in sorted(now_flows, key=lambda f: f.created_at, reverse=True)
    ]
    pulls = _still_waiting(waiting, pulls) + pulls
    in_period = [g for g in given if g.submitted_at >= period.start]
    earlier = [g for g in given if g.submitted_at < period.start]
    weeks = weeks_between(period.start, period.end, timezone)
    counts: dict[str, float] = {}
    for g in in_period:
        week = iso_week(g.submitted_at, timezone)
        counts[week] = counts.get(week, 0.0) + 1
    return PersonReviews(
        pulls=pulls,
        phases=_phases(summarise(now_flows, now=now)),
        usual=_phases(summarise(before, now=now)),
        team=team_phases(session, team_logins=team_logins, period=period, settings=settings),
        reviews_given=len(in_period),
        usual_reviews_given=_per_period(earlier, period),
        reviews_weekly=Weekly(weeks, {"Reviews given": week_counts(weeks, counts)}),
    )


def _still_waiting(
    waiting: dict[tuple[str, int], ReviewerWait], shown: list[PullWait]
) -> list[PullWait]:
    """PRs waiting for a first review right now that the period would leave out: what waits
    now matters whenever the period starts (a 1:1 yesterday must not hide a 6-day wait)."""
    listed = {(p.repo, p.number) for p in shown}
    return [
        PullWait(
            repo=w.repository,
            number=w.number,
            title=w.title,
            url=w.html_url,
            pickup_hours=None,
            waiting_now=True,
            waited_hours=w.waited_hours,
        )
        for key, w in sorted(waiting.items(), key=lambda item: -item[1].waited_hours)
        if key not in listed
    ]


def team_reviews(
    session: Session,
    *,
    team_logins: set[str] | None,
    repository: str | None,
    period: Period,
    now: datetime,
    settings: Settings,
    timezone: str | None = None,
) -> TeamReviews | None:
    """Weekly medians of each phase, what waits now, and how reviews were spread (weeks in
    `timezone`, the team's).

    The history is a team baseline (cached per days and data version); what waits now is live.
    """
    authors = team_logins if team_logins is not None else None
    start, end = day_window(period)
    key = (
        "team_reviews",
        frozenset(authors) if authors is not None else None,
        repository,
        timezone,
    )

    def compute() -> TeamReviews | None:
        return _team_review_history(
            session,
            authors=authors,
            repository=repository,
            period=period,
            settings=settings,
            timezone=timezone,
        )

    history = cached_baseline(session, (*key, start, end), compute)
    waiting = waiting_now(session, now=now, settings=settings, repo=repository, authors=authors)
    if history is None and not waiting.on_reviewer:
        return None
    if history is None:
        history = TeamReviews(Weekly(), [], {}, Weekly(), None)
    return replace(
        history,
        waiting=[
            WaitingPull(
                repo=w.repository,
                number=w.number,
                title=w.title,
                url=w.html_url,
                author=w.author_login,
                waiting_for="a re-review" if w.reviewed else "a first review",
                waited_hours=w.waited_hours,
            )
            for w in waiting.on_reviewer
        ],
    )


def _team_review_history(
    session: Session,
    *,
    authors: set[str] | None,
    repository: str | None,
    period: Period,
    settings: Settings,
    timezone: str | None,
) -> TeamReviews | None:
    start, end = day_window(period)
    flows = pull_flows(
        session, settings=settings, repo=repository, authors=authors, since=start, until=end
    )
    load = reviewer_load(
        session,
        since=start,
        until=end,
        settings=settings,
        repo=repository,
        reviewers=authors,
        timezone=timezone or "UTC",
    )
    if not flows and not load:
        return None
    weekly = weekly_flow(flows, timezone=timezone or "UTC")
    medians = {
        name: [next(p.median_hours for p in w.phases if p.phase == key) for w in weekly]
        for name, key in (
            ("Waiting for first review", "pickup"),
            ("In review", "review"),
            ("Approved to merge", "merge"),
        )
    }
    waited: dict[str, float] = {}
    for flow in flows:
        if flow.first_review_at is not None and flow.pickup_hours is not None:
            week = iso_week(flow.first_review_at, timezone)
            waited[week] = waited.get(week, 0.0) + flow.pickup_hours
    all_weeks = weeks_between(period.start, period.end, timezone)
    per_person: dict[str, int] = {}
    for row in load:
        per_person[row.reviewer] = per_person.get(row.reviewer, 0) + row.reviews
    return TeamReviews(
        trend=Weekly([w.week for w in weekly], medians),
        waiting=[],
        load=per_person,
        waiting_hours=Weekly(
            all_weeks, {"Waiting for a first review": week_counts(all_weeks, waited)}
        ),
        median_pickup_hours=_phases(summarise(flows, now=end)).pickup,
    )
