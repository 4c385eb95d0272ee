"""Order statistics shared by the CI and review-flow signals.

One implementation, so that a p50 of build durations and a p75 of review hours are
computed the same way (and agree with numpy's default, which people check them against).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

Amount = TypeVar("Amount", float, timedelta)


def percentile(values: Sequence[Amount], q: float) -> Amount | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rounded_percentile(values: Sequence[float], q: float, digits: int = 2) -> float | None:
    """`percentile`, rounded for display: hours to two places read as minutes, no more."""
    value = percentile(values, q)
    return None if value is None else round(value, digits)


def rounded_median(values: Sequence[float], digits: int = 2) -> float | None:
    """The median rounded like `rounded_percentile`; None for no values."""
    return round(statistics.median(values), digits) if values else None
