"""File-level git signals: hotspots, coupling, ownership and knowledge risk of one repository.

Any signed-in viewer may read them: they describe files, and naming a file's main author is
how a team finds who to ask, not a ranking of people. Each file carries the friction flags
tied to it that this viewer may see (`flags`; `coupled_flags` for a pair's second file),
looked up once per answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlmodel import Session

from app.core.access import Viewer
from app.flags.lookup import flags_by_item
from app.http.api.query import REPO_NOT_FOUND, IsoTime, as_utc, unknown_repo
from app.http.deps import SessionDep, ViewerDep
from dashboards.item_flags import FlagsBeside, PageItems, beside, path_key
from dashboards.reports.hotspots import (
    UnknownRepository,
    coupling,
    hotspots,
    knowledge_risk,
    ownership,
)
from dashboards.signals.hotspots import (
    DEFAULT_WINDOW,
    Coupling,
    FileOwnership,
    Hotspot,
    KnowledgeRisk,
)

router = APIRouter(tags=["hotspots"])

Item = TypeVar("Item")

RepoQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="Repository name, as collected")
]
SinceQuery = Annotated[
    IsoTime | None,
    Query(description="Start of the window, ISO 8601 (default: 365 days before now)"),
]
LimitQuery = Annotated[int, Query(ge=1, le=1000, description="At most this many rows")]
NOT_FOUND = REPO_NOT_FOUND


@dataclass(frozen=True)
class FlaggedHotspot(Hotspot):
    flags: FlagsBeside


@dataclass(frozen=True)
class FlaggedCoupling(Coupling):
    flags: FlagsBeside  # of `path`
    coupled_flags: FlagsBeside  # of `coupled_path`


@dataclass(frozen=True)
class FlaggedOwnership(FileOwnership):
    flags: FlagsBeside


@dataclass(frozen=True)
class FlaggedKnowledgeRisk(KnowledgeRisk):
    flags: FlagsBeside


class SignalList(BaseModel, Generic[Item]):
    """One signal over one repository, with the window it covers."""

    repo: str
    since: datetime
    now: datetime
    items: list[Item]


@dataclass(frozen=True)
class FileSignalQuery:
    """What every file signal route takes: the repository, the window start and a row limit."""

    session: Session
    viewer: Viewer
    repo: str
    since: datetime | None
    limit: int

    def answer(
        self, function: Callable[..., list[Any]], flagged: type[Any], **kw: Any
    ) -> dict[str, Any]:
        """Run one signal over the window ending now, each file with its flags (`flagged` is
        the row type that carries them); 422 for a future start, 404 for no repo."""
        now = datetime.now(UTC)
        since = as_utc(self.since)
        if since is not None and since > now:
            raise HTTPException(
                422,
                detail=[
                    {"loc": ["query", "since"], "msg": "since is in the future", "type": "value"}
                ],
            )
        try:
            items = function(
                self.session, repo=self.repo, now=now, since=since, limit=self.limit, **kw
            )
        except UnknownRepository as error:
            raise unknown_repo(error) from None
        start = since if since is not None else now - DEFAULT_WINDOW
        items = self._with_flags(items, flagged)
        return {"repo": self.repo, "since": start, "now": now, "items": items}

    def _with_flags(self, items: list[Any], flagged: type[Any]) -> list[Any]:
        """Each row as `flagged`, with the flags beside its file (and its coupled file)."""
        paths = {
            (self.repo, p) for i in items for p in (i.path, getattr(i, "coupled_path", i.path))
        }
        keyed = flags_by_item(self.session, self.viewer, PageItems(paths=paths))
        rows = []
        for item in items:
            values = {f.name: getattr(item, f.name) for f in fields(item)}
            values["flags"] = beside(keyed, path_key(self.repo, item.path))
            if "coupled_path" in values:
                values["coupled_flags"] = beside(keyed, path_key(self.repo, item.coupled_path))
            rows.append(flagged(**values))
        return rows


def file_signal_query(
    session: SessionDep,
    viewer: ViewerDep,
    repo: RepoQuery,
    since: SinceQuery = None,
    limit: LimitQuery = 50,
) -> FileSignalQuery:
    """Any signed-in viewer; the parameters all four routes share."""
    return FileSignalQuery(session=session, viewer=viewer, repo=repo, since=since, limit=limit)


FileSignalDep = Annotated[FileSignalQuery, Depends(file_signal_query)]


@router.get("/hotspots", response_model=SignalList[FlaggedHotspot], responses=NOT_FOUND)
def get_hotspots(query: FileSignalDep) -> dict[str, Any]:
    """Files at HEAD ranked by (commits / max) x (loc / max) over the window."""
    return query.answer(hotspots, FlaggedHotspot)


@router.get("/coupling", response_model=SignalList[FlaggedCoupling], responses=NOT_FOUND)
def get_coupling(
    query: FileSignalDep,
    max_changeset: Annotated[int, Query(ge=1, le=10_000)] = 30,
    min_revs: Annotated[int, Query(ge=1)] = 5,
    min_shared: Annotated[int, Query(ge=1)] = 5,
    min_degree: Annotated[float, Query(ge=0, le=100)] = 30.0,
) -> dict[str, Any]:
    """Pairs of files changed together: degree = 100 x shared / mean(commits of each)."""
    return query.answer(
        coupling,
        FlaggedCoupling,
        max_changeset=max_changeset,
        min_revs=min_revs,
        min_shared=min_shared,
        min_degree=min_degree,
    )


@router.get("/ownership", response_model=SignalList[FlaggedOwnership], responses=NOT_FOUND)
def get_ownership(query: FileSignalDep) -> dict[str, Any]:
    """Per file: distinct people, main author and their share of added lines."""
    return query.answer(ownership, FlaggedOwnership)


@router.get("/knowledge-risk", response_model=SignalList[FlaggedKnowledgeRisk], responses=NOT_FOUND)
def get_knowledge_risk(query: FileSignalDep) -> dict[str, Any]:
    """Files whose main author has made no commit in any repository for 90 days."""
    return query.answer(knowledge_risk, FlaggedKnowledgeRisk)
