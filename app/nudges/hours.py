"""When a person may be nudged: working days and hours (GEMBA_WORKWEEK, GEMBA_NUDGES_WORKING_HOURS,
09:00 to 17:00 unless set) in the team's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

NINE_TO_FIVE = (time(9), time(17))


def next_working_time(
    now: datetime,
    timezone: str,
    workdays: frozenset[int],
    hours: tuple[time, time] = NINE_TO_FIVE,
) -> datetime:
    """`now` when it falls in working hours, else the start of the next working hour (UTC-aware)."""
    start, end = hours
    local = now.astimezone(ZoneInfo(timezone))
    for _ in range(8):
        if local.weekday() in workdays and local.time() < end:
            opens = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
            return max(local, opens).astimezone(now.tzinfo)
        local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raise ValueError("no working day in the week")


def local_day(now: datetime, timezone: str) -> str:
    """The recipient's date, for the daily cap."""
    return now.astimezone(ZoneInfo(timezone)).date().isoformat()
