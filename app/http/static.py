"""Static files (`dashboards/static` and Plotly from its package), compressed and cached.

plotly.min.js is 4.8 MB, about 1.5 MB gzipped: each file is compressed once per process
(gzip level 9, about 0.2 s for Plotly) and kept, rather than on every request as a
compressing middleware would. Every answer carries an ETag (a hash of the content) so a
browser can revalidate with a 304; names that carry a version (`plotly-7.1.0.min.js`,
`vendor/redoc-2.5.4/...`) or a `?v=` equal to the content's hash (the links `static_url`
writes) are cached for a year as immutable, anything else is revalidated on each use.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import Response

YEAR = 365 * 24 * 3600
COMPRESSIBLE = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
BINARY = {".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2"}
MIN_COMPRESS_BYTES = 512  # below this, gzip's header costs more than it saves
VERSIONED = re.compile(r"-\d+\.\d+(\.\d+)?([.-]|$)")  # plotly-7.1.0.min.js, redoc-2.5.4/


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, their gzip form (None when not worth it) and hash."""

    body: bytes
    gzipped: bytes | None
    digest: str
    media_type: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file it was read from


class StaticFiles:
    """The files under `directory` plus `extra` ones (URL name -> file), read, hashed and
    compressed on first use and again whenever the file changes on disk."""

    def __init__(self, directory: Path, extra: dict[str, Path]) -> None:
        self.directory = directory.resolve()
        self.extra = extra
        self._assets: dict[Path, Asset] = {}
        self._lock = threading.Lock()

    def file_for(self, name: str) -> Path | None:
        """The file a URL name points at, or None (outside the folder, hidden, not a file,
        or of a type not served)."""
        if name in self.extra:
            return self.extra[name]
        if any(part.startswith(".") or not part for part in name.split("/")):
            return None
        path = (self.directory / name).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file():
            return None
        return path if path.suffix in COMPRESSIBLE or path.suffix in BINARY else None

    def asset(self, path: Path) -> Asset:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._assets.get(path)
        if known is not None and known.stamp == stamp:
            return known
        with self._lock:  # one thread compresses; the others wait for its result
            known = self._assets.get(path)
            if known is None or known.stamp != stamp:
                known = _read(path, stamp)
                self._assets[path] = known
            return known

    def url(self, name: str) -> str:
        """The link to write in a page: versioned by the content's hash, so it can be cached
        for a year and still change the moment the file does."""
        path = self.file_for(name)
        if path is None:
            raise LookupError(f"no static file {name!r}")
        if VERSIONED.search(name):
            return f"/static/{name}"
        return f"/static/{name}?v={self.asset(path).digest}"

    def response(self, request: Request, name: str) -> Response:
        path = self.file_for(name)
        if path is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such file")
        asset = self.asset(path)
        encodings = request.headers.get("accept-encoding", "")
        use_gzip = asset.gzipped is not None and accepts_gzip(encodings)
        etag = f'"{asset.digest}-gz"' if use_gzip else f'"{asset.digest}"'
        pinned = VERSIONED.search(name) or request.query_params.get("v") == asset.digest
        headers = {
            "ETag": etag,
            "Vary": "Accept-Encoding",
            "Cache-Control": f"public, max-age={YEAR}, immutable" if pinned else "no-cache",
        }
        tags = _tags(request.headers.get("if-none-match", ""))
        if etag in tags or "*" in tags:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        if use_gzip:
            headers["Content-Encoding"] = "gzip"
        body = asset.gzipped if use_gzip and asset.gzipped is not None else asset.body
        return Response(body, media_type=asset.media_type, headers=headers)


def _read(path: Path, stamp: tuple[int, int]) -> Asset:
    body = path.read_bytes()
    media_type = COMPRESSIBLE.get(path.suffix) or BINARY[path.suffix]
    worth = path.suffix in COMPRESSIBLE and len(body) >= MIN_COMPRESS_BYTES
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if worth else None
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(body, gzipped, digest, media_type, stamp)


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compare as strong: RFC 9110
    uses the weak comparison for If-None-Match)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (and does not give it `q=0`)."""
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in {"gzip", "*"}:
            quality = params.strip().removeprefix("q=") if params.strip() else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def mount(app: FastAPI, files: StaticFiles) -> None:
    """Serve `files` under /static (GET and HEAD)."""

    def static_file(request: Request, name: str) -> Response:
        return files.response(request, name)

    app.add_api_route(
        "/static/{name:path}",
        static_file,
        methods=["GET", "HEAD"],
        include_in_schema=False,
        response_model=None,
    )
