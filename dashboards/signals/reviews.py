"""Review flow: how long a pull request waits at each step, with the timestamps behind each number.

Public API (used by the API, the CLI, dashboards and the digest):

- `pull_flows(session, *, repo, authors, since, until, settings, timezone)` -> list[PullFlow]
- `flow_summary(flows, *, now)` -> FlowSummary (median and p75 of each phase)
- `weekly_flow(flows, *, timezone)` -> list[WeekFlow] (same numbers per ISO week of merge)
- `reviewer_load(session, *, since, until, settings, repo, reviewers)` -> list[ReviewerLoad]
- `waiting_now(session, *, now, settings, repo, authors)` -> WaitingNow

The pure parts (`flow_of`, `working_hours`, `summarise`, `load_from`, `waiting_from`) take typed
rows and an explicit `now`, so each definition in docs/metrics.md is checked by tests directly.
Missing steps are None, never -1. Nothing here ranks people: reviewer load is ordered by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.core.settings import Settings
from dashboards.queries.reviews import (
    EventRow,
    GivenReview,
    PullRow,
    ReviewRow,
    given_reviews,
    pull_rows,
)
from dashboards.signals.stats import rounded_median, rounded_percentile

PHASES = ("coding", "pickup", "review", "merge", "cycle")
APPROVED = "APPROVED"
CHANGES_REQUESTED = "CHANGES_REQUESTED"


@dataclass(frozen=True)
class BotRule:
    """Who counts as a bot: GitHub's account type, plus a configurable list of logins."""

    logins: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> BotRule:
        return cls(frozenset(_bare(login) for login in settings.bot_logins))

    def is_bot(self, login: str | None, flagged: bool) -> bool:
        return flagged or (login is not None and _bare(login) in self.logins)


def _bare(login: str) -> str:
    return login.lower().removesuffix("[bot]")


@dataclass(frozen=True)
class WorkCalendar:
    """Working days in one time zone; non-working days are left out of `*_working_hours`."""

    timezone: str = "UTC"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    @classmethod
    def from_settings(cls, settings: Settings, timezone: str | None = None) -> WorkCalendar:
        return cls(timezone or settings.default_timezone, frozenset(settings.workdays))


class FlowRules(TypedDict):
    """The two rules every flow needs, as keyword arguments of `flows_from`/`waiting_from`."""

    bots: BotRule
    calendar: WorkCalendar


def flow_rules(settings: Settings, timezone: str | None = None) -> FlowRules:
    """Bots and working calendar from settings, so every loader reads them the same way."""
    return FlowRules(
        bots=BotRule.from_settings(settings),
        calendar=WorkCalendar.from_settings(settings, timezone),
    )


def hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 2)


def working_hours(
    start: datetime | None, end: datetime | None, calendar: WorkCalendar
) -> float | None:
    """Hours between two instants that fall on working days in the calendar's time zone."""
    if start is None or end is None:
        return None
    if end <= start:
        return 0.0
    zone = ZoneInfo(calendar.timezone)
    day: date = start.astimezone(zone).date()
    last: date = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if day.weekday() in calendar.workdays:
            # in UTC, so a 23- or 25-hour day (daylight saving) counts its real length
            day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(
                UTC
            )
            overlap = min(end, day_end) - max(start, day_start)
            total += max(overlap.total_seconds(), 0.0)
        day += timedelta(days=1)
    return round(total / 3600, 2)


@dataclass(frozen=True)
class PullFlow:
    """One PR's review flow: each number next to the timestamps that produce it."""

    id: int
    repository: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    state: str
    draft: bool
    created_at: datetime
    first_commit_at: datetime | None
    ready_at: datetime | None
    first_review_at: datetime | None
    first_reviewer: str | None
    first_approval_at: datetime | None
    merged_at: datetime | None
    closed_at: datetime | None
    coding_hours: float | None
    pickup_hours: float | None
    review_hours: float | None
    merge_hours: float | None
    cycle_hours: float | None
    coding_working_hours: float | None
    pickup_working_hours: float | None
    review_working_hours: float | None
    merge_working_hours: float | None
    cycle_working_hours: float | None
    additions: int | None
    deletions: int | None
    changed_files: int | None
    size: int | None
    changes_requested: int
    reviewers: tuple[str, ...]
    review_comments: int
    merged_without_approval: bool
    requested_reviewers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    force_pushes: int = 0
    reopened: int = 0

    def phase(self, name: str, *, working: bool = False) -> float | None:
        return getattr(self, f"{name}_{'working_hours' if working else 'hours'}")  # type: ignore[no-any-return]


