"""One unit per quantity, chosen by size: the same wait reads the same everywhere."""

from __future__ import annotations

from dashboards.talking_points.units import count, duration, durations, percent, span, times


def test_hours_under_48_then_days() -> None:
    assert duration(2.04) == "2.0 hours"
    assert duration(47.94) == "47.9 hours"
    assert duration(47.96) == "2.0 days"  # would print as 48.0 hours
    assert duration(48.0) == "2.0 days"
    assert duration(149.3) == "6.2 days"
    assert duration(None) == "n/a"


def test_values_side_by_side_share_the_unit_the_largest_picks() -> None:
    assert durations([42.7, 62.4, None]) == ["1.8 days", "2.6 days", "n/a"]
    assert durations([42.7, 12.0]) == ["42.7 hours", "12.0 hours"]
    assert durations([None]) == ["n/a"]


def test_counts_are_whole_unless_an_average_is_not() -> None:
    assert count(20.0) == "20"
    assert count(1.3599999999999999) == "1.4"
    assert count(5.96) == "6"
    assert count(None) == "n/a"


def test_ratios_and_shares_from_the_numbers_as_shown() -> None:
    assert times(5, 1.38) == "3.6 times"  # 5 / 1.4, not 5 / 1.38 = 3.62... nor 5 / 1
    assert times(27, 6) == "4.5 times"
    assert times(3, 0.04) == ""  # shown as 0: no ratio
    assert percent(27, 48) == "56 %"
    assert percent(1, 0) == ""


def test_spans_of_history() -> None:
    assert [span(d) for d in (1, 9, 14, 35, 42, 62, 90, 270)] == [
        "1 day",
        "9 days",
        "2 weeks",
        "5 weeks",
        "6 weeks",
        "9 weeks",
        "3 months",
        "9 months",
    ]


def test_a_digest_row_reads_in_one_unit() -> None:
    from dashboards.digest.build import format_number, row_values
    from dashboards.digest.data import Metric

    row = Metric("pickup_hours", "Time to first review", "hours", 42.7, None, 62.4)
    assert row_values(row) == ["1.8 days", "n/a", "2.6 days"]  # not "42.7 h / 2.6 days"
    assert row_values(Metric("runs", "CI runs", "runs", 20.0, 18.0, 19.5)) == ["20", "18", "19.5"]
    assert format_number(149.3, "hours") == "6.2 days"
