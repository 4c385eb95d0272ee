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
