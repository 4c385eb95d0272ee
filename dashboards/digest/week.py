"""ISO weeks as the digest sees them: "2026-W47" ↔ a [start, end) range at local midnight.

A digest covers one whole ISO week in the team's time zone, so a Monday email never mixes
two weeks and a rerun for "2026-W47" always covers the same hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dashboards.signals import weeks

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")
USUAL_WEEKS = 8


@dataclass(frozen=True)
class Week:
    """One ISO week: its label and its bounds (aware datetimes, end excluded)."""

    label: str
    start: datetime
    end: datetime

    @property
    def utc_start(self) -> datetime:
        """The start in UTC: SQLite compares stored UTC wall clocks, so queries use these."""
        return self.start.astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        return self.end.astimezone(UTC)

    def previous(self, count: int = 1) -> Week:
        return week_of(self.start - timedelta(days=7 * count), self.start.tzinfo or UTC)


def week_label(moment: datetime, tz: tzinfo = UTC) -> str:
    """The label of the week holding `moment` in `tz` (`dashboards.signals.weeks`)."""
    return weeks.week_label(moment, tz)


def week_of(moment: datetime, tz: tzinfo = UTC) -> Week:
    """The ISO week that contains `moment` in time zone `tz`."""
    label = week_label(moment, tz)
    start, end = _bounds(label, tz)
    return Week(label, start, end)


def parse_week(week: str, tz: tzinfo = UTC) -> Week:
    start, end = _bounds(week, tz)
    return Week(week_label(start, tz), start, end)


def iso_week(
    week: str | None, now: datetime, tz: tzinfo = UTC, *, allow_current: bool = True
) -> tuple[datetime, datetime]:
    """Bounds of `week` ("2026-W47"), or of the last complete week when `week` is None.

    Raises ValueError with a message fit for a user when the label is malformed, names a week
    that does not exist, has not begun, or (with allow_current=False) has not ended yet.
    """
    chosen = resolve_week(week, now, tz, allow_current=allow_current)
    return chosen.start, chosen.end


def resolve_week(
    week: str | None, now: datetime, tz: tzinfo = UTC, *, allow_current: bool = True
) -> Week:
    """Like `iso_week`, returning the `Week` with its normalised label."""
    if week is None:
        return week_of(now, tz).previous()
    chosen = parse_week(week, tz)
    if chosen.start > now:
        raise ValueError(f"week {chosen.label} has not begun yet")
    if not allow_current and chosen.end > now:
        raise ValueError(f"week {chosen.label} has not ended yet; send it from its Monday on")
    return chosen


def _bounds(week: str, tz: tzinfo) -> tuple[datetime, datetime]:
    match = WEEK_PATTERN.match(week.strip())
    if match is None:
        raise ValueError(f"week must look like 2026-W47, not {week!r}")
    year, number = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        last = date(year, 12, 28).isocalendar()[1]
        raise ValueError(f"{year} has ISO weeks 1 to {last}, not {number}") from None
    start = datetime.combine(monday, time(), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=tz)
    return start, end


def history(week: Week, count: int = USUAL_WEEKS) -> list[Week]:
    """The digest week followed by the `count` weeks before it, newest first."""
    return [week] + [week.previous(n) for n in range(1, count + 1)]
