"""How a chart's axes and numbers read: whole ticks for counts, week labels that never
crowd, bar labels short enough for a phone, and counts printed as counts.

Plotly picks tick steps from the pixels it has, so a count axis from 0 to 3 gets ticks at
0.5 or 0.2 and a 90-day axis of ISO weeks crowds its labels on a 390-px screen. Charts are
built in Python without knowing the screen, so these rules choose steps and labels that
read at any width from 320 px up.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Sequence
from datetime import date
from math import ceil
from typing import Any

# Units whose values are whole things: their axes tick in whole numbers and their values
# print without decimals ("20 runs", never "20.0 runs").
COUNT_UNITS = frozenset(
    {"reviews", "runs", "flags", "commits", "lines", "days", "PRs", "people", "deployments"}
)
MAX_TICKS = 6  # ticks above zero on a count axis
MAX_WEEK_LABELS = 6  # week labels along an axis: fits 320 px at about 50 px each
WRAP_CHARS = 12  # a category label longer than this wraps (three fit side by side at 390 px)
MIN_PATH_CHARS = 12  # a shortened "repo: path" label keeps at least this much of the path
LABEL_CHARS = 30  # a bar's label beyond this is shortened on the axis (whole in the hover)
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def is_count(unit: str) -> bool:
    return unit in COUNT_UNITS


def number_text(value: float | None, unit: str) -> str:
    """A value with its unit as a summary prints it: counts whole, measures to one decimal."""
    if value is None:
        return "no data"
    shown = f"{value:,.0f}" if is_count(unit) else f"{value:.1f}"
    if shown == "1" and unit.endswith("s"):
        unit = unit[:-1]  # 1 run, 1 PR, 1 day
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {unit}".strip()


def hover_number(axis: str, unit: str) -> str:
    """The Plotly hover text of the value on `axis` ("x" or "y"), formatted as above."""
    spec = ",.0f" if is_count(unit) else ".1f"
    if unit == "%":
        return f"%{{{axis}:{spec}}}%"
    return f"%{{{axis}:{spec}}} {unit}".rstrip()


def _nice_steps() -> Iterator[int]:
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            yield multiple * magnitude
        magnitude *= 10


def count_axis(top: float) -> dict[str, Any]:
    """Axis settings for counts from 0 to `top`: whole-number ticks, at most `MAX_TICKS`."""
    step = next(s for s in _nice_steps() if top / s <= MAX_TICKS)
    return {"tick0": 0, "dtick": step, "tickformat": ",d", "rangemode": "tozero"}


def week_start(label: str) -> date | None:
    """The Monday of an ISO week label ("2026-W47"), or None for any other label."""
    match = ISO_WEEK.match(label)
    if match is None:
        return None
    return date.fromisocalendar(int(match[1]), int(match[2]), 1)


def category_axis(labels: Sequence[str]) -> dict[str, Any]:
    """Axis settings for a category axis: ISO weeks read as the day they start ("16 Nov"),
    at most `MAX_WEEK_LABELS` of them; other long labels wrap onto lines of
    `WRAP_CHARS` ("Waiting for<br>first review"). Labels stay level either way, since
    Plotly's slanted labels need more height than a phone gives them."""
    mondays = [week_start(label) for label in labels]
    if not labels:
        return {}
    if any(day is None for day in mondays):
        if all(len(label) <= WRAP_CHARS for label in labels):
            return {}
        return {
            "tickmode": "array",
            "tickvals": list(labels),
            "ticktext": ["<br>".join(textwrap.wrap(label, WRAP_CHARS)) for label in labels],
            "tickangle": 0,
        }
    step = ceil(len(labels) / MAX_WEEK_LABELS)
    shown = list(range(0, len(labels), step))
    return {
        "tickmode": "array",
        "tickvals": [labels[i] for i in shown],
        "ticktext": [f"{mondays[i]:%d %b}".lstrip("0") for i in shown],
        "tickangle": 0,
    }


def short_label(label: str, limit: int = LABEL_CHARS) -> str:
    """A bar label that fits beside the bar on a phone: the end of a long path, which names
    the file, is kept, and a "repository: path" label keeps the repository's short name."""
    if len(label) <= limit:
        return label
    repo, sep, path = label.rpartition(": ")  # "acme/payments-api: payments/ledger.py"
    if sep:
        repo = repo.rsplit("/", 1)[-1]  # the owner is the same for most bars
        if len(repo) + 2 + len(path) <= limit:
            return f"{repo}: {path}"
        keep = limit - len(repo) - 3
        if keep >= MIN_PATH_CHARS:
            return f"{repo}: …{path[-keep:]}"
    return "…" + label[-(limit - 1) :]


def bar_label_axis(labels: Sequence[str]) -> dict[str, Any]:
    """Axis settings that show shortened labels while the data keeps the whole ones."""
    if all(len(label) <= LABEL_CHARS for label in labels):
        return {}
    return {
        "tickmode": "array",
        "tickvals": list(labels),
        "ticktext": [short_label(label) for label in labels],
    }
