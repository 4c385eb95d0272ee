"""Chart data as files: CSV that spreadsheets cannot run, tidy numbers, and names that say
what the file holds.

Every CSV the product writes goes through `to_csv`, so a repository path or git author name
such as `=HYPERLINK(...)` opens as text, never as a formula (OWASP "CSV Injection": a cell
that starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`). Numbers are
ours, not user input, and are written as they are, negative ones included.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHARE_SUFFIXES = ("_share", "_rate", "strength")  # fractions 0..1: three decimals
DECIMALS = 2  # hours, minutes and other measures
SHARE_DECIMALS = 3


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: strings that start a formula get a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as CSV under a header of `columns`, every text cell neutralised (an empty
    chart, which has no columns, is an empty file)."""
    if not columns:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[safe_cell(c) for c in columns])
    writer.writeheader()
    for row in rows:
        writer.writerow({safe_cell(k): safe_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def tidy_number(column: str, value: Any) -> Any:
    """Whole numbers as integers, fractions to three decimals, other measures to two (so no
    `20.0` runs and no `1.3599999999999999` hours); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if value != value:  # NaN: no value rather than a number nobody can read
        return None
    decimals = SHARE_DECIMALS if column.endswith(SHARE_SUFFIXES) else DECIMALS
    rounded = round(value, decimals)
    return int(rounded) if rounded.is_integer() else rounded


def tidy_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every number of every row through `tidy_number`."""
    return [{k: tidy_number(k, v) for k, v in row.items()} for row in rows]


def column_name(name: str, unit: str) -> str:
    """A series name as a CSV column with its unit: ("This period", "hours") gives
    `this_period_hours`, ("Failed runs", "runs") gives `failed_runs` (the unit is named
    once), and "(%)" becomes `_percent` (its own unit; "percent" as a mere word is not:
    ("flaky percent", "exceptions") gives `flaky_percent_exceptions`)."""
    text = name.lower().replace("(%)", " percent").replace("(count)", " ")
    words = re.findall(r"[a-z0-9]+", text)
    unit_words = re.findall(r"[a-z0-9]+", unit.lower())
    if not set(unit_words) <= set(words) and "(%)" not in name:
        words += unit_words
    return "_".join(words) or "value"


def slug(text: str) -> str:
    """ASCII letters, digits, dots and hyphens only, safe in a header and on any disk."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower() or "data"


def file_name(
    kind: str, subject: Sequence[str], chart: str, start: datetime, end: datetime, ext: str
) -> str:
    """`person-dara-pr-flow-2026-11-01_2026-11-30.csv`: what, whose, and which days."""
    parts = [kind, *subject, chart.replace("_", "-")]
    stem = "-".join(slug(p) for p in parts if p)
    return f"{stem}-{start:%Y-%m-%d}_{end:%Y-%m-%d}.{ext}"


def content_disposition(name: str, *, attachment: bool) -> str:
    """The header that names the file (`name` is already ASCII, from `file_name`)."""
    return f'{"attachment" if attachment else "inline"}; filename="{name}"'
