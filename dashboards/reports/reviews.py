"""Pull requests and review flow as `/api/v1/pulls` and `/api/v1/reviews/flow` answer them.

The rows are `dashboards.signals.reviews` dataclasses plus the `flags` beside each PR; these
models only document them (OpenAPI) and check every answer against that document. Every
duration is in hours, and says so in its name: `*_hours` are wall-clock hours,
`*_working_hours` count only the working days of the scope's calendar (docs/metrics.md).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from dashboards.item_flags import FlagsBeside

FLAGS = "Friction flags tied to this PR that the viewer may see"


def _phase(span: str) -> tuple[str, str]:
    """Descriptions of one phase in wall-clock and in working hours."""
    return f"Hours {span}; null until both ends exist", f"Working hours {span}"


CODING = _phase("from the first commit to ready for review")
PICKUP = _phase("from ready for review to the first human review")
REVIEW = _phase("from the first review to the first approval (else the merge)")
MERGE = _phase("from the first approval to the merge")
CYCLE = _phase("from the first commit to the merge")


class PullOut(BaseModel):
    """One PR's review flow: each number next to the timestamps that produce it."""

    id: int
    repository: str = Field(description="OWNER/REPO")
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    state: str = Field(description="open or closed (merged PRs are closed)")
    draft: bool
    created_at: datetime
    first_commit_at: datetime | None
    ready_at: datetime | None = Field(description="Opened ready, or marked ready from a draft")
    first_review_at: datetime | None = Field(description="First review by someone else, no bot")
    first_reviewer: str | None
    first_approval_at: datetime | None
    merged_at: datetime | None
    closed_at: datetime | None
    coding_hours: float | None = Field(description=CODING[0])
    pickup_hours: float | None = Field(description=PICKUP[0])
    review_hours: float | None = Field(description=REVIEW[0])
    merge_hours: float | None = Field(description=MERGE[0])
    cycle_hours: float | None = Field(description=CYCLE[0])
    coding_working_hours: float | None = Field(description=CODING[1])
    pickup_working_hours: float | None = Field(description=PICKUP[1])
    review_working_hours: float | None = Field(description=REVIEW[1])
    merge_working_hours: float | None = Field(description=MERGE[1])
    cycle_working_hours: float | None = Field(description=CYCLE[1])
    additions: int | None = Field(description="Lines added (GitHub's count)")
    deletions: int | None = Field(description="Lines deleted (GitHub's count)")
    changed_files: int | None
    size: int | None = Field(description="Lines changed: additions + deletions")
    changes_requested: int = Field(description="Reviews that requested changes")
    reviewers: list[str] = Field(description="People who reviewed it (no bots, not the author)")
    review_comments: int
    merged_without_approval: bool
    requested_reviewers: list[str]
    labels: list[str]
    force_pushes: int
    reopened: int
    flags: FlagsBeside = Field(description=FLAGS)


class PullsOut(BaseModel):
    """The PRs of one repository the viewer may see, and how many others were held back."""

    repo: str = Field(description="OWNER/REPO")
    pulls: list[PullOut]
    hidden: int = Field(description="PRs by people the viewer may not see (counted, not listed)")


class PhaseOut(BaseModel):
    """Median and 75th percentile of one phase, over the merged PRs that reached it."""

    phase: str = Field(description="coding, pickup, review, merge or cycle")
    count: int = Field(description="PRs that reached this phase")
    median_hours: float | None = Field(description="Median, in hours")
    p75_hours: float | None = Field(description="75th percentile, in hours")
    median_working_hours: float | None = Field(description="Median, in working hours")
    p75_working_hours: float | None = Field(description="75th percentile, in working hours")


class SummaryOut(BaseModel):
    """Phase statistics over the PRs merged in the window, and plain counts."""

    pulls: int
    merged: int
    open: int
    merged_without_approval: int
    phases: list[PhaseOut]
    now: datetime


class WeekFlowOut(BaseModel):
    """One ISO week, by merge date in the scope's time zone."""

    week: str = Field(description="ISO week, e.g. 2026-W09")
    week_start: date = Field(description="Its Monday")
    merged: int
    merged_without_approval: int
    phases: list[PhaseOut]


class ReviewerLoadOut(BaseModel):
    """Reviews one person gave in one week (listed by name, never ranked)."""

    week: str
    week_start: date
    reviewer: str
    reviews: int
    pulls_reviewed: int
    share: float = Field(description="Their share of the group's reviews that week (0 to 1)")


class WaitingPullOut(BaseModel):
    """An open, ready PR waiting on a reviewer, and for how long."""

    repository: str
    number: int
    title: str
    html_url: str | None
    author_login: str | None
    ready_at: datetime
    waiting_since: datetime
    waited_hours: float = Field(description="Hours waited on a reviewer so far")
    waited_working_hours: float = Field(description="The same wait, in working hours")
    reviewed: bool = Field(description="Reviewed before; a new review was requested since")
    requested_reviewers: list[str]
    flags: FlagsBeside = Field(description=FLAGS)


class WaitingOut(BaseModel):
    now: datetime
    unreviewed: list[WaitingPullOut] = Field(description="Ready PRs with no review yet")
    on_reviewer: list[WaitingPullOut] = Field(
        description="Every PR whose author waits on a reviewer, longest wait first"
    )


class FlowHiddenOut(BaseModel):
    """Rows about people the viewer may not see: counted, not listed."""

    reviewer_load: int
    waiting: int


class FlowOut(BaseModel):
    """Review flow of one repository, team or person over some weeks."""

    scope: str = Field(description="What the numbers cover, e.g. `repo OWNER/REPO`")
    since: datetime
    until: datetime
    summary: SummaryOut
    weeks: list[WeekFlowOut]
    reviewer_load: list[ReviewerLoadOut]
    waiting: WaitingOut
    hidden: FlowHiddenOut
