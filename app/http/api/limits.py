"""Request-size limits and per-token rate limits for the routes that accept writes.

`LimitedBodyRoute` answers 413 before any parsing when a body is larger than the route allows:
by Content-Length, or by counting a chunked body while it streams in, so that no more than the
limit is ever read into memory. A JSON body that is not UTF-8 is a 422, as for any JSON that
cannot be decoded (FastAPI would answer 400). `flag_admission` spends one unit of a
token's flag budget and `too_many` is the 429 with Retry-After for a token that posts faster
than the settings allow; the buckets live in this process (see `app.http.ratelimit`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.core.access import Viewer
from app.http.ratelimit import TokenBucket

DEFAULT_MAX_BODY = 64 * 1024

# A row id in a URL path: bounded to a signed 64-bit integer, so an absurd id is a 422 with
# field detail instead of an OverflowError (a 500) in the database driver.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class LimitedBodyRoute(APIRoute):
    """An APIRoute that refuses bodies above `max_body` bytes with 413."""

    max_body = DEFAULT_MAX_BODY

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = self.max_body

        async def limited(request: Request) -> Response:
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                return _too_large(limit)
            if request.method in ("POST", "PUT", "PATCH"):
                body = await read_at_most(request, limit)
                if body is None:
                    return _too_large(limit)
                if _is_json(request) and not _utf8(body):
                    return _not_utf8()
            return await handler(request)

        return limited


async def read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, read chunk by chunk; None as soon as it passes `limit` bytes (the rest is
    never read). The body is kept on the request, where FastAPI's parsing finds it."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    request._body = bytes(body)  # Starlette's cache of the body, read by body(), form(), json()
    return request._body


def _is_json(request: Request) -> bool:
    """As FastAPI decides: no content type, or application/json or application/*+json."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return (
        not kind
        or kind == "application/json"
        or (kind.startswith("application/") and kind.endswith("+json"))
    )


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"request body is larger than {limit} bytes"},
        status_code=status.HTTP_413_CONTENT_TOO_LARGE,
    )


def _not_utf8() -> JSONResponse:
    """The 422 FastAPI gives for undecodable JSON, for a body that is not even UTF-8."""
    error = {"type": "json_invalid", "loc": ["body"], "msg": "the body is not valid UTF-8"}
    return JSONResponse({"detail": [error]}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def large_body_route(max_body: int) -> type[LimitedBodyRoute]:
    """A route class with another limit (the people import takes a bigger document)."""
    return type("LargeBodyRoute", (LimitedBodyRoute,), {"max_body": max_body})


def _bucket(request: Request) -> TokenBucket:
    state = request.app.state
    bucket: TokenBucket | None = getattr(state, "flag_bucket", None)
    if bucket is None:
        settings = state.settings
        bucket = TokenBucket(rate=settings.flags_per_minute / 60, capacity=settings.flags_burst)
        state.flag_bucket = bucket
    return bucket


def flag_admission(request: Request) -> Callable[[Viewer], float]:
    """Spends one unit of a viewer's flag budget (keyed by their token); returns the seconds
    to wait, 0 when allowed. For the flag writer, which checks the rate inside its batch."""
    bucket = _bucket(request)
    return lambda viewer: bucket.take(viewer.token_id or f"person:{viewer.person_id}")


def too_many(wait: float) -> HTTPException:
    """The 429 for a token that must wait `wait` seconds, Retry-After in whole seconds."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail="too many flags from this token; retry later",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or the token is unknown or revoked"},
    403: {"description": "Not allowed for this viewer, or a missing CSRF token"},
    413: {"description": "Body too large"},
}
