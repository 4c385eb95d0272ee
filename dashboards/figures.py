"""Plotly figures for the pages, as plain Plotly JSON (dicts) with one theme.

Figures are built as dicts that follow Plotly's JSON schema rather than through `go.Figure`:
the browser's plotly.js does the validation and drawing, and a page with a dozen charts stays
within its time budget (a validated `go.Figure` costs milliseconds each). Every builder returns
the figure and a one-paragraph text summary for screen readers. Colours are Okabe-Ito, which
stay distinct for the common colour-vision deficiencies; units are in the axis titles. A
series with nothing above zero is not drawn, so a legend names only what is on the chart;
figures have no fixed width, so they fit the screen (`dashboards.axes` keeps them readable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboards.axes import (
    bar_label_axis,
    category_axis,
    count_axis,
    hover_number,
    is_count,
    number_text,
)

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Series:
    """One named line or set of bars."""

    name: str
    values: Sequence[float | None]

    @property
    def has_values(self) -> bool:
        """Whether anything would be drawn: a value other than None or zero."""
        return any(v for v in self.values if v is not None)


def _layout(x_title: str, y_title: str, *, height: int = 300, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "autosize": True,  # the width is the container's: no fixed pixels to scroll past
        "height": height,
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": list(OKABE_ITO),
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#e5e5e5", "automargin": True},
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": "#e5e5e5",
            "zeroline": True,
            "automargin": True,
        },
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _describe(series: Sequence[Series], labels: Sequence[str], unit: str) -> str:
    parts = []
    for one in series:
        if not one.has_values:
            continue
        pairs = [
            f"{label}: {number_text(v, unit)}" for label, v in zip(labels, one.values, strict=True)
        ]
        shown = pairs if len(pairs) <= 8 else [*pairs[:3], "…", *pairs[-3:]]
        parts.append(f"{one.name}: " + "; ".join(shown) + ".")
    hidden = [one.name for one in series if not one.has_values]
    if hidden:
        parts.append("Nothing to show for " + ", ".join(hidden) + ".")
    return " ".join(parts)


def _top(series: Sequence[Series], *, stacked: bool) -> float:
    """The largest value on the value axis: the tallest stack, or the tallest bar."""
    columns = zip(*(one.values for one in series), strict=True)
    heights = [
        sum(v or 0.0 for v in column) if stacked else max((v or 0.0 for v in column), default=0)
        for column in columns
    ]
    return max(heights, default=0.0)


def _without_empty_labels(
    labels: Sequence[str], series: Sequence[Series]
) -> tuple[list[str], list[Series]]:
    """Drop the categories no series has a value for (a phase nobody spent time in)."""
    keep = [i for i in range(len(labels)) if any(one.values[i] for one in series)]
    return [labels[i] for i in keep], [
        Series(one.name, [one.values[i] for i in keep]) for one in series
    ]


def _bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_title: str,
    y_title: str,
    unit: str,
    barmode: str,
    keep_empty_labels: bool,
) -> tuple[dict[str, Any], str]:
    if not keep_empty_labels:
        labels, series = _without_empty_labels(labels, series)
    data = [
        {
            "type": "bar",
            "name": one.name,
            "x": list(labels),
            "y": [_round(v) for v in one.values],
            "marker": {"color": OKABE_ITO[i % len(OKABE_ITO)]},
            "hovertemplate": f"%{{x}}: {hover_number('y', unit)}<extra>{one.name}</extra>",
        }
        for i, one in enumerate(series)
        if one.has_values
    ]
    layout = _layout(x_title, y_title, barmode=barmode)
    layout["xaxis"].update(category_axis(labels))
    if is_count(unit):
        layout["yaxis"].update(count_axis(_top(series, stacked=barmode == "stack")))
    return {"data": data, "layout": layout}, _describe(series, labels, unit)


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_title: str,
    y_title: str,
    unit: str,
    keep_empty_labels: bool = True,
) -> tuple[dict[str, Any], str]:
    """Bars side by side per label: this period against a baseline, for example. Weeks keep
    their empty labels (a quiet week is data); categories can drop theirs."""
    titles = {"x_title": x_title, "y_title": y_title, "unit": unit}
    return _bars(labels, series, barmode="group", keep_empty_labels=keep_empty_labels, **titles)


def stacked_bars(
    labels: Sequence[str], series: Sequence[Series], *, x_title: str, y_title: str, unit: str
) -> tuple[dict[str, Any], str]:
    """Parts of a whole over time: hours of waiting by kind, flags by category."""
    titles = {"x_title": x_title, "y_title": y_title, "unit": unit}
    return _bars(labels, series, barmode="stack", keep_empty_labels=True, **titles)


def lines(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_title: str,
    y_title: str,
    unit: str,
    dashed: Sequence[str] = (),
) -> tuple[dict[str, Any], str]:
    """Weekly trends; series named in `dashed` are reference lines (a usual, a median)."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": one.name,
            "x": list(labels),
            "y": [_round(v) for v in one.values],
            "connectgaps": False,
            "line": {
                "color": OKABE_ITO[i % len(OKABE_ITO)],
                "dash": "dash" if one.name in dashed else "solid",
            },
            "hovertemplate": f"%{{x}}: {hover_number('y', unit)}<extra>{one.name}</extra>",
        }
        for i, one in enumerate(series)
        if one.has_values
    ]
    layout = _layout(x_title, y_title)
    layout["xaxis"].update(category_axis(labels))
    if is_count(unit):
        layout["yaxis"].update(count_axis(_top(series, stacked=False)))
    return {"data": data, "layout": layout}, _describe(series, labels, unit)


