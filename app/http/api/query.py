"""Query-parameter checks shared by the read-only signal routes (CI, pulls, hotspots).

One place for the OWNER/REPO pattern, the zone rule for times, the shape of a 422 and the 404
for a repository never collected, so that every route rejects the same bad input the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import HTTPException, Query, status
from pydantic import BeforeValidator
from sqlmodel import Session

from dashboards.reports.repositories import UnknownRepositoryError, require_repository

REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
RepoSlugQuery = Annotated[
    str | None,
    Query(pattern=REPO_PATTERN, max_length=200, description="OWNER/REPO, as collected"),
]
REPO_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No repository by that name; the detail lists the known ones"}
}
PersonQuery = Annotated[str | None, Query(max_length=100, description="Person login")]
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a bare number as seconds since 1970 (`until=0.5` is 1970-01-01T00:00:00.5),
    which nobody means in a URL: a time must be written as a date or a date and time."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError(
            "give a date or time in ISO 8601 (2026-11-30 or 2026-11-30T09:00:00Z), not a number"
        )
    return value


IsoTime = Annotated[datetime, BeforeValidator(_not_a_number)]
"""A time in a query string: ISO 8601 only, never a number of seconds."""


def bad_query(field: str, message: str) -> HTTPException:
    """A 422 naming the query field, shaped like FastAPI's own validation errors."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}],
    )


def unknown_repo(error: UnknownRepositoryError) -> HTTPException:
    """The 404 for `?repo=` naming no collected repository, worded as the CLI words it."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error))


def require_repo(session: Session, repo: str | None) -> None:
    """404 unless `repo` (when given) was collected: an unknown name is not an empty one."""
    if repo is None:
        return
    try:
        require_repository(session, repo)
    except UnknownRepositoryError as error:
        raise unknown_repo(error) from None


def as_utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC, the zone every stored time is in."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
