"""Openings for a director's 1:1 with each manager: what changed in their team's flow, what waits
now, what CI and crossings with other teams cost, each with the evidence behind it.

The rules read one team's numbers (`TeamSignals`, filled by the organisation page and the
digest) and never query. Like the person rules, a rule that finds nothing unusual says
nothing, and every point is about the team, never about a person in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboards.item_flags import ItemRef
from dashboards.talking_points.model import Evidence, TalkingPoint
from dashboards.talking_points.units import duration
from dashboards.talking_points.wording import and_list

SLOWER_RATIO = 1.5  # a phase this much slower than the team's usual is worth a question
SLOWER_MIN_HOURS = 4.0  # ... when it is at least half a working day
WAITING_MIN_HOURS = 24.0
FLAKY_MIN_HOURS = 4.0
CROSSING_MIN_HOURS = 24.0
MAX_POINTS = 4
PHASE_WORDS = {"pickup": "first review", "review": "review", "merge": "approval to merge"}


@dataclass(frozen=True)
class Waiting:
    repo: str
    number: int
    url: str | None
    hours: float


@dataclass(frozen=True)
class Crossing:
    """The team's PRs waiting on reviews from another team."""

    other_team: str
    pulls: int
    median_pickup_hours: float | None
    waiting_now: int


@dataclass
class TeamSignals:
    """One team's numbers for one period, as the rules read them. None means no data."""

    team: str
    url: str  # the team's own page, where each number is drawn
    phases: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    waiting: list[Waiting] = field(default_factory=list)
    flaky_wait_hours: float = 0.0
    flaky_rate: float | None = None
    exceptions: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(
        default_factory=dict
    )  # named and (k >= 3) anonymous, per category
    crossings: list[Crossing] = field(default_factory=list)


def _page(signals: TeamSignals, anchor: str, label: str) -> Evidence:
    return Evidence("chart", label, f"{signals.url}#{anchor}")


def slower_phase(signals: TeamSignals) -> list[TalkingPoint]:
    points = []
    for phase, (now, usual) in signals.phases.items():
        if now is None or usual is None or now < SLOWER_MIN_HOURS:
            continue
        if now <= SLOWER_RATIO * max(usual, 0.1):
            continue
        words = PHASE_WORDS.get(phase, phase)
        text = (
            f"In {signals.team}, the wait for {words} took a median of {duration(now)}, "
            f"against its usual {duration(usual)}. What changed?"
        )
        evidence = _page(signals, "chart-review_flow", f"{signals.team}: review flow by week")
        points.append(TalkingPoint("org_slower_phase", text, now / max(usual, 0.1), [evidence]))
    return points


def waiting_now(signals: TeamSignals) -> list[TalkingPoint]:
    long = sorted(
        (w for w in signals.waiting if w.hours >= WAITING_MIN_HOURS),
        key=lambda w: (-w.hours, w.repo, w.number),
    )
    if not long:
        return []
    names = and_list(
        [f"{w.repo}#{w.number}" for w in long[:3]]
        + ([f"{len(long) - 3} more"] if len(long) > 3 else [])
    )
    text = (
        f"{len(long)} of {signals.team}'s PRs wait on a reviewer for a day or more right now, "
        f"the longest for {duration(long[0].hours)} ({names}). What would unblock them?"
    )
    evidence = [
        Evidence("pr", f"{w.repo}#{w.number}", w.url, (ItemRef("pull", w.repo, w.number),))
        for w in long
    ]
    return [TalkingPoint("org_waiting_now", text, 1.0 + long[0].hours / 24.0, evidence)]


def flaky_builds(signals: TeamSignals) -> list[TalkingPoint]:
    if signals.flaky_wait_hours < FLAKY_MIN_HOURS:
        return []
    rate = f" ({signals.flaky_rate:.0%} of builds were flaky)" if signals.flaky_rate else ""
    text = (
        f"{signals.team} waited {duration(signals.flaky_wait_hours)} on builds that failed and "
        f"then passed on the same commit{rate}. Who owns fixing them?"
    )
    evidence = _page(signals, "chart-flaky_jobs", f"{signals.team}: top flaky jobs")
    weight = signals.flaky_wait_hours / FLAKY_MIN_HOURS
    return [TalkingPoint("org_flaky", text, weight, [evidence])]


def agreement_exceptions(signals: TeamSignals) -> list[TalkingPoint]:
    total = sum(signals.exceptions.values())
    if not total:
        return []
    rules = and_list([f"{n} {rule.replace('_', ' ')}" for rule, n in signals.exceptions.items()])
    text = (
        f"{signals.team} went past its own agreements {total} time{'s' if total != 1 else ''} "
        f"({rules}). Do the targets still fit?"
    )
    evidence = _page(signals, "agreements", f"{signals.team}: agreements and exceptions")
    return [TalkingPoint("org_agreements", text, 1.0 + total / 5, [evidence])]


def crossings(signals: TeamSignals) -> list[TalkingPoint]:
    points = []
    for crossing in signals.crossings:
        median = crossing.median_pickup_hours
        if (median or 0.0) < CROSSING_MIN_HOURS and not crossing.waiting_now:
            continue
        parts = []
        if median is not None:
            parts.append(f"{crossing.pulls} PRs waited a median of {duration(median)} for it")
        if crossing.waiting_now:
            parts.append(f"{crossing.waiting_now} wait for it now")
        text = (
            f"{signals.team} waits on reviews from {crossing.other_team}: "
            f"{' and '.join(parts)}. Is there a way to need fewer, or agree on them?"
        )
        evidence = Evidence("chart", "Reviews across teams", "#chart-cross_team")
        weight = (median or 0.0) / CROSSING_MIN_HOURS + crossing.waiting_now
        points.append(TalkingPoint("org_crossing", text, weight, [evidence]))
    return points


def flags_raised(signals: TeamSignals) -> list[TalkingPoint]:
    total = sum(signals.flags.values())
    if not total:
        return []
    kinds = and_list([f"{n} {c.replace('_', ' ')}" for c, n in signals.flags.items()])
    text = f"{signals.team} raised friction flags about {kinds}. Which one is answered next?"
    evidence = _page(signals, "chart-flags", f"{signals.team}: friction flags by category")
    return [TalkingPoint("org_flags", text, 1.0 + total / 5, [evidence])]


RULES = (slower_phase, waiting_now, flaky_builds, agreement_exceptions, crossings, flags_raised)


def team_points(signals: TeamSignals, *, limit: int = MAX_POINTS) -> list[TalkingPoint]:
    """Every rule's points for one team, most unusual first, at most `limit`."""
    points = [point for rule in RULES for point in rule(signals)]
    return sorted(points, key=lambda p: (-p.weight, p.rule))[:limit]
