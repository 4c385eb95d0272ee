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
T = TypeVar("T")

_lock = threading.Lock()
_by_engine: weakref.WeakKeyDictionary[Engine, OrderedDict[Hashable, tuple[Any, int]]] = (
    weakref.WeakKeyDictionary()
)


def _entries(session: Session) -> OrderedDict[Hashable, tuple[Any, int]]:
    engine = session.get_bind().engine
    found = _by_engine.get(engine)
    if found is None:
        found = _by_engine[engine] = OrderedDict()
    return found


def remember(
    session: Session, key: Hashable, build: Callable[[], T], size: Callable[[T], int]
) -> T:
    """The value kept under `key` for this session's database, else `build()` kept there
    (least recently used entries leave first: at most `ENTRIES`, at most `FILES` in all by
    `size`, though the newest stays whatever its size)."""
    with _lock:
        entries = _entries(session)
        if key in entries:
            entries.move_to_end(key)
            return entries[key][0]
    value = build()
    with _lock:
        entries[key] = (value, size(value))
        entries.move_to_end(key)
        while len(entries) > 1 and (
            len(entries) > ENTRIES or sum(n for _, n in entries.values()) > FILES
        ):
            entries.popitem(last=False)
    return value


def forget(session: Session) -> None:
    """Drop every map kept for this session's database (tests and benchmarks time cold maps)."""
    with _lock:
        _entries(session).clear()
