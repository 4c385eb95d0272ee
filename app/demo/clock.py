"""Working-hours arithmetic for planning the demo: people work weekdays, nine to six local."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY_START = 9
DAY_END = 18


def local_time(day: date, hour: float, offset_hours: int) -> datetime:
    """A local wall-clock time on `day`, as a UTC datetime."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight + timedelta(hours=hour - offset_hours)


def is_workday(day: date) -> bool:
    return day.weekday() < 5


def add_work_hours(start: datetime, hours: float, offset_hours: int) -> datetime:
    """`start` plus `hours` of working time (weekends and nights skipped), in UTC."""
    shift = timedelta(hours=offset_hours)
    local = start + shift
    remaining = timedelta(hours=hours)
    for _ in range(400):
        day = local.date()
        opens = datetime(day.year, day.month, day.day, DAY_START, tzinfo=UTC)
        closes = datetime(day.year, day.month, day.day, DAY_END, tzinfo=UTC)
        if not is_workday(day) or local >= closes:
            local = opens + timedelta(days=1)
            continue
        local = max(local, opens)
        if local + remaining <= closes:
            return local + remaining - shift
        remaining -= closes - local
        local = opens + timedelta(days=1)
    return local - shift
