"""The one week rule: an ISO week ("2026-W47") runs from Monday 00:00 to the next Monday 00:00
in the team's time zone.

Pages, the API, the CLI and the digest all bucket by these functions, so a Berlin team's
review at Monday 00:30 local time (Sunday 23:30 UTC) counts in the same week on the team page,
in `GET /api/v1/ci/health` with `team=` and in the Monday email. Without a team the zone is
`GEMBA_DEFAULT_TIMEZONE`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo


def zone(name: str | tzinfo | None) -> tzinfo:
    """A time zone from its IANA name (None or "UTC": UTC)."""
    if name is None:
        return UTC
    return ZoneInfo(name) if isinstance(name, str) else name


def week_start(moment: datetime, tz: str | tzinfo | None = None) -> date:
    """The Monday of the ISO week that holds `moment` in `tz`."""
    day = moment.astimezone(zone(tz)).date()
    return day - timedelta(days=day.weekday())


def week_label(moment: datetime, tz: str | tzinfo | None = None) -> str:
    """The ISO week ("2026-W47") that holds `moment` in `tz`."""
    year, number, _ = moment.astimezone(zone(tz)).isocalendar()
    return f"{year}-W{number:02d}"


def monday_label(monday: date) -> str:
    """The label of the week that starts on `monday` (a date, already local)."""
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def week_bounds(monday: date, tz: str | tzinfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the week starting on `monday`: local midnights, as aware datetimes."""
    local = zone(tz)
    start = datetime.combine(monday, time(), tzinfo=local)
    return start, datetime.combine(monday + timedelta(days=7), time(), tzinfo=local)


def weeks_between(start: datetime, end: datetime, tz: str | tzinfo | None = None) -> list[str]:
    """Every week label from the week of `start` to the week of `end`, in order."""
    first, last = week_start(start, tz), week_start(end, tz)
    count = (last - first).days // 7 + 1
    return [monday_label(first + timedelta(weeks=n)) for n in range(count)]
