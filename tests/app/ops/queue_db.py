"""Procrastinate's tables between tests: the database fixtures empty only our models' tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from app.core.settings import Settings
from app.ops.queue import Queue
from app.ops.tasks import Runtime

TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def empty_queue(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DELETE FROM {table}")


@pytest.fixture
def queue(settings: Settings, engine: Engine) -> Iterator[Queue]:
    """A queue without the schedule, on an empty queue table, emptied again afterwards."""
    empty_queue(engine)
    yield Queue(Runtime(settings, engine), schedule=False)
    empty_queue(engine)
