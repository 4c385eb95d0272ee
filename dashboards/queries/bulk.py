"""Reads of tens of thousands of rows (a 90-day check of a whole organisation), where what
SQLAlchemy does per row costs more than the query: the ORM's loading of each row, a regular
expression per SQLite timestamp, a JSON decoder wrapped per value.

`rows` runs a select of columns past the ORM. `UtcText` and `JsonText` go in such a select
through `type_coerce(column, ...)`: the SQL is the same, only how Python reads the value
changes. SQLite hands back its stored text; PostgreSQL's driver already hands back datetimes
and lists, which pass through.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

from app.core.models.base import as_utc

_DECODER = json.JSONDecoder()  # its raw_decode: the C scanner, without `json.loads` around it


def _timestamp(value: str | None) -> datetime | None:
    """SQLite's stored text ("2026-11-20 12:00:00.000000", UTC) as an aware datetime; parsing
    it with its offset appended is several times faster than setting the zone afterwards."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # text that already names its offset
        return as_utc(datetime.fromisoformat(value))


def _json(value: str | None) -> Any:
    if value is None:
        return None
    if value == "[]":  # most labels, review requests and PR numbers of a run
        return []
    return _DECODER.raw_decode(value.strip())[0]


class UtcText(TypeDecorator[datetime]):
    """A UTC timestamp column (`UtcField`), read as an aware datetime."""

    impl = String
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        return _timestamp if dialect.name == "sqlite" else as_utc


class JsonText(TypeDecorator[Any]):
    """A JSON column (`JsonField`), read as its Python value."""

    impl = String
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        return _json if dialect.name == "sqlite" else None


def utc(*columns: Any) -> tuple[Any, ...]:
    """These timestamp columns, read as `UtcText`."""
    return tuple(type_coerce(column, UtcText) for column in columns)


def rows(session: Session, query: Any) -> list[Any]:
    """The rows of a select of columns as plain tuples, past the ORM's per-row loading; what
    the session has pending is written first, as the ORM would before a query."""
    session.flush()
    return list(session.connection().execute(query).all())


_PAUSE_LOCK = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a bulk read and its sums run.

    Such a read keeps tens of thousands of rows alive (tuples, which the collector tracks), so
    the collector keeps starting full passes over the whole process mid-read; in a 90-day
    agreements check for 50 people they took about a third of its time and freed nothing (the
    rows hold no cycles). Reference counting still frees everything as usual; the collector
    resumes when the last pause in any thread ends, unless it was off before the first."""
    global _pauses, _resume
    with _PAUSE_LOCK:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
