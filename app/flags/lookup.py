"""The one flag lookup every front door uses to put friction flags beside the items it shows.

`app.flags.rules.flags_for_items` decides who sees which flag; this adapter gives it the
`dashboards.item_flags.FlagLookup` shape so the read side (pages, API answers, digests) can
ask without importing `app.flags.rules`. A page or an answer costs one lookup (a fixed handful of
statements) however many of its items are flagged; only answers listing more than
`ITEMS_PER_LOOKUP` items are looked up in slices, so no statement outgrows the databases'
limit on bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from app.core.access import Viewer
from app.flags.rules import flags_for_items
from app.flags.schemas import FlagView
from dashboards.item_flags import ItemFlag, PageItems, beside, keyed_flags, pull_key

ITEMS_PER_LOOKUP = 2000  # SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535
# The terminal reads the database itself, so `gemba` commands see flags as an admin does
# (anonymous flags of small teams stay hidden from admins too).
TERMINAL = Viewer(person_id=0, login="(terminal)", is_admin=True)


def _find(session: Session, viewer: Viewer, items: PageItems) -> list[FlagView]:
    return flags_for_items(
        session, viewer, pulls=items.pulls, paths=items.paths, workflows=items.workflows
    )


def lookup(session: Session, viewer: Viewer, items: PageItems) -> Sequence[FlagView]:
    """Flags tied to any of `items` that `viewer` may see (app.flags.rules' rules), newest first."""
    if len(items.pulls) <= ITEMS_PER_LOOKUP:
        return _find(session, viewer, items)
    pulls = sorted(items.pulls)
    parts = [
        PageItems(pulls=set(pulls[start : start + ITEMS_PER_LOOKUP]))
        for start in range(0, len(pulls), ITEMS_PER_LOOKUP)
    ]
    parts.append(PageItems(paths=items.paths, workflows=items.workflows))
    found = {flag.id: flag for part in parts for flag in _find(session, viewer, part)}
    return sorted(found.values(), key=lambda flag: (-flag.created_at.timestamp(), flag.id))


def flags_by_item(session: Session, viewer: Viewer, items: PageItems) -> dict[str, list[ItemFlag]]:
    """The viewer's flags beside each item, keyed as `dashboards.item_flags` keys them."""
    return keyed_flags(lookup, session, viewer, items)


def pull_rows(session: Session, viewer: Viewer, pulls: Iterable[Any]) -> list[dict[str, Any]]:
    """Each PR (a dataclass with `repository` and `number`) as a dict with its `flags`, as
    `/api/v1/pulls` and `gemba pulls --json` both give them."""
    rows = [asdict(pull) for pull in pulls]
    items = PageItems(pulls={(row["repository"], row["number"]) for row in rows})
    keyed = flags_by_item(session, viewer, items)
    for row in rows:
        row["flags"] = beside(keyed, pull_key(row["repository"], row["number"]))
    return rows
