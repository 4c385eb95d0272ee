"""Remembered pain maps: the evidence of a repository over a period, kept per database while
the data behind it stays the same.

Reading a large repository's history, PRs and runs takes seconds; a map asked again (another
viewer, another colour, the path panel, the page after the API) reuses it. Each entry is keyed
on the data version of `dashboards.queries.painmap.data_version`: a collect or a new row moves
that version, so the next request builds a fresh entry and the stale one ages out. Flags are
never remembered here: they depend on who looks, and the caller looks them up each time.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

# Per database: at most ENTRIES maps, and at most FILES files over all of them (a map takes
# about 150 bytes a file: 60,000 files is about 10 MB), so a team page's few repositories and
# their periods stay remembered beside one 20,000-file repository.
ENTRIES = 64
FILES = 60_000
# People's parts of their repositories' maps (`painmap_team._persons_part`) are kept apart
# from the whole maps, with room for one per person and period of an organisation: the whole
# maps a person's first view reads (five or six repositories each) would otherwise push every
# other person's part out before their page is opened again.
PART_ENTRIES = 1_000
PART_FILES = 150_000
T = TypeVar("T")
Entries = OrderedDict[Hashable, tuple[Any, int]]

_lock = threading.Lock()
_by_engine: weakref.WeakKeyDictionary[Engine, dict[bool, Entries]] = weakref.WeakKeyDictionary()


def _entries(session: Session, part: bool) -> Entries:
    engine = session.get_bind().engine
    stores = _by_engine.get(engine)
    if stores is None:
        stores = _by_engine[engine] = {}
    return stores.setdefault(part, OrderedDict())


def remember(
    session: Session,
    key: Hashable,
    build: Callable[[], T],
    size: Callable[[T], int],
    *,
    part: bool = False,
) -> T:
    """The value kept under `key` for this session's database, else `build()` kept there
    (least recently used entries leave first: at most `ENTRIES`, at most `FILES` in all by
    `size`, though the newest stays whatever its size; a person's `part` is kept among the
    parts, within `PART_ENTRIES` and `PART_FILES`)."""
    with _lock:
        entries = _entries(session, part)
        if key in entries:
            entries.move_to_end(key)
            return entries[key][0]
    value = build()
    most, files = (PART_ENTRIES, PART_FILES) if part else (ENTRIES, FILES)
    with _lock:
        entries[key] = (value, size(value))
        entries.move_to_end(key)
        while len(entries) > 1 and (
            len(entries) > most or sum(n for _, n in entries.values()) > files
        ):
            entries.popitem(last=False)
    return value


def forget(session: Session) -> None:
    """Drop every map and part kept for this session's database (tests and benchmarks time
    cold maps)."""
    with _lock:
        for part in (False, True):
            _entries(session, part).clear()
