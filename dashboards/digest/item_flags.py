"""Open friction flags beside the PRs, files and talking points of one recipient's digest.

The digest is built for one person, so it asks, in one lookup for all its lines, which flags
tied to them that person may see: the lookup comes from the front door that sends or shows
the digest (`app.flags.lookup.lookup`; dashboards do not import `app.flags.rules`). The recipient is
asked about as a person, never as an admin: digests have no admin view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from app.core.access import Viewer
from app.core.models import Person
from dashboards.digest.data import DigestData, OpenFlags
from dashboards.item_flags import FlagLookup, ItemFlag, ItemRef, PageItems, keyed_flags, open_flags

PR_LISTS = ("waiting_now", "review_requests", "own_waiting")
FILE_LISTS = ("hotspots", "knowledge_risk")


def _refs(line: Any) -> tuple[ItemRef, ...]:
    """What one digest line is about: a PR, a file, or a talking point's evidence."""
    if hasattr(line, "items"):
        return tuple(line.items)
    if hasattr(line, "number"):
        return (ItemRef("pull", line.repo, line.number),)
    return (ItemRef("path", line.repo, line.path),)


def _lines(data: DigestData) -> Iterable[tuple[str, list[Any]]]:
    for name in (*PR_LISTS, *FILE_LISTS, "talking_points"):
        yield name, getattr(data, name)


def attach_flags(
    session: Session, data: DigestData, recipient: Person, lookup: FlagLookup
) -> DigestData:
    """`data` with, beside each line, the open flags tied to it that `recipient` may see."""
    assert recipient.id is not None
    refs = [ref for _, lines in _lines(data) for line in lines for ref in _refs(line)]
    viewer = Viewer(person_id=recipient.id, login=recipient.login)
    keyed: dict[str, list[ItemFlag]] = keyed_flags(lookup, session, viewer, PageItems.of(refs))
    for name, lines in _lines(data):
        flagged = [
            replace(line, flags=OpenFlags.of(open_flags(keyed, _refs(line)))) for line in lines
        ]
        setattr(data, name, flagged)
    return data
