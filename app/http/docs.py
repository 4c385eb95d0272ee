"""`/docs` (Swagger UI) and `/redoc` from files shipped with the app, never from a CDN.

The two viewers are copied from npm into `dashboards/static/vendor/` under folders named with
their versions (see the README there); the pages load no inline script, so they run under
the same Content-Security-Policy as every other page.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/vendor/swagger-ui-dist-5.35.0"
REDOC = "/static/vendor/redoc-2.5.4"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="data:,">{head}</head>
<body>{body}</body></html>
"""


def _swagger(title: str, openapi_url: str) -> str:
    head = f'<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">'
    body = (
        f'<div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>'
        f'<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>'
        '<script src="/static/docs.js"></script>'
    )
    return PAGE.format(title=escape(f"{title} · API"), head=head, body=body)


def _redoc(title: str, openapi_url: str) -> str:
    body = (
        f'<redoc spec-url="{escape(openapi_url)}"></redoc>'
        f'<script src="{REDOC}/redoc.standalone.js"></script>'
    )
    return PAGE.format(title=escape(f"{title} · API reference"), head="", body=body)


def mount(app: FastAPI) -> None:
    """Serve the two viewers (the app is made with `docs_url=None, redoc_url=None`)."""
    openapi_url = app.openapi_url or "/openapi.json"
    swagger, redoc = _swagger(app.title, openapi_url), _redoc(app.title, openapi_url)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(swagger)

    @app.get("/redoc", include_in_schema=False)
    def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc)
