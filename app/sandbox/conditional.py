"""Conditional requests as GitHub answers them: weak ETags, Last-Modified, and 304 Not Modified.

A 304 costs no rate limit, which is what the collectors rely on to re-read cheaply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from app.sandbox.routing import parse_time


def etag(text: str) -> str:
    """A weak ETag of the body, stable for the same answer."""
    return 'W/"' + hashlib.sha256(text.encode()).hexdigest() + '"'


def last_modified(body: Any) -> datetime | None:
    """GitHub sends Last-Modified for single objects: their `updated_at`."""
    if not isinstance(body, dict) or not isinstance(body.get("updated_at"), str):
        return None
    try:
        return parse_time(body["updated_at"])
    except ValueError:
        return None


def not_modified(headers: Mapping[str, str], etag: str, modified: datetime | None) -> bool:
    """If-None-Match decides when sent (HTTP's rule); else If-Modified-Since against updated_at."""
    if headers.get("If-None-Match"):
        return _etag_matches(headers.get("If-None-Match"), etag)
    since = headers.get("If-Modified-Since")
    if not since or modified is None:
        return False
    try:
        return modified <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") in (wanted, "*") for tag in header.split(","))


def kept_on_304(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers a 304 repeats: pagination and the validator."""
    return {k: v for k, v in headers.items() if k in ("Link", "Last-Modified")}