def bars_on_two_axes(
    labels: Sequence[str],
    left: Series,
    right: Series,
    *,
    x_title: str,
    units: tuple[str, str],
    titles: tuple[str, str],
) -> tuple[dict[str, Any], str]:
    """Two measures per label, each on its own axis with its own unit (a failure rate in %
    on the left, a count on the right), so neither is read on the other's scale."""
    data = []
    layout = _layout(x_title, titles[0], barmode="group")
    layout["xaxis"].update(category_axis(labels))
    for i, (one, unit, axis) in enumerate(zip((left, right), units, ("y", "y2"), strict=True)):
        if not one.has_values:
            continue
        data.append(
            {
                "type": "bar",
                "name": one.name,
                "x": list(labels),
                "y": [_round(v) for v in one.values],
                "yaxis": axis,
                "offsetgroup": str(i),
                "marker": {"color": OKABE_ITO[i]},
                "hovertemplate": f"%{{x}}: {hover_number('y', unit)}<extra>{one.name}</extra>",
            }
        )
    if is_count(units[0]):
        layout["yaxis"].update(count_axis(_top([left], stacked=False)))
    layout["yaxis2"] = {
        "title": {"text": titles[1]},
        "overlaying": "y",
        "side": "right",
        "showgrid": False,
        "automargin": True,
        **(count_axis(_top([right], stacked=False)) if is_count(units[1]) else {}),
    }
    summary = " ".join(
        _describe([one], labels, unit) for one, unit in zip((left, right), units, strict=True)
    )
    return {"data": data, "layout": layout}, summary


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    x_title: str,
    unit: str,
    name: str,
    colours: Sequence[str] | None = None,
    hover: Sequence[str] | None = None,
) -> tuple[dict[str, Any], str]:
    """One bar per item, top to bottom in the order given (callers choose a neutral order).
    Long labels are shortened on the axis and kept whole in the hover."""
    number = hover_number("x", unit)
    trace: dict[str, Any] = {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "y": list(labels),
        "x": [_round(v) for v in values],
        "marker": {"color": list(colours) if colours else OKABE_ITO[0]},
        "hovertemplate": f"%{{y}}: {number}<extra></extra>",
    }
    if hover is not None:
        trace["customdata"] = list(hover)
        trace["hovertemplate"] = f"%{{y}}: {number}<br>%{{customdata}}<extra></extra>"
    height = max(200, 60 + 24 * len(labels))
    layout = _layout(x_title, "", height=height)
    layout["yaxis"].update({"autorange": "reversed", **bar_label_axis(labels)})
    if is_count(unit):
        layout["xaxis"].update(count_axis(max(values, default=0.0)))
    layout["showlegend"] = False
    summary = f"{name}: " + "; ".join(
        f"{label}: {number_text(v, unit)}"
        for label, v in list(zip(labels, values, strict=True))[:10]
    )
    if len(labels) > 10:
        summary += f"; and {len(labels) - 10} more"
    data = [trace] if Series(name, values).has_values else []
    return {"data": data, "layout": layout}, summary + "."


def spread(
    values: Sequence[float], *, names: Sequence[str] | None, x_title: str, unit: str, name: str
) -> tuple[dict[str, Any], str]:
    """A distribution (reviewer load): names, when shown, sorted alphabetically, never ranked.

    Without names it is a strip of points, so the shape of the spread is visible without
    anyone being singled out.
    """
    if names is not None:
        ordered = sorted(zip(names, values, strict=True), key=lambda pair: pair[0].lower())
        figure, summary = horizontal_bars(
            [n for n, _ in ordered],
            [v for _, v in ordered],
            x_title=x_title,
            unit=unit,
            name=name,
            colours=[OKABE_ITO[4]] * len(ordered),
        )
    else:
        trace = {
            "type": "box",
            "name": name,
            "x": [_round(v) for v in sorted(values)],
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "marker": {"color": OKABE_ITO[0]},
            "line": {"color": OKABE_ITO[0]},
            "hoverinfo": "x",
        }
        layout = _layout(x_title, "", height=200, showlegend=False)
        if is_count(unit):
            layout["xaxis"].update(count_axis(max(values, default=0.0)))
        figure = {"data": [trace], "layout": layout}
        summary = f"{name}: {len(values)} people"
    if values:
        ordered_values = sorted(values)
        median = ordered_values[len(ordered_values) // 2]
        summary = summary.rstrip(".") + (
            f". From {ordered_values[0]:,.0f} to {number_text(ordered_values[-1], unit)}, "
            f"median {number_text(median, unit)}."
        )
    return figure, summary


def treemap(
    paths: Sequence[str],
    sizes: Sequence[float],
    colour_values: Sequence[float],
    *,
    colour_title: str,
    hover: Sequence[str],
) -> tuple[dict[str, Any], str]:
    """Hotspots: area is lines changed, colour is how concentrated ownership is."""
    trace = {
        "type": "treemap",
        "labels": list(paths),
        "parents": [""] * len(paths),
        "values": [_round(v) for v in sizes],
        "customdata": list(hover),
        "hovertemplate": "%{label}<br>%{customdata}<extra></extra>",
        "marker": {
            "colors": [_round(v) for v in colour_values],
            "colorscale": [[0, "#56B4E9"], [0.5, "#F0E442"], [1, "#D55E00"]],
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"title": {"text": colour_title}},
        },
        "textinfo": "label",
    }
    layout = _layout("", "", height=420)
    layout["margin"] = {"l": 10, "r": 10, "t": 10, "b": 10}
    summary = "Files by size of change: " + "; ".join(
        f"{p} ({s:.0f} lines, {c:.0%} {colour_title.lower()})"
        for p, s, c in list(zip(paths, sizes, colour_values, strict=True))[:10]
    )
    return {"data": [trace], "layout": layout}, summary + "."
