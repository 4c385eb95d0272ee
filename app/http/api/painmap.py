"""The pain map of a repository, and the evidence behind one path of it.

Any signed-in viewer may read it: boxes describe files, and a file's owner (main author) is
the only person it names. Flags count only what this viewer may see (`app.flags.lookup`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from app.core.access import Viewer
from app.core.settings import Settings
from app.flags.lookup import lookup
from app.http.api.query import (
    REPO_NOT_FOUND,
    IsoTime,
    as_utc,
    bad_query,
    unknown_repo,
)
from app.http.deps import SessionDep, SettingsDep, ViewerDep
from dashboards.reports import painmap as report
from dashboards.reports.repositories import UnknownRepositoryError

router = APIRouter(tags=["painmap"])

DEFAULT_PERIOD = timedelta(days=90)
RepoQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="Repository name, as collected")
]
TimeQuery = Annotated[IsoTime | None, Query(description="ISO 8601; default: the last 90 days")]
ColorQuery = Annotated[
    str, Query(pattern="^(" + "|".join(report.COLORS) + ")$", description="What colours the boxes")
]
PathQuery = Annotated[str, Query(max_length=2000, description="A file or directory at HEAD")]


@router.get("/painmap", responses=REPO_NOT_FOUND)
def get_painmap(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    repo: RepoQuery,
    since: TimeQuery = None,
    until: TimeQuery = None,
    color: ColorQuery = "hotspot",
) -> dict[str, Any]:
    """Boxes of the repository at HEAD (`id`, `parent`, `path`, `loc`, every metric)."""
    query = map_query(viewer, settings, repo, since, until)
    try:
        return report.answer(session, query, color=color)
    except UnknownRepositoryError as error:
        raise unknown_repo(error) from None


@router.get("/painmap/path", responses=REPO_NOT_FOUND)
def get_painmap_path(
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    repo: RepoQuery,
    path: PathQuery = "",
    since: TimeQuery = None,
    until: TimeQuery = None,
) -> dict[str, Any]:
    """The PRs, runs, flags and commits behind one path's numbers, each with its link."""
    query = map_query(viewer, settings, repo, since, until)
    try:
        return report.panel(session, query, path)
    except UnknownRepositoryError as error:
        raise unknown_repo(error) from None
    except LookupError as error:
        raise HTTPException(404, detail=str(error)) from None


def map_query(
    viewer: Viewer, settings: Settings, repo: str, since: datetime | None, until: datetime | None
) -> report.MapQuery:
    """The period checked (422 when the start is not before the end), flags as `viewer` sees."""
    end = as_utc(until) or datetime.now(UTC)
    start = as_utc(since) or end - DEFAULT_PERIOD
    if start >= end:
        raise bad_query("since", "since must be before until")
    return report.MapQuery(repo, start, end, viewer, lookup, settings)
