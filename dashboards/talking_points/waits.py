"""Rules on the person's own PRs: a first review that came unusually late, or has not come."""

from __future__ import annotations

from dashboards.talking_points.evidence import pr_evidence
from dashboards.talking_points.model import PersonSignals, PullWait, TalkingPoint
from dashboards.talking_points.units import duration
from dashboards.talking_points.wording import Voice, and_list, bracket, usual_clause

LONG_PICKUP_MIN_HOURS = 24.0  # a first review within a working day is not worth a 1:1 minute
LONG_PICKUP_RATIO = 2.0  # ... nor one up to twice the larger of their usual and the team median
WAITING_NOW_MIN_HOURS = 24.0
NAMED_AT_MOST = 3  # further PRs are counted ("and 2 more"), still linked


def _others(pulls: list[PullWait]) -> str:
    """ "PR #34 and #17", "PR #34, #17, #40 and 2 more": every PR the links behind it show."""
    names = [f"#{p.number}" for p in pulls[:NAMED_AT_MOST]]
    rest = len(pulls) - len(names)
    if rest:
        names.append(f"{rest} more")
    return "PR " + and_list(names)


def long_pickup(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """The PR that waited longest for a first review, if it waited unusually long: at least a
    day, and over twice the larger of the person's usual and the team's median."""
    usual = signals.usual(signals.own_usual_pickup_hours)
    team = signals.team_median_pickup_hours
    reference = max((v for v in (usual, team) if v), default=None)
    candidates = sorted(
        (
            p
            for p in signals.pulls
            if p.pickup_hours is not None
            and p.pickup_hours >= LONG_PICKUP_MIN_HOURS
            and (reference is None or p.pickup_hours > LONG_PICKUP_RATIO * reference)
        ),
        key=lambda p: (-(p.pickup_hours or 0.0), p.repo, p.number),
    )
    if not candidates:
        return []
    worst, others = candidates[0], candidates[1:]
    assert worst.pickup_hours is not None
    compared = bracket(
        [
            f"team median {duration(team)}" if team is not None else "",
            usual_clause(voice, duration(usual), signals.history) if usual is not None else "",
        ]
    )
    too = f" {_others(others)} waited long too." if others else ""
    text = (
        f"PR #{worst.number} waited {duration(worst.pickup_hours)} for a first review"
        f"{compared}.{too} What got in the way?"
    )
    weight = worst.pickup_hours / (reference or LONG_PICKUP_MIN_HOURS)
    return [TalkingPoint("long_pickup", text, weight, [pr_evidence(p) for p in candidates])]


def waiting_now(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """PRs still waiting for a first review right now, after a day or more: whatever the
    period, what waits now is worth asking about."""
    waiting = sorted(
        (
            p
            for p in signals.pulls
            if p.waiting_now and (p.waited_hours or 0.0) >= WAITING_NOW_MIN_HOURS
        ),
        key=lambda p: (-(p.waited_hours or 0.0), p.repo, p.number),
    )
    if not waiting:
        return []
    first, others = waiting[0], waiting[1:]
    assert first.waited_hours is not None
    team = signals.team_median_pickup_hours
    compared = bracket([f"team median pickup {duration(team)}" if team is not None else ""])
    verb = "is" if len(others) == 1 else "are"
    too = f" {_others(others)} {verb} waiting too." if others else ""
    text = (
        f"PR #{first.number} has been waiting {duration(first.waited_hours)} for a review "
        f"right now{compared}.{too} Who could pick it up?"
    )
    weight = 1.0 + first.waited_hours / (team or 24.0)
    return [TalkingPoint("waiting_now", text, weight, [pr_evidence(p) for p in waiting])]
