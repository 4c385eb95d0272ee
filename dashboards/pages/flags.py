"""Friction flags beside the PRs, files and workflows a page lists, found while it is built.

A page builder takes the flag lookup (`dashboards.item_flags.FlagLookup`; the web front door
passes `app.flags.lookup.lookup`, which alone decides who sees which flag) and returns the page
with its flags in place: one lookup for all of its items and the evidence of its talking
points. No one changes a page after its builder returns it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from sqlmodel import Session

from app.core.access import Viewer
from dashboards.item_flags import FlagLookup, items_of, keyed_flags
from dashboards.talking_points import with_flags

P = TypeVar("P")


def with_item_flags(page: P, session: Session, viewer: Viewer, flags: FlagLookup | None) -> P:
    """The page with the viewer's flags beside its items (unchanged without a lookup)."""
    if flags is None:
        return page
    keyed = keyed_flags(flags, session, viewer, items_of(page))
    changes: dict[str, Any] = {"item_flags": keyed}
    if hasattr(page, "talking_points"):  # and beside the evidence of each talking point
        changes["talking_points"] = with_flags(page.talking_points, keyed)
    return replace(page, **changes)  # type: ignore[type-var]
