"""Weekly series: the shape every trend chart on a page draws, one value per ISO week."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Weekly:
    """Values per ISO week label ("2026-W47"), one list per named series."""

    weeks: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)


def week_counts(weeks: list[str], counts: dict[str, float]) -> list[float | None]:
    """Counts along the weeks, 0 for a week with none (a quiet week is not missing data)."""
    return [counts.get(week, 0.0) for week in weeks]
