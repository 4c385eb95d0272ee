"""What the rules read (a person's signals for one period) and what they write (points).

Pages and the digest fill `PersonSignals` from their own rows; the rules never query. Each
piece of evidence names the PRs, files and workflows it is about (`items`), so the front door
can put beside it the open friction flags tied to them that the reader may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dashboards.item_flags import ItemFlag, ItemRef
from dashboards.signals.agreements import AgreementException
from dashboards.signals.reviews.flow import PullFlow
from dashboards.signals.reviews.waiting import WaitingPull
from dashboards.talking_points.units import span

MIN_HISTORY_DAYS = 7.0  # a usual resting on less than a week of history is no usual


@dataclass(frozen=True)
class Evidence:
    kind: str  # pr, run, file, flag
    label: str
    url: str | None
    items: tuple[ItemRef, ...] = ()  # the PR, file or workflows it is about
    flags: tuple[ItemFlag, ...] = ()  # open flags tied to them, for this reader (with_flags)


@dataclass(frozen=True)
class TalkingPoint:
    rule: str
    text: str
    weight: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class PullWait:
    """One of the person's PRs and how long it waited for its first review."""

    repo: str
    number: int
    title: str
    url: str | None
    pickup_hours: float | None  # None: no review yet
    waiting_now: bool = False  # open, ready, and no review yet
    waited_hours: float | None = None  # for PRs waiting now: hours so far

    @classmethod
    def from_flow(
        cls, flow: PullFlow, unreviewed: Mapping[tuple[str, int], WaitingPull]
    ) -> PullWait:
        """The PR as the person page and the digest list it: waiting now if among `unreviewed`."""
        key = (flow.repository, flow.number)
        waiting = unreviewed.get(key)
        return cls(
            repo=flow.repository,
            number=flow.number,
            title=flow.title,
            url=flow.html_url,
            pickup_hours=flow.pickup_hours,
            waiting_now=key in unreviewed,
            waited_hours=waiting.waited_hours if waiting else None,
        )


@dataclass(frozen=True)
class CiHit:
    """A flaky failure (failed, then passed on the same commit) on one of the person's PRs."""

    repo: str
    run_id: int | None
    workflow: str
    job: str | None
    url: str | None
    pull_number: int | None = None
    workflows: tuple[str, ...] = ()  # when `workflow` labels several (the digest's): each name


@dataclass(frozen=True)
class RiskFile:
    """A file the person changed whose main author has stopped committing (knowledge risk)."""

    repo: str
    path: str
    url: str | None
    main_author: str
    idle_days: int  # days since the main author's last commit anywhere


@dataclass(frozen=True)
class FlagItem:
    id: str  # the flag's random public id
    category: str
    summary: str
    status: str  # open, acknowledged, answered
    created_at: datetime
    answer: str | None
    url: str | None


@dataclass(frozen=True)
class History:
    """How much time before the period the person's usual rests on.

    The usual is asked of the periods before this one (three on the page, eight weeks in the
    digest); where data begins later, it covers less. Under one period's length (and under a
    week) there is too little history, and no rule compares with the usual."""

    period_days: float
    days: float  # days before the period's start the usual covers

    @property
    def enough(self) -> bool:
        return self.days >= max(self.period_days, MIN_HISTORY_DAYS)

    @property
    def covers(self) -> str:
        """ "the 6 weeks before": what the word "usual" stands for."""
        return f"the {span(self.days)} before"


@dataclass
class PersonSignals:
    """Everything the rules look at for one person and one period. None means no data.

    Own-usual fields are per period of the same length (counts) or medians (hours), over
    `history`; without enough history they are not compared with. `team_reviews_given` holds
    reviews given in the period by each member of the person's team, the person included."""

    login: str
    display_name: str
    pulls: list[PullWait] = field(default_factory=list)
    own_usual_pickup_hours: float | None = None
    team_median_pickup_hours: float | None = None
    ci_hits: list[CiHit] = field(default_factory=list)
    own_usual_ci_hits: float | None = None
    ci_wait_hours: float | None = None
    own_usual_ci_wait_hours: float | None = None
    team_median_ci_wait_hours: float | None = None
    reviews_given: int | None = None
    own_usual_reviews_given: float | None = None
    team_reviews_given: list[int] = field(default_factory=list)
    risk_files: list[RiskFile] = field(default_factory=list)
    flags: list[FlagItem] = field(default_factory=list)
    # exceptions to the person's teams' agreements in the period (their PRs and queues)
    agreement_exceptions: list[AgreementException] = field(default_factory=list)
    history: History | None = None
    period_days: float | None = None  # the period's length (None: two weeks or more)
    reviews_window: str | None = None  # "the last 2 weeks": reviews counted beyond the period

    @property
    def has_any_data(self) -> bool:
        return bool(
            self.pulls
            or self.ci_hits
            or self.ci_wait_hours
            or self.reviews_given
            or self.risk_files
            or self.flags
        )

    def usual(self, value: float | None) -> float | None:
        """An own-usual value, or None when the history behind it is too short to compare."""
        return value if self.history is not None and self.history.enough else None
