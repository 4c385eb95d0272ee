"""Figure builders: valid Plotly, units in the axis titles, spreads by name and never ranked."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards import figures
from dashboards.figures import Series


def test_grouped_bars_are_valid_plotly_with_units_and_a_summary() -> None:
    figure, summary = figures.grouped_bars(
        ["Waiting for first review", "In review"],
        [Series("This period", [74.4, None]), Series("Their usual", [2.0, 1.5])],
        x_title="Phase",
        y_title="Median hours of waiting",
        unit="hours",
    )
    checked = go.Figure(figure)
    assert checked.layout.yaxis.title.text == "Median hours of waiting"
    assert [trace.marker.color for trace in checked.data] == list(figures.OKABE_ITO[:2])
    assert summary == (
        "This period: Waiting for first review: 74.4 hours; In review: no data. "
        "Their usual: Waiting for first review: 2.0 hours; In review: 1.5 hours."
    )


def test_reviewer_load_spread_is_sorted_by_name_not_by_count() -> None:
    figure, summary = figures.spread(
        [3.0, 27.0, 6.0],
        names=["dara", "Chen", "bruno"],
        x_title="Reviews given (count)",
        unit="reviews",
        name="Reviews given",
    )
    go.Figure(figure)
    assert figure["data"][0]["y"] == ["bruno", "Chen", "dara"]
    assert figure["data"][0]["x"] == [6.0, 27.0, 3.0]
    assert summary.endswith("From 3 to 27 reviews, median 6 reviews.")


def test_anonymous_spread_shows_the_shape_without_names() -> None:
    figure, summary = figures.spread(
        [3.0, 27.0, 6.0], names=None, x_title="Reviews given (count)", unit="reviews", name="x"
    )
    go.Figure(figure)
    assert figure["data"][0]["type"] == "box"
    assert "y" not in figure["data"][0] and "text" not in figure["data"][0]
    assert "3 people" in summary


def test_treemap_colours_by_ownership_share() -> None:
    figure, summary = figures.treemap(
        ["a.py", "b.py"],
        [120.0, 40.0],
        [0.9, 0.3],
        colour_title="Share by main author",
        hover=["", ""],
    )
    go.Figure(figure)
    assert figure["data"][0]["marker"]["colors"] == [0.9, 0.3]
    assert summary.startswith("Files by size of change: a.py (120 lines, 90% share")


def test_a_legend_names_only_what_is_drawn() -> None:
    figure, summary = figures.grouped_bars(
        ["Waiting for first review", "In review"],
        [Series("This period", [3.0, 1.0]), Series("Their usual", [None, None])],
        x_title="Phase",
        y_title="Median hours of waiting",
        unit="hours",
    )
    go.Figure(figure)
    assert [trace["name"] for trace in figure["data"]] == ["This period"]
    assert "Their usual:" not in summary and "Nothing to show for Their usual." in summary


def test_a_phase_nobody_spent_time_in_is_not_drawn_as_zero() -> None:
    figure, summary = figures.grouped_bars(
        ["Waiting for first review", "In review", "Approved to merge"],
        [Series("This period", [3.0, 0.0, 1.0]), Series("Their usual", [2.0, None, 0.5])],
        x_title="Phase",
        y_title="Median hours of waiting",
        unit="hours",
        keep_empty_labels=False,
    )
    assert figure["data"][0]["x"] == ["Waiting for first review", "Approved to merge"]
    assert "In review" not in summary


def test_count_charts_have_whole_ticks_and_whole_numbers() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(36, 50)]
    figure, summary = figures.stacked_bars(
        weeks,
        [Series("Runs", [20.0] + [1.0] * 13), Series("Failed runs", [2.0] + [0.0] * 13)],
        x_title="Week starting",
        y_title="Workflow runs (count)",
        unit="runs",
    )
    go.Figure(figure)
    yaxis = figure["layout"]["yaxis"]
    assert yaxis["dtick"] == 5 and yaxis["tickformat"] == ",d"  # stack of 22: 0, 5, ... 25
    assert len(figure["layout"]["xaxis"]["tickvals"]) <= 6
    assert "2026-W36: 20 runs" in summary and "20.0" not in summary
    assert "%{y:,.0f} runs" in figure["data"][0]["hovertemplate"]


def test_hours_keep_their_decimal() -> None:
    figure, _ = figures.lines(
        ["2026-W47"], [Series("x", [2.25])], x_title="", y_title="Hours", unit="hours"
    )
    assert "dtick" not in figure["layout"]["yaxis"]
    assert "%{y:.1f} hours" in figure["data"][0]["hovertemplate"]


def test_bars_of_nothing_draw_nothing() -> None:
    figure, _ = figures.horizontal_bars(
        ["a.py", "b.py"], [0.0, 0.0], x_title="Lines changed", unit="lines", name="Lines"
    )
    assert figure["data"] == []


def test_two_measures_get_two_axes() -> None:
    figure, summary = figures.bars_on_two_axes(
        ["build", "deploy"],
        Series("Failed runs (%)", [12.5, 0.0]),
        Series("Flaky runs", [3.0, 1.0]),
        x_title="Workflow",
        units=("%", "runs"),
        titles=("Failed runs (%)", "Flaky runs (count)"),
    )
    checked = go.Figure(figure)
    assert [trace.yaxis for trace in checked.data] == ["y", "y2"]
    assert figure["layout"]["yaxis2"]["dtick"] == 1
    assert summary.startswith("Failed runs (%): build: 12.5%; deploy: 0.0%.")
    assert "Flaky runs: build: 3 runs; deploy: 1 run." in summary
