"""Friction flags beside the PRs, files and workflows a page, an API answer or a digest shows.

Pages list items; the front door asks `app.flags.rules` once for the flags tied to all of them (it
alone decides who may see which flag) and hands them here to be keyed by item. A flag shown
here carries no author when it is anonymous, by construction: `author` is taken only from
named flags. `FlagsBeside` is the one shape every JSON answer puts beside an item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlmodel import Session

from app.core.access import Viewer

FLAG_URL = "/flags/{id}"  # the flag's page (app/http/flag_pages.py), by its public id
STATUSES = ("open", "acknowledged", "answered")  # app.core.models.flags: a flag's life


class FlagLike(Protocol):
    """What `app.flags.rules.FlagView` offers (dashboards do not import `app.flags.rules`)."""

    id: str  # the random public id
    category: str
    summary: str
    status: str
    anonymous: bool
    author_login: str | None
    created_at: datetime  # an anonymous flag's is the start of its day
    repo: str | None
    pull_number: int | None
    path: str | None
    workflow: str | None


@dataclass(frozen=True)
class ItemFlag:
    """One flag beside an item, compact: what it says, where it stands, where to read it."""

    id: str  # the random public id
    category: str
    summary: str
    status: str  # open, acknowledged, answered
    anonymous: bool
    author: str | None  # always None for an anonymous flag
    url: str  # the flag's page: /flags/ID
    created_at: datetime  # an anonymous flag's is the start of its day


@dataclass(frozen=True)
class FlagsBeside:
    """The flags one viewer may see beside one item, counted by status and listed newest first.

    The same shape in every JSON answer that lists PRs, files or workflows."""

    open: int = 0
    acknowledged: int = 0
    answered: int = 0
    items: list[ItemFlag] = field(default_factory=list)

    @classmethod
    def of(cls, flags: Sequence[ItemFlag]) -> FlagsBeside:
        count = {status: sum(f.status == status for f in flags) for status in STATUSES}
        return cls(**count, items=list(flags))


@dataclass
class PageItems:
    """The items a page shows, as (repo, number), (repo, path) and (repo, workflow)."""

    pulls: set[tuple[str, int]] = field(default_factory=set)
    paths: set[tuple[str, str]] = field(default_factory=set)
    workflows: set[tuple[str, str]] = field(default_factory=set)

    def add(self, ref: ItemRef) -> None:
        if ref.kind == "pull":
            self.pulls.add((ref.repo, int(ref.name)))
        elif ref.kind == "path":
            self.paths.add((ref.repo, str(ref.name)))
        else:
            self.workflows.add((ref.repo, str(ref.name)))

    @classmethod
    def of(cls, refs: Iterable[ItemRef]) -> PageItems:
        items = cls()
        for ref in refs:
            items.add(ref)
        return items


@dataclass(frozen=True)
class ItemRef:
    """One PR, file or workflow that a talking point or a digest line talks about."""

    kind: Literal["pull", "path", "workflow"]
    repo: str
    name: str | int  # the PR number, the file path or the workflow name

    @property
    def key(self) -> str:
        if self.kind == "pull":
            return pull_key(self.repo, int(self.name))
        if self.kind == "path":
            return path_key(self.repo, str(self.name))
        return workflow_key(self.repo, str(self.name))


def flag_url(public_id: str) -> str:
    """Where a flag is read and answered (a page, never the API's JSON)."""
    return FLAG_URL.format(id=public_id)


def newest_first(flag: ItemFlag) -> tuple[float, str]:
    """Sort key: newest first by the time shown, then by id (never by the order of raising)."""
    return (-flag.created_at.timestamp(), flag.id)


def pull_key(repo: str, number: int) -> str:
    return f"pull:{repo}#{number}"


def path_key(repo: str, path: str) -> str:
    return f"path:{repo}:{path}"


def workflow_key(repo: str, workflow: str) -> str:
    return f"workflow:{repo}:{workflow}"


def _rows(page: Any, *names: str) -> list[Any]:
    return [row for name in names for row in (getattr(page, name, None) or [])]


def items_of(page: Any) -> PageItems:
    """Every PR, file and CI row the page lists (the same lists its template shows)."""
    items = PageItems()
    for row in _rows(page, "pulls", "waiting"):
        items.pulls.add((row.repo, row.number))
    for row in _rows(page, "files", "knowledge_risk"):
        items.paths.add((row.repo, row.path))
    for row in _rows(page, "ci_hits", "flaky_jobs", "workflows"):
        items.workflows.add((row.repo, row.workflow))
    for row in getattr(getattr(page, "agreements", None), "ledger", None) or []:
        if row.repo and row.pull_number is not None:  # the exceptions ledger's PRs and runs
            items.pulls.add((row.repo, row.pull_number))
        elif row.repo and row.workflow:
            items.workflows.add((row.repo, row.workflow))
    for point in _rows(page, "talking_points"):  # the evidence behind each point, too
        for evidence in point.evidence:
            for ref in evidence.items:
                items.add(ref)
    return items


def by_item(flags: Iterable[FlagLike], items: PageItems) -> dict[str, list[ItemFlag]]:
    """Flags keyed by the item they are shown beside; one flag may sit beside several items."""
    keyed: dict[str, list[ItemFlag]] = {}
    for flag in flags:
        if flag.repo is None:
            continue
        shown = ItemFlag(
            id=flag.id,
            category=flag.category,
            summary=flag.summary,
            status=flag.status,
            anonymous=flag.anonymous,
            author=None if flag.anonymous else flag.author_login,
            url=flag_url(flag.id),
            created_at=flag.created_at,
        )
        keys = []
        if flag.pull_number is not None and (flag.repo, flag.pull_number) in items.pulls:
            keys.append(pull_key(flag.repo, flag.pull_number))
        if flag.path is not None and (flag.repo, flag.path) in items.paths:
            keys.append(path_key(flag.repo, flag.path))
        if flag.workflow is not None and (flag.repo, flag.workflow) in items.workflows:
            keys.append(workflow_key(flag.repo, flag.workflow))
        for key in keys:
            keyed.setdefault(key, []).append(shown)
    return keyed


class FlagLookup(Protocol):
    """Finds the flags tied to some items that a viewer may see, in a fixed number of queries.

    The front doors pass `app.flags.lookup.lookup`; dashboards may not import `app.flags.rules`."""

    def __call__(self, session: Session, viewer: Viewer, items: PageItems) -> Sequence[FlagLike]:
        """Flags tied to any of `items`, filtered by the viewer's visibility rules."""
        ...


def keyed_flags(
    lookup: FlagLookup, session: Session, viewer: Viewer, items: PageItems
) -> dict[str, list[ItemFlag]]:
    """The viewer's flags beside each of `items`, keyed by `pull_key`/`path_key`/`workflow_key`."""
    if not (items.pulls or items.paths or items.workflows):
        return {}
    return by_item(lookup(session, viewer, items), items)


def beside(keyed: dict[str, list[ItemFlag]], key: str) -> FlagsBeside:
    return FlagsBeside.of(keyed.get(key, []))


def open_flags(keyed: dict[str, list[ItemFlag]], refs: Iterable[ItemRef]) -> tuple[ItemFlag, ...]:
    """The flags not yet answered beside any of `refs`, each once, newest first."""
    found = {flag.id: flag for ref in refs for flag in keyed.get(ref.key, [])}
    return tuple(sorted((f for f in found.values() if f.status != "answered"), key=newest_first))
