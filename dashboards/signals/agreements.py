"""Exceptions to a team's working agreements: the items that passed the team's own line.

Pure functions over review flows and CI attempt rows, with an explicit `now`. An exception is
about an item and a situation (a PR that waited, a workflow that got slow, a queue that grew),
never a ranking of people. Each one is dated at the moment it passed the line (`at`), so a
window [since, until) holds the exceptions that happened in it, and a backtest of a target
over the last 30 days counts exactly what a later check over the same window finds.
See docs/metrics.md "Working agreements".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from app.core.agreements import RULES
from dashboards.queries.ci_rows import CiAttempt
from dashboards.signals.ci.flaky import workflow_flaky_rate
from dashboards.signals.ci.outcomes import attempt_duration
from dashboards.signals.reviews.flow import PullFlow
from dashboards.signals.reviews.rules import WorkCalendar, hours, working_hours
from dashboards.signals.stats import percentile

CI_WINDOW = timedelta(days=7)
_CREATED = attrgetter("created_at")
MAX_WALK_DAYS = 3660  # a limit of years of working hours still ends


@dataclass(frozen=True)
class Targets:
    """A team's agreements as the rules read them."""

    limits: Mapping[str, float | bool]
    working_hours: bool = False
    exclude_labels: frozenset[str] = frozenset()

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Targets:
        limits = {name: value for name, value in stored.items() if name in RULES}
        return cls(
            limits=limits,
            working_hours=bool(stored.get("working_hours", False)),
            exclude_labels=frozenset(stored.get("exclude_labels") or ()),
        )

    def with_limits(self, overrides: Mapping[str, float | bool | None]) -> Targets:
        """The same targets with some changed (None removes one): what a backtest tries."""
        limits = {**self.limits, **overrides}
        return replace(self, limits={k: v for k, v in limits.items() if v is not None})

    def only(self, names: set[str]) -> Targets:
        return replace(self, limits={k: v for k, v in self.limits.items() if k in names})


@dataclass(frozen=True)
class AgreementException:
    rule: str
    limit: float | bool
    value: float | None  # in the rule's unit (None for a yes/no rule)
    unit: str
    item: str  # what it is about: acme/api#12, acme/api:CI, @login
    at: datetime
    repo: str | None = None
    pull_number: int | None = None
    title: str | None = None
    workflow: str | None = None
    person: str | None = None  # the PR's author, or the person whose queue it is
    url: str | None = None
    ongoing: bool = False  # still past the line now (a PR still waiting)
    expected: bool = False
    expected_reason: str | None = None


def passes_at(
    start: datetime, limit_hours: float, calendar: WorkCalendar | None
) -> datetime | None:
    """The moment `limit_hours` have gone by since `start` (working hours with a calendar)."""
    if calendar is None:
        return start + timedelta(hours=limit_hours)
    zone = ZoneInfo(calendar.timezone)
    left = timedelta(hours=limit_hours)
    day = start.astimezone(zone).date()
    for _ in range(MAX_WALK_DAYS):
        day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        if day.weekday() in calendar.workdays:
            begin = max(start, day_start)
            span = day_end - begin
            if span > timedelta(0) and left <= span:
                return begin + left
            left -= max(span, timedelta(0))
        day += timedelta(days=1)
    return None


def _excluded(flow: PullFlow, targets: Targets) -> bool:
    return bool(targets.exclude_labels & set(flow.labels))


def _span_hours(start: datetime, end: datetime, calendar: WorkCalendar | None) -> float | None:
    return working_hours(start, end, calendar) if calendar else hours(start, end)


def _pull(rule: str, flow: PullFlow, limit: float | bool, **fields: Any) -> AgreementException:
    return AgreementException(
        rule=rule,
        limit=limit,
        unit=RULES[rule].unit,
        item=f"{flow.repository}#{flow.number}",
        repo=flow.repository,
        pull_number=flow.number,
        title=flow.title,
        person=flow.author_login,
        url=flow.html_url,
        **fields,
    )


