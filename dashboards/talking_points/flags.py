"""The person's own friction flags: open ones to follow up, answered ones to close the loop."""

from __future__ import annotations

from datetime import datetime

from dashboards.talking_points.evidence import flag_evidence
from dashboards.talking_points.model import FlagItem, PersonSignals, TalkingPoint
from dashboards.talking_points.wording import Voice, capital


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _standing(flag: FlagItem) -> str:
    if flag.status == "acknowledged":
        return f"was acknowledged and has waited for an answer since {_day(flag.created_at)}"
    return f"has been open since {_day(flag.created_at)}"


def friction_flags(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """The oldest unanswered flag (and how many more wait), and the latest answered one.

    Each point links the flag its sentence quotes first, then the ones it counts."""
    points = []
    waiting = sorted(
        (f for f in signals.flags if f.status != "answered"), key=lambda f: (f.created_at, f.id)
    )
    answered = [f for f in signals.flags if f.status == "answered"]
    if waiting:
        oldest, others = waiting[0], waiting[1:]
        verb = "is" if len(others) == 1 else "are"
        more = f" {len(others)} more {verb} waiting for an answer." if others else ""
        text = (
            f"{capital(voice.whose())} flag “{oldest.summary}” "
            f"({oldest.category.replace('_', ' ')}) {_standing(oldest)}.{more} What would help?"
        )
        evidence = [flag_evidence(f) for f in waiting]
        points.append(TalkingPoint("open_flags", text, 1.5 + 0.2 * len(waiting), evidence))
    if answered:
        latest = max(answered, key=lambda f: (f.created_at, f.id))
        text = (
            f"{capital(voice.for_point().whose())} flag “{latest.summary}” was answered. "
            "Did the answer resolve it?"
        )
        points.append(TalkingPoint("answered_flags", text, 1.1, [flag_evidence(latest)]))
    return points
