"""What a weekly digest holds, as plain dataclasses: the templates and the tests read these.

Every number says where it came from by its key; a section whose signal is not collected yet
is named in `missing` instead of being shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Literal

from dashboards.digest.agreements import TeamAgreementsWeek
from dashboards.digest.delivery_line import DeliveryLine
from dashboards.digest.org import OrgLine
from dashboards.item_flags import ItemFlag, ItemRef


@dataclass(frozen=True)
class Metric:
    """One team number for the week, the week before and the usual (median of 8 weeks)."""

    key: str
    label: str
    unit: str  # "hours", "PRs", "%", "flags"
    this_week: float | None
    last_week: float | None
    usual: float | None
    lower_is_better: bool = True

    @property
    def change(self) -> str:
        """ "better", "worse" or "same" against the usual; "" when either side is missing."""
        if self.this_week is None or self.usual is None:
            return ""
        if abs(self.this_week - self.usual) <= max(abs(self.usual) * 0.1, 0.05):
            return "same"
        lower = self.this_week < self.usual
        return "better" if lower == self.lower_is_better else "worse"

    @property
    def versus_usual(self) -> str:
        """ "above usual" / "below usual", or "" when about the same or unknown."""
        if self.change in ("", "same"):
            return ""
        assert self.this_week is not None and self.usual is not None
        return "above usual" if self.this_week > self.usual else "below usual"


def metric_from_weeks(
    key: str, label: str, unit: str, weekly: list[float | None], *, lower_is_better: bool = True
) -> Metric:
    """`weekly[0]` is the digest week, `weekly[1:]` the weeks before it, newest first."""
    before = [v for v in weekly[1:] if v is not None]
    return Metric(
        key=key,
        label=label,
        unit=unit,
        this_week=weekly[0] if weekly else None,
        last_week=weekly[1] if len(weekly) > 1 else None,
        usual=round(median(before), 2) if before else None,
        lower_is_better=lower_is_better,
    )


@dataclass(frozen=True)
class OpenFlags:
    """Open friction flags beside one digest line, those the recipient may see (app.flags.rules'
    rules): named flags listed, anonymous ones only counted, as the digest counts them
    elsewhere, so no line of an email can point at who raised one."""

    named: tuple[ItemFlag, ...] = ()
    anonymous: int = 0

    @classmethod
    def of(cls, flags: tuple[ItemFlag, ...]) -> OpenFlags:
        return cls(
            named=tuple(f for f in flags if not f.anonymous),
            anonymous=sum(1 for f in flags if f.anonymous),
        )

    def __bool__(self) -> bool:
        return bool(self.named or self.anonymous)

    @property
    def line(self) -> str:
        """One line for the email: 'Open flags: “Tests time out” (flaky build, by bob); 1
        anonymous flag'."""
        parts = [
            f"“{f.summary}” ({f.category.replace('_', ' ')}"
            + (f", by {f.author})" if f.author else ")")
            for f in self.named
        ]
        if self.anonymous:
            parts.append(f"{self.anonymous} anonymous flag{'s' if self.anonymous != 1 else ''}")
        return "Open flags: " + "; ".join(parts)


@dataclass(frozen=True)
class WaitingPR:
    repo: str
    number: int
    title: str
    url: str | None
    author_login: str | None
    waiting_hours: float
    flags: OpenFlags = field(default_factory=OpenFlags)


@dataclass(frozen=True)
class TalkingPoint:
    """The top talking point for one report's next 1:1, with its evidence."""

    login: str
    name: str
    text: str
    evidence_url: str | None
    page_url: str
    items: tuple[ItemRef, ...] = ()  # the PRs, files and workflows its evidence is about
    flags: OpenFlags = field(default_factory=OpenFlags)


@dataclass(frozen=True)
class FileNote:
    """A hotspot or knowledge-risk file and why it is listed."""

    repo: str
    path: str
    reason: str
    url: str | None
    flags: OpenFlags = field(default_factory=OpenFlags)


@dataclass(frozen=True)
class FlagNote:
    summary: str
    category: str
    status: str
    answer: str | None
    answered_at: datetime | None
    url: str | None = None  # the flag's page, with every answer


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class DigestData:
    """Everything one recipient's email says about one ISO week."""

    kind: Literal["manager", "developer"]
    recipient_id: int
    recipient_login: str
    recipient_name: str
    recipient_email: str | None
    week: str
    start: datetime
    end: datetime
    teams: list[str] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    waiting_now: list[WaitingPR] = field(default_factory=list)
    talking_points: list[TalkingPoint] = field(default_factory=list)
    hotspots: list[FileNote] = field(default_factory=list)
    knowledge_risk: list[FileNote] = field(default_factory=list)
    flags_open_now: int | None = None
    review_requests: list[WaitingPR] = field(default_factory=list)
    own_waiting: list[WaitingPR] = field(default_factory=list)
    flag_answers: list[FlagNote] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    agreements: list[TeamAgreementsWeek] = field(default_factory=list)  # the week's exceptions
    delivery: list[DeliveryLine] = field(default_factory=list)  # each team's four keys
    org: list[OrgLine] = field(default_factory=list)  # for a director: each team below them
    unsubscribe_url: str | None = None

    @property
    def quiet(self) -> bool:
        """Nothing happened and nothing waits: the email says so in two lines."""
        busy_metric = any(m.this_week not in (None, 0) for m in self.metrics)
        busy_metric = busy_metric or any(line.deployments for line in self.delivery)
        lists = (
            self.waiting_now,
            self.talking_points,
            self.hotspots,
            self.knowledge_risk,
            self.review_requests,
            self.own_waiting,
            self.flag_answers,
            self.agreements,
            self.org,
        )
        return not busy_metric and not any(lists) and not self.flags_open_now

    @property
    def subject(self) -> str:
        who = ", ".join(self.teams) if self.kind == "manager" and self.teams else "your week"
        quiet = " (a quiet week)" if self.quiet else ""
        return f"Gemba Walk {self.week}: {who}{quiet}"

    @property
    def last_day(self) -> datetime:
        """Sunday, the last day the week covers (`end` is the next Monday, excluded)."""
        return self.end - timedelta(days=1)

    def metric(self, key: str) -> Metric | None:
        return next((m for m in self.metrics if m.key == key), None)