def _waited(
    rule: str,
    flow: PullFlow,
    limit: float,
    start: datetime | None,
    end: datetime | None,
    still_open: bool,
    calendar: WorkCalendar | None,
    now: datetime,
) -> AgreementException | None:
    """A wait from `start` to `end` (or to now while it goes on) past `limit` hours."""
    if start is None:
        return None
    ongoing = end is None and still_open
    if end is None and not ongoing:
        return None
    value = _span_hours(start, end or now, calendar)
    if value is None or value <= limit:
        return None
    at = passes_at(start, limit, calendar)
    if at is None:
        return None
    return _pull(rule, flow, limit, value=value, at=at, ongoing=ongoing)


def pull_exceptions(
    flows: Iterable[PullFlow], targets: Targets, calendar: WorkCalendar, now: datetime
) -> list[AgreementException]:
    """Every PR rule the targets set, over these (human-authored) PRs, up to `now`."""
    limits = targets.limits
    working = calendar if targets.working_hours else None
    found: list[AgreementException | None] = []
    for flow in (f for f in flows if not _excluded(f, targets)):
        is_open = flow.state == "open" and flow.closed_at is None and flow.merged_at is None
        started = flow.ready_at or (None if flow.draft else flow.created_at)
        if (limit := limits.get("first_review_hours")) is not None and not flow.draft:
            first = (flow.ready_at, flow.first_review_at)
            found.append(
                _waited("first_review_hours", flow, float(limit), *first, is_open, working, now)
            )
        if (limit := limits.get("review_hours")) is not None:
            review = (flow.first_review_at, flow.first_approval_at or flow.merged_at)
            found.append(
                _waited("review_hours", flow, float(limit), *review, is_open, working, now)
            )
        size_limit = limits.get("pr_size_lines")
        if size_limit is not None and started and flow.size and flow.size > size_limit:
            found.append(_pull("pr_size_lines", flow, size_limit, value=flow.size, at=started))
        if (limit := limits.get("open_days")) is not None and started and not flow.draft:
            end = flow.merged_at or flow.closed_at or now
            days = (end - started).total_seconds() / 86400
            if days > float(limit):  # unrounded: four days and a minute is past four days
                at = started + timedelta(days=float(limit))
                found.append(
                    _pull("open_days", flow, limit, value=round(days, 3), at=at, ongoing=is_open)
                )
        if limits.get("merge_without_review") and flow.merged_without_approval:
            assert flow.merged_at is not None
            found.append(_pull("merge_without_review", flow, True, value=None, at=flow.merged_at))
    return [e for e in found if e is not None and e.at <= now]


def queue_exceptions(
    open_flows: Iterable[PullFlow],
    members: Mapping[str, str],
    targets: Targets,
    now: datetime,
) -> list[AgreementException]:
    """The rules about queues right now: review requests waiting on one member, open PRs.

    `members` maps each login of the team's members to the person's login. Only a queue past
    the team's line is reported, as that person's situation; nothing compares people.
    """
    pending: Counter[str] = Counter()
    wip: Counter[str] = Counter()
    for flow in open_flows:
        if flow.draft or _excluded(flow, targets):
            continue
        for reviewer in flow.requested_reviewers:
            if reviewer.lower() in members:
                pending[members[reviewer.lower()]] += 1
        author = (flow.author_login or "").lower()
        if author in members:
            wip[members[author]] += 1
    found = []
    for rule, counts in (("pending_reviews_per_person", pending), ("wip_prs_per_person", wip)):
        limit = targets.limits.get(rule)
        if limit is None:
            continue
        for person, count in sorted(counts.items()):
            if count > float(limit):
                found.append(
                    AgreementException(
                        rule=rule,
                        limit=limit,
                        value=count,
                        unit="count",
                        item=f"@{person}",
                        at=now,
                        person=person,
                        ongoing=True,
                    )
                )
    return found


