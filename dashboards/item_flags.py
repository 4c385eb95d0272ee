"""Friction flags beside the PRs, files and workflows a page shows.

Pages list items; the HTTP layer asks `app.flags` once for the flags tied to all of them (it
alone decides who may see which flag) and hands them here to be keyed by item. A flag shown
here carries no author when it is anonymous, by construction: `author` is taken only from
named flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


class FlagLike(Protocol):
    """What `app.flags.FlagView` offers (dashboards do not import `app.flags`)."""

    id: int
    category: str
    summary: str
    status: str
    anonymous: bool
    author_login: str | None
    repo: str | None
    pull_number: int | None
    path: str | None
    workflow: str | None


@dataclass(frozen=True)
class ItemFlag:
    id: int
    category: str
    summary: str
    status: str
    anonymous: bool
    author: str | None  # always None for an anonymous flag


@dataclass
class PageItems:
    """The items a page shows, as (repo, number), (repo, path) and (repo, workflow)."""

    pulls: set[tuple[str, int]] = field(default_factory=set)
    paths: set[tuple[str, str]] = field(default_factory=set)
    workflows: set[tuple[str, str]] = field(default_factory=set)


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
