"""How numbers read: one unit per quantity, chosen by its size, the same on pages and in digests.

A wait reads in hours under 48 hours and in days from there ("42.7 hours", "6.2 days"), so the
same wait reads the same in a talking point, a table and a digest row. Values shown side by side
(a digest row: this week, the week before, the usual) share the unit the largest of them picks.
Counts read as whole numbers; an average count keeps one decimal only when it has one. Ratios
are computed from the numbers as shown, so "5 PRs, 3.6 times your usual 1.4" adds up.
"""

from __future__ import annotations

from collections.abc import Sequence

DAYS_FROM_HOURS = 48.0  # "47.5 hours" still reads well; "49 hours" is better said as 2.0 days
NO_VALUE = "n/a"


def _unit(largest_hours: float) -> str:
    return "days" if round(largest_hours, 1) >= DAYS_FROM_HOURS else "hours"


def _in(hours: float, unit: str) -> str:
    return f"{hours / 24:.1f} days" if unit == "days" else f"{hours:.1f} hours"


def duration(hours: float | None) -> str:
    """A wait or a time spent, in hours under 48 and in days from there; "n/a" when unknown."""
    if hours is None:
        return NO_VALUE
    return _in(hours, _unit(abs(hours)))


def durations(values: Sequence[float | None]) -> list[str]:
    """Several values of one quantity shown side by side, all in the unit the largest picks."""
    known = [abs(v) for v in values if v is not None]
    unit = _unit(max(known, default=0.0))
    return [NO_VALUE if v is None else _in(v, unit) for v in values]


def count(value: float | None) -> str:
    """A count as a person says it: "27", or "1.4" for an average that is not whole."""
    if value is None:
        return NO_VALUE
    shown = round(value, 1)
    return f"{shown:.0f}" if shown == int(shown) else f"{shown:.1f}"


def shown(value: float) -> float:
    """The count as `count` prints it, for arithmetic that must agree with the page."""
    return round(value, 1)


def times(value: float, reference: float) -> str:
    """ "4.5 times", from the numbers as shown (`count`), or "" when the reference is zero."""
    base = shown(reference)
    if base <= 0:
        return ""
    return f"{shown(value) / base:.1f} times"


def percent(part: float, whole: float) -> str:
    """ "45 %" of a whole, from whole numbers; "" when the whole is zero."""
    return f"{100 * part / whole:.0f} %" if whole else ""


def span(days: float) -> str:
    """A stretch of history as it is said: "10 days", "6 weeks", "3 months"."""
    if days < 14:
        whole = max(1, round(days))
        return f"{whole} day{'s' if whole != 1 else ''}"
    if days < 63:
        return f"{round(days / 7)} weeks"
    return f"{round(days / 30)} months"
