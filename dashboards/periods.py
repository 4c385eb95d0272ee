"""The period selector shared by every page: since the last 1:1, 2 weeks, 30 days or 90 days.

"Since the last 1:1" is the window a manager cares about five minutes before the next one. It
starts when the manager last marked a 1:1 held (`app.core.one_on_ones`); notes and agenda items
never move it. It falls back to two weeks when no 1:1 is marked yet, so the page is never
empty by accident.
It is the person page's default. Team and repository pages show trends, which need more than
two weeks: they default to 30 days. Both defaults live here and nowhere else; a link that has
no period chosen carries none, so every page opens on its own default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app.core.models import Team, TeamMember
from app.core.one_on_ones import last_held
from dashboards.signals import weeks

PERSON_DEFAULT_PERIOD = "since_1on1"
GROUP_DEFAULT_PERIOD = "30d"  # team and repository pages: trends need more than two weeks
FALLBACK_DAYS = 14
PERIOD_DAYS = {"2w": 14, "30d": 30, "90d": 90}
PERIOD_LABELS = {
    "since_1on1": "Since the last 1:1",
    "2w": "2 weeks",
    "30d": "30 days",
    "90d": "90 days",
}
GROUP_PERIODS = tuple(PERIOD_DAYS)  # "since the last 1:1" is about one person
DEFAULTS_LABEL = (
    f"Each page's default ({PERIOD_LABELS[PERSON_DEFAULT_PERIOD].lower()} for people, "
    f"{PERIOD_LABELS[GROUP_DEFAULT_PERIOD]} for teams and repositories)"
)


class UnknownPeriodError(ValueError):
    """The `period` query parameter is not one of PERIOD_LABELS."""


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: datetime
    end: datetime
    held_at: datetime | None = None  # since the last 1:1: when it was held (None: none yet)

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def since(self) -> str:
        """The period as the end of a sentence: "since 09:00 today", "in the last 30 days"."""
        if self.held_at is None:
            days = round(self.days)
            return "in the last 2 weeks" if days == FALLBACK_DAYS else f"in the last {days} days"
        if self.held_at.date() == self.end.date():
            return f"since {self.held_at:%H:%M} today"
        return f"since the 1:1 on {self.held_at:%d %b}"

    def previous(self, count: int = 1) -> Period:
        """The `count` periods of the same length just before this one: the person's usual."""
        length = self.end - self.start
        return Period(self.key, f"{count} periods before", self.start - length * count, self.start)


def resolve_period(
    session: Session, key: str | None, *, now: datetime, person_id: int | None = None
) -> Period:
    """Turn a `period` query value into dates; unknown values are a clear error. No value is
    the person page's default with a person, the team and repository default without one."""
    key = key or (PERSON_DEFAULT_PERIOD if person_id is not None else GROUP_DEFAULT_PERIOD)
    if key not in PERIOD_LABELS:
        raise UnknownPeriodError(f"period must be one of {', '.join(PERIOD_LABELS)}, not {key!r}")
    if key == "since_1on1":
        last = last_held(session, person_id, until=now) if person_id is not None else None
        if last is None:
            start = now - timedelta(days=FALLBACK_DAYS)
            return Period(key, "Since the last 1:1 (none yet: 2 weeks)", start, now)
        return Period(key, f"Since the last 1:1 ({_held_label(last, now)})", last, now, last)
    return Period(key, PERIOD_LABELS[key], now - timedelta(days=PERIOD_DAYS[key]), now)


def longer_period(period: Period) -> str | None:
    """The next longer fixed period ("see the last 2 weeks"), or None after 90 days."""
    return next((k for k, days in PERIOD_DAYS.items() if days > period.days + 1e-6), None)


def _held_label(held_at: datetime, now: datetime) -> str:
    return f"today {held_at:%H:%M}" if held_at.date() == now.date() else f"{held_at:%d %b}"


def iso_week(moment: datetime, timezone: str | None = None) -> str:
    """The week label of `moment` in `timezone` (`dashboards.signals.weeks`, the one rule)."""
    return weeks.week_label(moment, timezone)


def weeks_between(start: datetime, end: datetime, timezone: str | None = None) -> list[str]:
    """The week labels a period spans, in `timezone` (the team's; UTC when None)."""
    return weeks.weeks_between(start, end, timezone)


def timezone_of(session: Session, person_id: int, default: str) -> str:
    """The time zone of the first team a person runs, else belongs to, else `default`: the
    zone their pages and their digest count weeks in."""
    managed = session.exec(
        select(Team.timezone).where(Team.manager_id == person_id).order_by(col(Team.id))
    ).first()
    member = session.exec(
        select(Team.timezone)
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .where(TeamMember.person_id == person_id)
        .order_by(col(Team.id))
    ).first()
    for name in (managed, member, default):
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"
