"""Chart data as files: formula cells neutralised, tidy numbers, units and names that say
what the file holds."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from dashboards import exports

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_cell_that_starts_a_formula_is_read_as_text(cell: str) -> None:
    text = exports.to_csv(["path", "top_author"], [{"path": cell, "top_author": cell}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"path": "'" + cell, "top_author": "'" + cell}


def test_plain_text_and_our_own_numbers_are_written_as_they_are() -> None:
    rows = [{"path": "src/a-b.py", "delta": -3, "share": -0.5, "name": "Dara = lead"}]
    text = exports.to_csv(["path", "delta", "share", "name"], rows)
    assert text.splitlines() == ["path,delta,share,name", "src/a-b.py,-3,-0.5,Dara = lead"]


def test_a_hostile_column_name_is_neutralised_too() -> None:
    text = exports.to_csv(["=cmd"], [{"=cmd": 1}])
    assert text.splitlines() == ["'=cmd", "1"]


def test_an_empty_chart_is_an_empty_file() -> None:
    assert exports.to_csv([], []) == ""


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("runs", 20.0, 20),
        ("wait_hours", 1.3599999999999999, 1.36),
        ("wait_hours", 149.33333, 149.33),
        ("top_author_share", 0.66666, 0.667),
        ("failure_rate", 0.1363636, 0.136),
        ("runs", 7, 7),
        ("path", "a.py", "a.py"),
        ("done", True, True),
        ("wait_hours", None, None),
        ("wait_hours", float("nan"), None),
    ],
)
def test_numbers_are_tidied(column: str, value: object, expected: object) -> None:
    tidy = exports.tidy_number(column, value)
    assert tidy == expected or (tidy is None and expected is None)
    assert type(tidy) is type(expected)


@pytest.mark.parametrize(
    ("name", "unit", "column"),
    [
        ("This period", "hours", "this_period_hours"),
        ("Their usual", "hours", "their_usual_hours"),
        ("Waiting for a first review", "hours", "waiting_for_a_first_review_hours"),
        ("Failed runs", "runs", "failed_runs"),
        ("Runs", "runs", "runs"),
        ("Failed runs (%)", "", "failed_runs_percent"),
        ("Failed runs (%)", "runs", "failed_runs_percent"),
        ("flaky percent", "exceptions", "flaky_percent_exceptions"),  # a rule's name, counted
        ("first review hours", "exceptions", "first_review_hours_exceptions"),
        ("slow build", "flags", "slow_build_flags"),
        ("Reviews given", "reviews", "reviews_given"),
    ],
)
def test_series_become_columns_with_their_unit(name: str, unit: str, column: str) -> None:
    assert exports.column_name(name, unit) == column


def test_file_names_carry_the_subject_and_the_period() -> None:
    start = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    end = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert (
        exports.file_name("person", ["dara"], "pr_flow", start, end, "csv")
        == "person-dara-pr-flow-2026-11-01_2026-11-30.csv"
    )
    assert (
        exports.file_name("team", ["platform", "acme/shop"], "flags", start, end, "json")
        == "team-platform-acme-shop-flags-2026-11-01_2026-11-30.json"
    )
    assert (
        exports.file_name("team", ["platform", ""], "flags", start, end, "csv")
        == "team-platform-flags-2026-11-01_2026-11-30.csv"
    )
    hostile = exports.file_name("repo", ['a"b\r\n/../é'], "x", start, end, "csv")
    assert hostile == "repo-a-b-x-2026-11-01_2026-11-30.csv"
