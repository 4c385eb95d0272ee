"""The JSON API under /api/v1, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """Every resource router; each capability adds its module to the tuple below."""
    from app.http.api import (
        admin,
        agreements,
        ci,
        delivery,
        digest_preview,
        flags,
        hotspots,
        nudges,
        painmap,
        people,
        pulls,
        unsubscribe,
    )

    router = APIRouter(prefix=API_PREFIX)
    for module in (
        people,
        flags,
        admin,
        hotspots,
        painmap,
        pulls,
        ci,
        agreements,
        unsubscribe,
        digest_preview,
        nudges,
        delivery,
    ):
        router.include_router(module.router)
    return router
