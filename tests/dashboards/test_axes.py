"""Axes that read at any width: whole ticks for counts, week labels that do not crowd."""

from __future__ import annotations

from datetime import date

import pytest

from dashboards import axes


@pytest.mark.parametrize(
    ("top", "step"), [(0, 1), (1, 1), (3, 1), (6, 1), (7, 2), (12, 2), (27, 5), (31, 10)]
)
def test_count_axes_tick_in_whole_numbers(top: float, step: int) -> None:
    axis = axes.count_axis(top)
    assert axis["dtick"] == step and isinstance(axis["dtick"], int)
    assert axis["tick0"] == 0 and axis["tickformat"] == ",d"
    assert top / step <= axes.MAX_TICKS


def test_ninety_days_of_weeks_show_at_most_six_level_labels() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(36, 50)]  # 14 weeks
    axis = axes.category_axis(weeks)
    assert len(axis["tickvals"]) <= axes.MAX_WEEK_LABELS
    assert axis["tickvals"][0] == "2026-W36"
    assert axis["ticktext"][0] == "31 Aug"  # the Monday the week starts
    assert axis["tickangle"] == 0


def test_week_labels_read_as_the_monday_they_start() -> None:
    assert axes.week_start("2026-W47") == date(2026, 11, 16)
    assert axes.week_start("2027-W01") == date(2027, 1, 4)
    assert axes.week_start("Waiting for first review") is None
    assert axes.category_axis(["Build", "Deploy"]) == {}


def test_long_categories_wrap_and_stay_level() -> None:
    axis = axes.category_axis(["Waiting for first review", "In review", "Approved to merge"])
    assert axis["ticktext"] == ["Waiting for<br>first review", "In review", "Approved to<br>merge"]
    assert axis["tickvals"][0] == "Waiting for first review" and axis["tickangle"] == 0


def test_long_bar_labels_keep_the_file_name() -> None:
    label = "acme/shop: src/payments/providers/stripe/webhooks.py"
    short = axes.short_label(label)
    assert len(short) == axes.LABEL_CHARS and short.endswith("stripe/webhooks.py")
    axis = axes.bar_label_axis([label, "a.py"])
    assert axis["tickvals"] == [label, "a.py"] and axis["ticktext"][1] == "a.py"
    assert axes.bar_label_axis(["a.py"]) == {}
    assert axes.short_label("acme/payments-api: payments/ledger.py") == (
        "payments-api: …ments/ledger.py"
    )
    assert axes.short_label("acme/web: src/payments/ledger.py") == "web: src/payments/ledger.py"
    assert axes.short_label("acme/web: src/a.py") == "acme/web: src/a.py"  # short: whole


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (20.0, "runs", "20 runs"),
        (0.0, "flags", "0 flags"),
        (1.0, "PRs", "1 PR"),
        (1234.0, "lines", "1,234 lines"),
        (2.54, "hours", "2.5 hours"),
        (12.5, "%", "12.5%"),
        (None, "hours", "no data"),
    ],
)
def test_summaries_print_counts_as_counts(value: float | None, unit: str, text: str) -> None:
    assert axes.number_text(value, unit) == text
