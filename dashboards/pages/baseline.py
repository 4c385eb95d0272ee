"""The windows pages compare against, and the cache that lets members' pages share them.

A person's page shows their live numbers beside "their usual" (the periods before) and their
team's median; the team side is the same for every member, so it is computed once per team,
whole days and data version and kept here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from dashboards.periods import Period
from dashboards.queries.pages import data_version

T = TypeVar("T")

USUAL_PERIODS = 3  # "their usual": the three periods of the same length before this one


# A team's baseline (its median phases, its median hours on CI) is the same for every member's
# page: it is computed over whole days and cached per team, days and data version, so a page
# pays only for the person's own numbers, which are always live.
_BASELINE_CACHE: dict[tuple[object, ...], object] = {}
_BASELINE_CACHE_SIZE = 512


def day_window(period: Period) -> tuple[datetime, datetime]:
    """The period widened to whole days, so pages opened minutes apart share one cache entry."""
    start = period.start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = period.end.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return start, end


def team_window(period: Period) -> tuple[datetime, datetime]:
    """The team comparison window: the period rounded up to whole weeks, ending tonight.

    Every member's "since the last 1:1" starts on a different day; rounding to weeks lets
    their pages share one team baseline instead of computing one per member.
    """
    _, end = day_window(period)
    weeks = max(1, math.ceil(period.days / 7))
    return end - timedelta(days=7 * weeks), end


def forget_baselines() -> None:
    """Drop every kept baseline (tests reuse a database's ids from one test to the next)."""
    _BASELINE_CACHE.clear()


def cached_baseline(session: Session, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per database, key and data version; a collector's write invalidates it."""
    full_key = (str(session.get_bind().url), *key, data_version(session))
    if full_key in _BASELINE_CACHE:
        return _BASELINE_CACHE[full_key]  # type: ignore[return-value]
    value = compute()
    if len(_BASELINE_CACHE) >= _BASELINE_CACHE_SIZE:
        _BASELINE_CACHE.clear()
    _BASELINE_CACHE[full_key] = value
    return value
