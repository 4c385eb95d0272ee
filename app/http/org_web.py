"""The organisation page (`/org`, `/org/{team}`), its JSON twin and its charts' CSV and JSON.

Rendered like every page (`app.http.web`): one `dashboards.pages.org` builder, its dataclass
as HTML or, asked for JSON, as JSON. Someone who manages no team gets 403; a team outside the
viewer's part gets the same 404 as a team that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import Response

from app.http import web
from app.http.chart_data import chart_response
from app.http.deps import OptionalViewerDep, SessionDep, SettingsDep
from dashboards.pages import org as page_org


def _org_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    team: str | None = None,
    period: str | None = None,
) -> page_org.OrgPage:
    """The page for its HTML, its JSON twin and its chart data alike."""
    who = web._require(request, viewer)
    try:
        return page_org.org_page(session, who, team, period, web._now(request), settings)
    except page_org.OrgNotAllowedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None


def _whole(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalViewerDep,
    period: str | None = None,
) -> page_org.OrgPage:
    return _org_page(request, session, settings, viewer, None, period)


OrgPageDep = Annotated[page_org.OrgPage, Depends(_whole)]
PartPageDep = Annotated[page_org.OrgPage, Depends(_org_page)]


def mount(app: FastAPI) -> None:
    @app.get("/org", include_in_schema=False, response_model=None)
    def org(request: Request, page: OrgPageDep) -> Response:
        return web._render(request, "org.html", page)

    @app.get("/org/{team}", include_in_schema=False, response_model=None)
    def org_part(request: Request, page: PartPageDep) -> Response:
        return web._render(request, "org.html", page)

    @app.get("/data/org/{chart}.{fmt}", include_in_schema=False)
    def org_data(chart: str, fmt: str, page: OrgPageDep) -> Response:
        return chart_response(page, chart, fmt)

    @app.get("/data/org/{team}/{chart}.{fmt}", include_in_schema=False)
    def org_part_data(chart: str, fmt: str, page: PartPageDep) -> Response:
        return chart_response(page, chart, fmt)
