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
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

ENTRIES = 8  # per database: a few repositories and periods, each a few MB for 20,000 files
T = TypeVar("T")

_lock = threading.Lock()
_by_engine: weakref.WeakKeyDictionary[Engine, OrderedDict[Hashable, object]] = (
    weakref.WeakKeyDictionary()
)


def _entries(session: Session) -> OrderedDict[Hashable, object]:
    engine = session.get_bind().engine
    found = _by_engine.get(engine)
    if found is None:
        found = _by_engine[engine] = OrderedDict()
    return found


def remember(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    """The value kept under `key` for this session's database, else `build()` kept there
    (least recently used entries leave first, at most `ENTRIES`)."""
    with _lock:
        entries = _entries(session)
        if key in entries:
            entries.move_to_end(key)
            return entries[key]  # type: ignore[return-value]
    value = build()
    with _lock:
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > ENTRIES:
            entries.popitem(last=False)
    return value


def forget(session: Session) -> None:
    """Drop every map kept for this session's database (tests and benchmarks time cold maps)."""
    with _lock:
        _entries(session).clear()