def _human_reviews(row: PullRow, bots: BotRule) -> list[ReviewRow]:
    """Submitted reviews by someone other than the author and not a bot, oldest first."""
    return sorted(
        (
            r
            for r in row.reviews
            if r.submitted_at is not None
            and r.reviewer_login is not None
            and r.reviewer_login != row.author_login
            and not bots.is_bot(r.reviewer_login, r.reviewer_is_bot)
            and r.state != "PENDING"
        ),
        key=lambda r: r.submitted_at,  # type: ignore[arg-type, return-value]
    )


def _window_end(row: PullRow) -> datetime | None:
    """Reviews after the merge (or the final close) are not part of the flow."""
    if row.merged_at is not None:
        return row.merged_at
    return row.closed_at if row.state == "closed" else None


def flow_of(row: PullRow, *, bots: BotRule, calendar: WorkCalendar) -> PullFlow:
    """Compute one PR's flow (see docs/metrics.md `## Review flow`)."""
    human = _human_reviews(row, bots)
    end = _window_end(row)
    ready = row.ready_at
    in_window = [
        r
        for r in human
        if ready is not None
        and r.submitted_at is not None
        and r.submitted_at >= ready
        and (end is None or r.submitted_at <= end)
    ]
    first_review = in_window[0] if in_window else None
    approvals = [r for r in in_window if r.state == APPROVED]
    first_review_at = first_review.submitted_at if first_review else None
    first_approval_at = approvals[0].submitted_at if approvals else None
    coding = hours(row.first_commit_at, ready)
    if coding is not None and coding < 0:
        coding = 0.0
    review_end = first_approval_at or row.merged_at
    cycle = hours(row.first_commit_at, row.merged_at)
    if cycle is not None and cycle < 0:
        cycle = 0.0
    spans = {
        "coding": (row.first_commit_at, ready),
        "pickup": (ready, first_review_at),
        "review": (first_review_at, review_end if first_review_at else None),
        "merge": (first_approval_at, row.merged_at if first_approval_at else None),
        "cycle": (row.first_commit_at, row.merged_at),
    }
    size = None
    if row.additions is not None and row.deletions is not None:
        size = row.additions + row.deletions
    human_comments = [
        c
        for c in row.comments
        if c.author_login != row.author_login and not bots.is_bot(c.author_login, c.author_is_bot)
    ]
    return PullFlow(
        id=row.id,
        repository=row.repository,
        number=row.number,
        title=row.title,
        html_url=row.html_url,
        author_login=row.author_login,
        state=row.state,
        draft=row.draft,
        created_at=row.created_at,
        first_commit_at=row.first_commit_at,
        ready_at=ready,
        first_review_at=first_review_at,
        first_reviewer=first_review.reviewer_login if first_review else None,
        first_approval_at=first_approval_at,
        merged_at=row.merged_at,
        closed_at=row.closed_at,
        coding_hours=coding,
        pickup_hours=hours(*spans["pickup"]),
        review_hours=hours(*spans["review"]),
        merge_hours=hours(*spans["merge"]),
        cycle_hours=cycle,
        coding_working_hours=working_hours(*spans["coding"], calendar),
        pickup_working_hours=working_hours(*spans["pickup"], calendar),
        review_working_hours=working_hours(*spans["review"], calendar),
        merge_working_hours=working_hours(*spans["merge"], calendar),
        cycle_working_hours=working_hours(*spans["cycle"], calendar),
        additions=row.additions,
        deletions=row.deletions,
        changed_files=row.changed_files,
        size=size,
        changes_requested=sum(1 for r in human if r.state == CHANGES_REQUESTED),
        reviewers=tuple(sorted({r.reviewer_login for r in human if r.reviewer_login})),
        review_comments=len(human_comments),
        merged_without_approval=row.merged_at is not None
        and not any(
            r.state == APPROVED and r.submitted_at is not None and r.submitted_at <= row.merged_at
            for r in human
        ),
        requested_reviewers=row.requested_reviewers,
        labels=row.labels,
        force_pushes=sum(1 for e in row.events if e.event == "head_ref_force_pushed"),
        reopened=sum(1 for e in row.events if e.event == "reopened"),
    )


