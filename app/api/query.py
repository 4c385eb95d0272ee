"""Query-parameter checks shared by the read-only signal routes (CI, pulls, hotspots).

One place for the OWNER/REPO pattern, the zone rule for times and the shape of a 422, so that
every route rejects the same bad input with the same field detail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import HTTPException, Query, status

REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
RepoSlugQuery = Annotated[
    str | None,
    Query(pattern=REPO_PATTERN, max_length=200, description="OWNER/REPO, as collected"),
]
PersonQuery = Annotated[str | None, Query(max_length=100, description="Person login")]


def bad_query(field: str, message: str) -> HTTPException:
    """A 422 naming the query field, shaped like FastAPI's own validation errors."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}],
    )


def as_utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC, the zone every stored time is in."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
