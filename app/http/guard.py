"""The browser guards every response passes: cross-origin writes refused, security headers set.

Cross-origin writes: a browser names where a request comes from (`Sec-Fetch-Site`, else
`Origin`), so a POST that another site's page makes, the sign-in form included (login CSRF),
is refused with 403 before any route runs; requests that name no origin (curl, the CLI, a
server) and requests with an `Authorization` header (which a browser never adds by itself)
pass, as in Go's `net/http.CrossOriginProtection`. Headers: a Content-Security-Policy that
allows only this origin's scripts and no framing, plus nosniff and a same-origin referrer.

A pure ASGI middleware: it adds no task or copy per request, unlike `BaseHTTPMiddleware`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Plotly and the API docs style elements inline
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",  # ReDoc searches in a worker made from a blob
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
REFUSED = json.dumps({"detail": "cross-origin request refused"}).encode()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_origin(headers: Headers, own_origins: Iterable[str]) -> bool:
    """True when a browser says this request comes from another origin."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False  # not a browser, or one too old to say: nothing ambient to abuse
    host = headers.get("host", "").lower()
    return origin.lower() not in own_origins and urlsplit(origin).netloc.lower() != host


class BrowserGuard:
    """Refuse cross-origin writes; add the security headers to every HTTP response (a route
    that sets one of them itself keeps its own)."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app = app
        self.own_origins = frozenset({_origin_of(base_url)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if (
            scope["method"] not in SAFE_METHODS
            and "authorization" not in headers
            and cross_origin(headers, self.own_origins)
        ):
            await _refuse(send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(REFUSED)).encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": REFUSED})
