"""Review flow: how long a pull request waits at each step, with the timestamps behind each
number, and the medians per phase and per ISO week of merge.

Pure over typed rows (`dashboards.queries.reviews.PullRow`); missing steps are None, never -1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from dashboards.queries.reviews import (
    PullRow,
    ReviewRow,
)
from dashboards.signals import weeks
from dashboards.signals.reviews.rules import (
    APPROVED,
    CHANGES_REQUESTED,
    PHASES,
    BotRule,
    WorkCalendar,
    hours,
    working_hours,
)
from dashboards.signals.stats import rounded_median, rounded_percentile


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


def human_reviews(row: PullRow, bots: BotRule) -> list[ReviewRow]:
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


def flow_of(
    row: PullRow, *, bots: BotRule, calendar: WorkCalendar, working_phases: bool = True
) -> PullFlow:
    """Compute one PR's flow (see docs/metrics.md `## Review flow`). Without
    `working_phases` the phases in working hours are left None (a reader that counts its own
    spans skips walking the calendar five times per PR)."""
    human = human_reviews(row, bots)
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
    working = working_hours if working_phases else _no_working_hours
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
        coding_working_hours=working(*spans["coding"], calendar),
        pickup_working_hours=working(*spans["pickup"], calendar),
        review_working_hours=working(*spans["review"], calendar),
        merge_working_hours=working(*spans["merge"], calendar),
        cycle_working_hours=working(*spans["cycle"], calendar),
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


def _no_working_hours(_start: object, _end: object, _calendar: object) -> None:
    return None


def flows_from(
    rows: Iterable[PullRow],
    *,
    bots: BotRule,
    calendar: WorkCalendar,
    working_phases: bool = True,
) -> list[PullFlow]:
    """Flows of human-authored PRs (bot-authored PRs are left out entirely)."""
    return [
        flow_of(row, bots=bots, calendar=calendar, working_phases=working_phases)
        for row in rows
        if not bots.is_bot(row.author_login, row.author_is_bot)
    ]


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
    """(label, Monday) of the ISO week holding `moment` in `timezone` (`signals.weeks`)."""
    return weeks.week_label(moment, timezone), weeks.week_start(moment, timezone)


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
