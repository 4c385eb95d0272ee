"""A page's charts: each with its data links and screen-reader summary, or an empty state
that names the command which collects the data; and the charts more than one page shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards import exports, figures
from dashboards.figures import Series
from dashboards.pages.commands import COLLECT_GIT, COLLECT_GITHUB
from dashboards.pages.hotspots import Hotspots
from dashboards.pages.parts import with_query
from dashboards.pages.weekly import Weekly

KNOWLEDGE_RISK_SHARE = 0.8  # one author made at least this share of a file's recent changes

Built = tuple[dict[str, Any], str]  # a `dashboards.figures` figure and its summary


@dataclass
class Chart:
    """One chart with its screen-reader summary and its data, or an empty state."""

    key: str
    title: str
    summary: str
    figure: dict[str, Any] | None
    columns: list[str]
    rows: list[dict[str, Any]]
    csv_url: str
    json_url: str
    empty: str | None = None


class PageCharts:
    """Makes one page's charts: each serves its data as CSV and JSON under the page's data
    path, with the page's query (period, repository), so the data is the chart's own."""

    def __init__(self, data_path: str, query: dict[str, str | None]) -> None:
        self.data_path = data_path
        self.query = query

    def empty(self, key: str, title: str, message: str) -> Chart:
        """The empty state: the message (which names the command that collects the data)
        stands in for the figure and its summary."""
        return Chart(key, title, message, None, [], [], *self._data_urls(key), message)

    def drawn(
        self,
        key: str,
        title: str,
        built: Built | None,
        rows: list[dict[str, Any]],
        empty: str,
    ) -> Chart:
        """The chart `built` by a `dashboards.figures` builder, with `rows` as its data (numbers
        tidied as `dashboards.exports` says); the empty state when either is missing or when
        nothing in the figure is above zero (an all-zero chart on a -1..1 axis says less
        than a sentence)."""
        if built is None or not rows or is_blank(built[0]):
            return self.empty(key, title, empty)
        figure, summary = built
        tidy = exports.tidy_rows(rows)
        return Chart(key, title, summary, figure, list(tidy[0]), tidy, *self._data_urls(key))

    def weekly(
        self,
        key: str,
        title: str,
        weekly: Weekly | None,
        *,
        empty: str,
        draw: Callable[..., Built],
        y_title: str,
        unit: str,
    ) -> Chart:
        """Weekly series along ISO weeks, drawn as `draw` says (`figures.lines`,
        `grouped_bars` or `stacked_bars`); the empty state when no week has a value."""
        if weekly is None or not has_values(weekly):
            return self.empty(key, title, empty)
        series = [Series(name, values) for name, values in weekly.series.items()]
        built = draw(weekly.weeks, series, x_title="Week starting", y_title=y_title, unit=unit)
        rows = series_rows("week", weekly.weeks, series, unit)
        return self.drawn(key, title, built, rows, empty)

    def _data_urls(self, key: str) -> tuple[str, str]:
        base = f"{self.data_path}/{key}"
        return with_query(base + ".csv", **self.query), with_query(base + ".json", **self.query)


def series_rows(
    column: str, labels: Sequence[str], series: Sequence[Series], unit: str
) -> list[dict[str, Any]]:
    """A chart's data as rows: one per label (`column` names it), one column per series,
    named with its unit (`this_period_hours`, `failed_runs`)."""
    names = [exports.column_name(one.name, unit) for one in series]
    return [
        {column: label, **{name: one.values[i] for name, one in zip(names, series, strict=True)}}
        for i, label in enumerate(labels)
    ]


def is_blank(figure: dict[str, Any]) -> bool:
    """Whether no trace holds a number above zero (labels are text and do not count)."""
    return not any(
        isinstance(v, int | float) and not isinstance(v, bool) and v
        for trace in figure.get("data", [])
        for axis in ("x", "y", "values")
        for v in trace.get(axis, [])
    )


def has_values(weekly: Weekly | None) -> bool:
    """Whether any week holds a value (a week of None is a week without data)."""
    return weekly is not None and any(
        v for values in weekly.series.values() for v in values if v is not None
    )


def review_trend_chart(charts: PageCharts, trend: Weekly | None) -> Chart:
    """The weekly median of each review phase (team and repository pages)."""
    return charts.weekly(
        "review_flow",
        "Review flow: weekly median of each phase",
        trend,
        empty=f"No pull requests yet: run `{COLLECT_GITHUB}` to collect them.",
        draw=figures.lines,
        y_title="Median hours of waiting",
        unit="hours",
    )


def files_chart(
    charts: PageCharts,
    spots: Hotspots | None,
    *,
    title: str,
    limit: int = 15,
    empty: str | None = None,
) -> Chart:
    """The files changed most, vermillion where one author knows them (person and team pages);
    `empty` replaces the empty state that names the collector."""
    empty = empty or f"No file history yet: run `{COLLECT_GIT}` on the repositories."
    if spots is None or not spots.files:
        return charts.empty("files", title, empty)
    files = spots.files[:limit]
    colours = [
        figures.OKABE_ITO[5] if f.top_share >= KNOWLEDGE_RISK_SHARE else figures.OKABE_ITO[0]
        for f in files
    ]
    figure, summary = figures.horizontal_bars(
        [f"{f.repo}: {f.path}" for f in files],
        [float(f.churn) for f in files],
        x_title="Lines changed",
        unit="lines",
        name="Lines changed",
        colours=colours,
        hover=[
            f"{f.authors} author(s); {f.top_share:.0%} by {f.top_author or 'one author'}"
            for f in files
        ],
    )
    built = (figure, summary + " Vermillion bars are files mostly known by one person.")
    rows = [
        {
            "repo": f.repo,
            "path": f.path,
            "lines_changed": f.churn,
            "commits": f.commits,
            "authors": f.authors,
            "top_author_share": round(f.top_share, 3),
        }
        for f in spots.files
    ]
    return charts.drawn("files", title, built, rows, empty)
