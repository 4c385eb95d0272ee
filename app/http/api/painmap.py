"""The pain map of a repository, and the evidence behind one path of it.

Any signed-in viewer may read it: boxes describe files, and a file's owner (main author) is
the only person it names. Flags count only what this viewer may see (`app.flags.lookup`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from sqlmodel import select

from app.core import access
from app.core.access import Viewer
from app.core.models import Team
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
from dashboards.queries.reviews import team_scope
from dashboards.reports import painmap as report
from dashboards.reports.painmap_team import team_answer
from dashboards.reports.repositories import UnknownRepositoryError

router = APIRouter(tags=["painmap"])

DEFAULT_PERIOD = timedelta(days=90)
RepoQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="Repository name, as collected")
]
OptionalRepoQuery = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Repository name, as collected")
]
TeamQuery = Annotated[
    str | None, Query(min_length=1, max_length=100, description="A team: its repositories' map")
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
    repo: OptionalRepoQuery = None,
    team: TeamQuery = None,
    since: TimeQuery = None,
    until: TimeQuery = None,
    color: ColorQuery = "hotspot",
) -> dict[str, Any]:
    """Boxes of a repository at HEAD (`id`, `parent`, `path`, `loc`, every metric), or of a
    team's repositories (one top-level box each)."""
    if (repo is None) == (team is None):
        raise bad_query("repo", "give exactly one of repo and team")
    if team is not None:
        found = session.exec(select(Team).where(Team.name == team)).first()
        if found is None or found.id not in access.visible_teams(session, viewer):
            raise HTTPException(404, detail=f"no team named {team!r} that you may see")
        query = map_query(viewer, settings, team, since, until)
        logins = team_scope(session, found).logins or frozenset()
        return team_answer(session, query, team=team, logins=logins, color=color)
    query = map_query(viewer, settings, str(repo), since, until)
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
    end = as_utc(until) or report.as_of(datetime.now(UTC))
    start = as_utc(since) or end - DEFAULT_PERIOD
    if start >= end:
        raise bad_query("since", "since must be before until")
    return report.MapQuery(repo, start, end, viewer, lookup, settings)
