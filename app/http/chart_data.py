"""A chart's data as a CSV or JSON download, named for whose data it is and which days.

The rows are the chart's own (already tidied by `dashboards.exports`); the CSV goes through
`dashboards.exports.to_csv`, which neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse, Response

from dashboards import exports


def subject_of(page: Any) -> list[str]:
    """Whose data a page shows, for a file name: a login, a team (and its repository
    filter) or a repository."""
    if page.kind == "person":
        return [page.login]
    if page.kind == "team":
        return [page.name, page.repository or ""]
    return [page.name]


def chart_response(page: Any, chart_key: str, fmt: str) -> Response:
    """The chart `chart_key` of `page` as `fmt` ("csv" or "json"); 404 for anything else."""
    chart = next((c for c in getattr(page, "charts", []) if c.key == chart_key), None)
    if chart is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no chart {chart_key!r}")
    if fmt not in {"csv", "json"}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="data comes as .csv or .json")
    period = page.period
    name = exports.file_name(page.kind, subject_of(page), chart.key, period.start, period.end, fmt)
    if fmt == "json":
        body = {
            "chart": chart.key,
            "title": chart.title,
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "columns": chart.columns,
            "rows": chart.rows,
        }
        disposition = exports.content_disposition(name, attachment=False)
        return JSONResponse(body, headers={"Content-Disposition": disposition})
    return Response(
        exports.to_csv(chart.columns, chart.rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": exports.content_disposition(name, attachment=True)},
    )