def evaluation_points(since: datetime, until: datetime, now: datetime) -> list[datetime]:
    """When the 7-day CI rules are read in a window: at its end, then every 7 days back."""
    point = min(until, now)
    points = []
    while point > since:
        points.append(point)
        point -= CI_WINDOW
    return points


def ci_span(since: datetime, until: datetime, now: datetime) -> tuple[datetime, datetime] | None:
    """The creation times [start, end) the CI rules read for a window: the 7 days before each
    of its evaluation points, and nothing else (None: no point falls in the window)."""
    points = evaluation_points(since, until, now)
    return (points[-1] - CI_WINDOW, points[0]) if points else None


def ci_exceptions(
    attempts: Sequence[CiAttempt],
    targets: Targets,
    since: datetime,
    until: datetime,
    now: datetime,
) -> list[AgreementException]:
    """Workflows whose p90 duration or flaky rate over the 7 days before each point passed
    the line (`attempts` must cover `ci_span`, in order of creation or not). The flaky rate is
    the one `gemba ci flaky` gives: over workflow groups, which need no job rows."""
    p90_limit = targets.limits.get("ci_p90_minutes")
    flaky_limit = targets.limits.get("flaky_percent")
    points = evaluation_points(since, until, now)
    if (p90_limit is None and flaky_limit is None) or not points:
        return []
    # Each attempt lies in at most one 7-day window [point - 7 days, point): the one k weeks
    # back, where k + 1 is its age at the first point in whole weeks, rounded up.
    weeks: dict[tuple[int, str, str], list[CiAttempt]] = defaultdict(list)
    for attempt in attempts:
        age = points[0] - attempt.created_at
        k = -(-age // CI_WINDOW) - 1
        if 0 <= k < len(points):
            weeks[(k, attempt.repo, attempt.workflow)].append(attempt)
    found = []
    for (k, repo, workflow), recent in sorted(weeks.items()):
        recent.sort(key=_CREATED)  # stable: the order within a moment is kept
        point = points[k]
        item = f"{repo}:{workflow}:{point.date().isoformat()}"
        common = {"item": item, "at": point, "repo": repo, "workflow": workflow}
        if p90_limit is not None:
            minutes = [d.total_seconds() / 60 for a in recent if (d := attempt_duration(a))]
            p90 = percentile(minutes, 0.9)
            if p90 is not None and round(p90, 2) > float(p90_limit):
                found.append(
                    AgreementException(
                        rule="ci_p90_minutes",
                        limit=p90_limit,
                        value=round(p90, 2),
                        unit="minutes",
                        url=recent[-1].html_url,
                        **common,
                    )
                )
        if flaky_limit is not None:
            rate, url = workflow_flaky_rate(recent)  # over workflow groups
            if rate is not None and round(rate * 100, 2) > float(flaky_limit):
                found.append(
                    AgreementException(
                        rule="flaky_percent",
                        limit=flaky_limit,
                        value=round(rate * 100, 2),
                        unit="percent",
                        url=url,
                        **common,
                    )
                )
    return found


def in_window(
    found: Iterable[AgreementException], since: datetime, until: datetime, now: datetime
) -> list[AgreementException]:
    """The exceptions dated in [since, until), oldest first; a window that ends now also
    holds the queues as they are now."""
    return sorted(
        (e for e in found if since <= e.at and (e.at < until or e.at == now <= until)),
        key=lambda e: (e.at, e.rule, e.item),
    )


def mark_expected(
    found: Iterable[AgreementException], expected: Mapping[tuple[str, str], str]
) -> list[AgreementException]:
    """Exceptions the team marked expected keep their place but say so (and why)."""
    return [
        replace(e, expected=True, expected_reason=expected[(e.rule, e.item)])
        if (e.rule, e.item) in expected
        else e
        for e in found
    ]


def counted(found: Iterable[AgreementException]) -> Counter[str]:
    """Exceptions per rule, leaving out the expected ones."""
    return Counter(e.rule for e in found if not e.expected)
