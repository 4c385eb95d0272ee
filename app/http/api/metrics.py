"""`GET /metrics` in Prometheus text format: build, process, queue depth, collection lag, the
shared GitHub budget and stored rows (app.ops.metrics reads the database for the last four).

Served at the root (not under /api/v1) because that is where scrapers look. It exposes
repository names and counts only, never people, and by default only to the same machine
(a scraper beside the app) or to an admin token; `GEMBA_METRICS_PUBLIC=true` opens it to any
address. The exposition is prometheus-client's, on a registry of the app's own (never the
library's global one, so nothing imported elsewhere leaks in), made once per app.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from prometheus_client import CollectorRegistry, Info, PlatformCollector, ProcessCollector
from prometheus_client.exposition import choose_encoder
from sqlalchemy.engine import Engine

from app.http.deps import OptionalViewerDep, not_signed_in
from app.ops.metrics import CollectionCollector

router = APIRouter()


def build_version() -> str:
    """The installed package's version ("unknown" when run from a checkout not installed)."""
    try:
        return version("gemba-walk")
    except PackageNotFoundError:
        return "unknown"


def make_registry(engine: Callable[[], Engine]) -> CollectorRegistry:
    """build_info, this process's CPU, memory and file descriptors, Python, and collection.

    `engine` is asked at each scrape (the app's engine is made in its lifespan, after this)."""
    registry = CollectorRegistry(auto_describe=False)  # describing would query at start-up
    Info("gemba_build", "The running Gemba Walk.", registry=registry).info(
        {"version": build_version()}
    )
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    registry.register(CollectionCollector(engine))
    return registry


def _registry(request: Request) -> CollectorRegistry:
    state = request.app.state
    registry: CollectorRegistry | None = getattr(state, "metrics_registry", None)
    if registry is None:
        registry = state.metrics_registry = make_registry(lambda: state.engine)
    return registry


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def may_scrape(request: Request, viewer: OptionalViewerDep) -> None:
    """Without `GEMBA_METRICS_PUBLIC`, only this machine or an admin token may read /metrics."""
    if request.app.state.settings.metrics_public or _loopback(request):
        return
    if viewer is None:
        raise not_signed_in()
    if not viewer.is_admin:
        raise HTTPException(403, detail="admin token required")


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(may_scrape)])
def metrics(request: Request) -> Response:
    """Prometheus scrape endpoint (the text format, or OpenMetrics when the scraper asks)."""
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(_registry(request)), media_type=content_type)
