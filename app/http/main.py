"""The application factory: nothing happens at import, tests pass their own Settings."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.db import ensure_schema, make_engine
from app.core.settings import Settings, get_settings
from app.http import docs, error_pages
from app.http.agreements_web import router as agreements_web_router
from app.http.api import api_router
from app.http.api.errors import register as register_error_handlers
from app.http.api.errors import validation_error
from app.http.api.health import router as health_router
from app.http.api.metrics import router as metrics_router
from app.http.auth_web import router as auth_web_router
from app.http.flag_pages import router as flag_pages_router
from app.http.guard import BrowserGuard
from app.http.nudges_web import router as nudges_web_router
from app.http.one_on_one_web import router as one_on_one_router
from app.http.slack_interactions import router as slack_interactions_router

# A full collection walks every object the server keeps: the readings the org, person and
# team pages keep per data version, and the remembered pain maps. At 500 people with two
# years of data, every fifth repeat team view ran one, at 110 to 155 ms of CPU against 50 to
# 70 ms without: the team page's p95 (docs/scaling.md). Python's default considers a full
# collection after every 10 middle-generation passes; while it serves, the app after 100.
FULL_COLLECTION_EVERY = 100


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        ensure_schema(engine)
        app.state.engine = engine
        _freeze_startup_objects()
        thresholds = gc.get_threshold()
        gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_EVERY)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
            engine.dispose()

    app = FastAPI(
        title="Gemba Walk",
        version="0.1.0",
        summary="Friction signals from git, pull requests and CI, for 1:1s that help.",
        lifespan=lifespan,
        docs_url=None,  # served from local files by app.http.docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(BrowserGuard, base_url=settings.base_url)  # CSP; no cross-origin POST
    register_error_handlers(app)  # 422s that survive any text the client sent
    error_pages.register(app, validation_error)  # browsers get HTML pages, the API JSON
    docs.mount(app)
    app.include_router(health_router)
    app.include_router(metrics_router)  # at the root, where Prometheus scrapes
    app.include_router(api_router())
    app.include_router(auth_web_router)
    app.include_router(one_on_one_router)  # the person page's "1:1 held" form
    app.include_router(flag_pages_router)  # raise, read, acknowledge and answer flags
    app.include_router(agreements_web_router)  # the team page's agreement forms
    app.include_router(nudges_web_router)  # the person's own nudge switches
    app.include_router(slack_interactions_router)  # prompt answers from Slack's buttons
    _mount_web(app)
    return app


def _freeze_startup_objects() -> None:
    """Keep the garbage collector's full passes off what start-up built.

    A busy server promotes many short-lived objects (requests in flight) into the oldest
    generation, and each full collection then also walked the ~150,000 objects of start-up
    (modules, routes, schemas, Plotly): under the flag load test, 24 full collections in 10
    seconds of up to 106 ms each, 2.3 of the server's 9.9 CPU-seconds, and the whole p99
    latency. Frozen objects are never scanned; the lifespan unfreezes at shutdown so that an
    app made in a test can be collected.
    """
    gc.collect()
    gc.freeze()


def _mount_web(app: FastAPI) -> None:
    """Pages and static files."""
    from app.http import org_web, web

    web.mount(app)
    org_web.mount(app)  # the organisation page
