"""The JSON API under /api/v1, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """Every resource router; each capability adds its module to the list below."""
    router = APIRouter(prefix=API_PREFIX)
    for module_name in ROUTER_MODULES:
        module = __import__(f"app.http.api.{module_name}", fromlist=["router"])
        router.include_router(module.router)
    return router


ROUTER_MODULES: list[str] = [
    "people",
    "flags",
    "admin",
    "hotspots",
    "pulls",
    "ci",
    "unsubscribe",
    "digest_preview",
]
