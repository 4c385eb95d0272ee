"""A page's charts: each with its data links and screen-reader summary, or an empty state
that names the command which collects the data; and the charts more than one page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboards import figures
from dashboards import page_signals as sig
from dashboards.figures import Series
from dashboards.page_parts import with_query

KNOWLEDGE_RISK_SHARE = 0.8  # one author made at least this share of a file's recent changes


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


def chart(
    key: str,
    title: str,
    data_path: str,
    query: dict[str, str | None],
    built: tuple[dict[str, Any], str] | None,
    rows: list[dict[str, Any]],
    empty: str,
) -> Chart:
    """A chart with its data links; an empty state (naming the command) when there is no data."""
    base = f"{data_path}/{key}"
    columns = list(rows[0]) if rows else []
    if built is None or not rows:
        return Chart(
            key,
            title,
            empty,
            None,
            columns,
            rows,
            with_query(base + ".csv", **query),
            with_query(base + ".json", **query),
            empty,
        )
    figure, summary = built
    return Chart(
        key,
        title,
        summary,
        figure,
        columns,
        rows,
        with_query(base + ".csv", **query),
        with_query(base + ".json", **query),
    )


def weekly_rows(weekly: sig.Weekly) -> list[dict[str, Any]]:
    return [
        {"week": week, **{name: values[i] for name, values in weekly.series.items()}}
        for i, week in enumerate(weekly.weeks)
    ]


def weekly_series(weekly: sig.Weekly) -> tuple[list[str], list[Series]]:
    return weekly.weeks, [Series(name, values) for name, values in weekly.series.items()]


def has_values(weekly: sig.Weekly | None) -> bool:
    return weekly is not None and any(
        v for values in weekly.series.values() for v in values if v is not None
    )


def review_trend_chart(
    trend: sig.Weekly | None, data_path: str, query: dict[str, str | None]
) -> Chart:
    title = "Review flow: weekly median of each phase"
    empty = f"No pull requests yet: run `{sig.COLLECT_GITHUB}` to collect them."
    if not has_values(trend):
        return chart("review_flow", title, data_path, query, None, [], empty)
    assert trend is not None
    labels, series = weekly_series(trend)
    built = figures.lines(
        labels, series, x_title="ISO week", y_title="Median hours of waiting", unit="hours"
    )
    return chart("review_flow", title, data_path, query, built, weekly_rows(trend), empty)


def files_chart(
    spots: sig.Hotspots | None,
    data_path: str,
    query: dict[str, str | None],
    *,
    title: str,
    limit: int = 15,
) -> Chart:
    empty = f"No file history yet: run `{sig.COLLECT_GIT}` on the repositories."
    if spots is None or not spots.files:
        return chart("files", title, data_path, query, None, [], empty)
    files = spots.files[:limit]
    colours = [
        figures.OKABE_ITO[5] if f.top_share >= KNOWLEDGE_RISK_SHARE else figures.OKABE_ITO[0]
        for f in files
    ]
    built = figures.horizontal_bars(
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
    built = (built[0], built[1] + " Vermillion bars are files mostly known by one person.")
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
    return chart("files", title, data_path, query, built, rows, empty)
