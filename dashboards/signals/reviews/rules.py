"""Who counts and which hours count in review flow: bots, working hours, the phases.

A bot is an account GitHub marks `type: Bot` or a login in `GEMBA_BOT_LOGINS`; working hours
are the team's weekdays in its time zone (docs/metrics.md, "Review flow").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from app.core.settings import Settings

PHASES = ("coding", "pickup", "review", "merge", "cycle")


APPROVED = "APPROVED"


CHANGES_REQUESTED = "CHANGES_REQUESTED"


@dataclass(frozen=True)
class BotRule:
    """Who counts as a bot: GitHub's account type, plus a configurable list of logins."""

    logins: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> BotRule:
        return cls(frozenset(_bare(login) for login in settings.bot_logins))

    def is_bot(self, login: str | None, flagged: bool) -> bool:
        return flagged or (login is not None and _bare(login) in self.logins)


def _bare(login: str) -> str:
    return login.lower().removesuffix("[bot]")


@dataclass(frozen=True)
class WorkCalendar:
    """Working days in one time zone; non-working days are left out of `*_working_hours`."""

    timezone: str = "UTC"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    @classmethod
    def from_settings(cls, settings: Settings, timezone: str | None = None) -> WorkCalendar:
        return cls(timezone or settings.default_timezone, frozenset(settings.workdays))


class FlowRules(TypedDict):
    """The two rules every flow needs, as keyword arguments of `flows_from`/`waiting_from`."""

    bots: BotRule
    calendar: WorkCalendar


def flow_rules(settings: Settings, timezone: str | None = None) -> FlowRules:
    """Bots and working calendar from settings, so every loader reads them the same way."""
    return FlowRules(
        bots=BotRule.from_settings(settings),
        calendar=WorkCalendar.from_settings(settings, timezone),
    )


def hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 2)


def working_hours(
    start: datetime | None, end: datetime | None, calendar: WorkCalendar
) -> float | None:
    """Hours between two instants that fall on working days in the calendar's time zone."""
    if start is None or end is None:
        return None
    if end <= start:
        return 0.0
    zone = ZoneInfo(calendar.timezone)
    day: date = start.astimezone(zone).date()
    last: date = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if day.weekday() in calendar.workdays:
            # in UTC, so a 23- or 25-hour day (daylight saving) counts its real length
            day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(
                UTC
            )
            overlap = min(end, day_end) - max(start, day_start)
            total += max(overlap.total_seconds(), 0.0)
        day += timedelta(days=1)
    return round(total / 3600, 2)