def flows_from(rows: Iterable[PullRow], *, bots: BotRule, calendar: WorkCalendar) -> list[PullFlow]:
    """Flows of human-authored PRs (bot-authored PRs are left out entirely)."""
    return [
        flow_of(row, bots=bots, calendar=calendar)
        for row in rows
        if not bots.is_bot(row.author_login, row.author_is_bot)
    ]


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

    `authors` limits to PRs by those logins (a team's or a person's, see review_queries);
    `timezone` is the team's, for working hours (default: settings.default_timezone).
    """
    rows = pull_rows(session, repo=repo, authors=authors, since=since, until=until)
    return flows_from(rows, **flow_rules(settings, timezone))


@dataclass(frozen=True)
class PhaseStats:
    """Median and 75th percentile of one phase, over the PRs that reached it."""

    phase: str
    count: int
    median_hours: float | None
    p75_hours: float | None
    median_working_hours: float | None
    p75_working_hours: float | None


def phase_stats(flows: Sequence[PullFlow], phase: str) -> PhaseStats:
    values = [v for f in flows if (v := f.phase(phase)) is not None]
    working = [v for f in flows if (v := f.phase(phase, working=True)) is not None]
    return PhaseStats(
        phase=phase,
        count=len(values),
        median_hours=rounded_median(values),
        p75_hours=rounded_percentile(values, 0.75),
        median_working_hours=rounded_median(working),
        p75_working_hours=rounded_percentile(working, 0.75),
    )


@dataclass(frozen=True)
class FlowSummary:
    """Phase statistics over merged PRs, and counts that need no statistics."""

    pulls: int
    merged: int
    open: int
    merged_without_approval: int
    phases: tuple[PhaseStats, ...]
    now: datetime


def summarise(flows: Sequence[PullFlow], *, now: datetime) -> FlowSummary:
    """Phases are measured on merged PRs only, so an open PR never shortens a median."""
    merged = [f for f in flows if f.merged_at is not None and f.merged_at <= now]
    return FlowSummary(
        pulls=len(flows),
        merged=len(merged),
        open=sum(1 for f in flows if f.state == "open"),
        merged_without_approval=sum(1 for f in merged if f.merged_without_approval),
        phases=tuple(phase_stats(merged, phase) for phase in PHASES),
        now=now,
    )


flow_summary = summarise


@dataclass(frozen=True)
class WeekFlow:
    """One ISO week (by merge date in the team's time zone)."""

    week: str
    week_start: date
    merged: int
    merged_without_approval: int
    phases: tuple[PhaseStats, ...]


def week_of(moment: datetime, timezone: str) -> tuple[str, date]:
    local = moment.astimezone(ZoneInfo(timezone)).date()
    iso = local.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", local - timedelta(days=local.weekday())


def weekly_flow(flows: Sequence[PullFlow], *, timezone: str = "UTC") -> list[WeekFlow]:
    """Merged PRs grouped by the week they merged, oldest week first; empty weeks omitted."""
    weeks: dict[tuple[str, date], list[PullFlow]] = defaultdict(list)
    for flow in flows:
        if flow.merged_at is not None:
            weeks[week_of(flow.merged_at, timezone)].append(flow)
    return [
        WeekFlow(
            week=key[0],
            week_start=key[1],
            merged=len(items),
            merged_without_approval=sum(1 for f in items if f.merged_without_approval),
            phases=tuple(phase_stats(items, phase) for phase in PHASES),
        )
        for key, items in sorted(weeks.items(), key=lambda kv: kv[0][1])
    ]


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
        human = [r for r in _human_reviews(row, bots) if r.submitted_at and r.submitted_at <= now]
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
