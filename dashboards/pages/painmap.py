"""The pain map on the repository page: one Plotly treemap drawn server-side from the same
answer as `/api/v1/painmap`, coloured by the metric the viewer picks, with links to switch.

The figure stays small (the page under 300 KB): boxes are numbered instead of named by path,
hover reads a compact `customdata`, and a click asks `/api/v1/painmap/path` for the evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.core.access import Viewer
from app.core.settings import Settings
from dashboards import figures
from dashboards.item_flags import FlagLookup
from dashboards.pages.charts import Chart, PageCharts
from dashboards.pages.parts import Link, with_query
from dashboards.periods import Period
from dashboards.reports import painmap as report

LABELS = {
    "hotspot": "Hotspot",
    "change": "Change frequency",
    "knowledge": "Knowledge risk",
    "review": "Review wait",
    "ci": "CI pain",
    "flags": "Flags",
}
SCALES = {  # low to high: calm blue, yellow, orange-red (Okabe-Ito, readable without colour)
    "default": [[0, "#56B4E9"], [0.5, "#F0E442"], [1, "#D55E00"]],
}
PAGE_BOXES = 1000  # about 210 bytes a box: the page stays under 300 KB
EMPTY = "No file at HEAD yet: run `gemba collect git PATH` on this repository."


def painmap_chart(
    session: Session,
    charts: PageCharts,
    *,
    repo: str,
    period: Period,
    color: str,
    viewer: Viewer,
    lookup: FlagLookup | None,
    settings: Settings,
) -> Chart:
    """The map of `repo` over `period`, coloured by `color` (a key of `report.COLORS`)."""
    label = LABELS[color]
    if not label[:2].isupper():  # "Review wait" reads "review wait", "CI pain" stays
        label = label[0].lower() + label[1:]
    title = f"Pain map: {label} over the code"
    if lookup is None:
        lookup = no_flags
    start, end = window(period)
    query = report.MapQuery(repo, start, end, viewer, lookup, settings)
    answer = report.answer(session, query, color=color, max_boxes=PAGE_BOXES)
    return drawn(charts, title, answer, EMPTY)


def window(period: Period) -> tuple[datetime, datetime]:
    """The since and until a page's map is drawn for: the period's ends at the start of their
    hour. Collection runs hourly, so a page's map reads the data once an hour (a map of a
    year of a team's repositories takes a second or more to read) and every view, colour and
    path panel within the hour reuses what the server remembers; the path panel asks for the
    same two, so its evidence is of the map's period."""
    return _hour(period.start), _hour(period.end)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def drawn(
    charts: PageCharts, title: str, answer: dict[str, Any], empty: str, *, height: int = 560
) -> Chart:
    """The map of one `/api/v1/painmap`-shaped answer as the page's "painmap" chart."""
    nodes: list[dict[str, Any]] = answer["nodes"]
    if len(nodes) <= 1:
        return charts.empty("painmap", title, empty)
    metric, unit = str(answer["color_metric"]), str(answer["color_unit"])
    rows = [{k: v for k, v in n.items() if k != "area"} for n in nodes]
    built = figure(nodes, metric, unit, height=height)
    return charts.drawn("painmap", title, built, rows, empty)


def no_flags(session: Session, viewer: Viewer, items: Any) -> list[Any]:
    return []


def figure(
    nodes: list[dict[str, Any]], metric: str, unit: str, *, height: int = 560
) -> tuple[dict[str, Any], str]:
    """A treemap trace: area is lines (binary files by bytes, in their own box), colour is
    `metric`."""
    index = {n["id"]: str(i) for i, n in enumerate(nodes)}
    values = [n[metric] for n in nodes]
    known = [float(v) for v in values if v is not None]
    trace = {
        "type": "treemap",
        "ids": [index[n["id"]] for n in nodes],
        "parents": [index.get(n["parent"], "") if n["parent"] else "" for n in nodes],
        "labels": [n["name"] for n in nodes],
        "values": [n["area"] for n in nodes],
        "branchvalues": "remainder",
        "customdata": [_hover(n, metric) for n in nodes],
        "hovertemplate": (
            "<b>%{customdata[0]}</b><br>"
            + f"{unit}: %{{customdata[1]}}<br>"
            + "lines: %{customdata[2]}<br>owner: %{customdata[3]}<br>"
            + "bus factor: %{customdata[4]}<br>top coupled file: %{customdata[5]}<br>"
            + "commits: %{customdata[6]}<br>PRs: %{customdata[7]}<br>"
            + "flaky runs: %{customdata[8]}<br>flags: %{customdata[9]}<extra></extra>"
        ),
        "marker": {
            "colors": [0 if v is None else round(float(v), 3) for v in values],
            "colorscale": SCALES["default"],
            "cmin": 0,
            "cmax": max(known, default=0) or 1,
            "colorbar": {"title": {"text": unit}},
        },
        "textinfo": "label",
        "maxdepth": 4,
    }
    layout = figures._layout("", "", height=height)  # the palette and font every chart shares
    layout["margin"] = {"l": 4, "r": 4, "t": 4, "b": 4}
    top = sorted(
        (n for n in nodes if n["kind"] == "file" and n[metric]),
        key=lambda n: -float(n[metric]),
    )[:5]
    summary = (
        f"Files at HEAD sized by lines, coloured by {unit}. Binary files have no lines: they "
        "sit in their own box, which takes their share of the files, each sized by its bytes. "
        "Highest: "
    ) + ("; ".join(f"{n['path']} ({n[metric]})" for n in top) or "none above zero")
    return {"data": [trace], "layout": layout}, summary + "."


def _hover(node: dict[str, Any], metric: str) -> list[Any]:
    """[path, colour value, lines, owner, bus factor, coupled, commits, PRs, flaky, flags,
    kind]: the path panel reads the path and the kind."""
    dash = "-"
    value = node[metric]
    return [
        node["path"] or node["name"],
        dash if value is None else value,
        _size(node) if node["kind"] in ("binary", "binary-group") else node["loc"],
        _owner(node) or dash,
        node["bus_factor"] if node["bus_factor"] is not None else dash,
        node["top_coupled"] or dash,
        node["commits"],
        node["pulls"],
        node["ci_flaky_runs"],
        node["flags"],
        node["kind"],
    ]


def _owner(node: dict[str, Any]) -> str | None:
    """A file's owner, and how long they have been quiet when that makes the file a knowledge
    risk (90+ days): the reason the box is orange under "Knowledge risk"."""
    owner, gone = node.get("owner"), node.get("owner_gone_days")
    if owner and gone is not None:
        return f"{owner} (quiet {gone} days)"
    return owner


def _size(node: dict[str, Any]) -> str:
    """A binary box's size for the hover: it has no lines, only bytes."""
    size = int(node.get("size_bytes") or 0)
    if size < 1024:
        text = f"{size} bytes"
    elif size < 1024**2:
        text = f"{size / 1024:.1f} KB"
    else:
        text = f"{size / 1024**2:.1f} MB"
    return f"none (binary, {text})"


def color_links(base: str, query: dict[str, str | None], chosen: str) -> list[Link]:
    """One link per colour, the page's other query parameters kept."""
    return [
        Link(LABELS[key], with_query(base, **{**query, "color": key}), key == chosen, key)
        for key in report.COLORS
    ]
