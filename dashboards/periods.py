"""The period selector shared by every page: since the last 1:1, 2 weeks, 30 days or 90 days.

"Since the last 1:1" is the window a manager cares about five minutes before the next one; it
falls back to two weeks when there is no note yet, so the page is never empty by accident.
It is the person page's default. Team and repository pages show trends, which need more than
two weeks: they default to 30 days. Both defaults live here and nowhere else; a link that has
no period chosen carries none, so every page opens on its own default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.core.models import OneOnOneNote
from app.core.models.base import as_utc

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

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self, count: int = 1) -> Period:
        """The `count` periods of the same length just before this one: the person's usual."""
        length = self.end - self.start
        return Period(self.key, f"{count} periods before", self.start - length * count, self.start)


def last_one_on_one(session: Session, person_id: int) -> datetime | None:
    """When the last 1:1 note or agenda item for this person was written."""
    latest = session.exec(
        select(func.max(OneOnOneNote.created_at)).where(OneOnOneNote.person_id == person_id)
    ).one()
    return as_utc(latest)


def resolve_period(
    session: Session, key: str | None, *, now: datetime, person_id: int | None = None
) -> Period:
    """Turn a `period` query value into dates; unknown values are a clear error. No value is
    the person page's default with a person, the team and repository default without one."""
    key = key or (PERSON_DEFAULT_PERIOD if person_id is not None else GROUP_DEFAULT_PERIOD)
    if key not in PERIOD_LABELS:
        raise UnknownPeriodError(f"period must be one of {', '.join(PERIOD_LABELS)}, not {key!r}")
    if key == "since_1on1":
        last = last_one_on_one(session, person_id) if person_id is not None else None
        start = last if last is not None and last < now else now - timedelta(days=FALLBACK_DAYS)
        label = (
            f"Since the last 1:1 ({start:%d %b})"
            if last is not None
            else "Since the last 1:1 (none yet: 2 weeks)"
        )
        return Period(key, label, start, now)
    return Period(key, PERIOD_LABELS[key], now - timedelta(days=PERIOD_DAYS[key]), now)


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(start: datetime, end: datetime) -> list[str]:
    labels: list[str] = []
    moment = start
    while moment <= end:
        label = iso_week(moment)
        if label not in labels:
            labels.append(label)
        moment += timedelta(days=1)
    if iso_week(end) not in labels:
        labels.append(iso_week(end))
    return labels
