"""The fast column types read what the ordinary ones read, on SQLite and PostgreSQL alike; the
cycle collector's pause during bulk reads always ends."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import type_coerce
from sqlmodel import Session, select

from app.core.models import Repository, WorkflowRun
from app.core.models.base import as_utc
from dashboards.queries import bulk
from dashboards.queries.bulk import JsonText

CREATED = datetime(2026, 11, 20, 12, 30, 5, 123456, tzinfo=UTC)


def test_timestamps_and_json_read_as_the_models_types_read_them(session: Session) -> None:
    repo = Repository(name="acme/api")
    session.add(repo)
    session.flush()
    assert repo.id is not None
    for run_id, numbers in ((1, []), (2, [3, 5]), (3, [7])):
        session.add(
            WorkflowRun(
                id=run_id,
                repository_id=repo.id,
                head_sha="a" * 40,
                created_at=CREATED.replace(second=run_id),
                updated_at=None if run_id == 1 else CREATED,
                pull_numbers=numbers,
            )
        )
    # not flushed: `bulk.rows` writes what is pending first, as a query through the ORM does
    times = (WorkflowRun.created_at, WorkflowRun.run_started_at, WorkflowRun.updated_at)
    order = WorkflowRun.id
    fast = bulk.rows(
        session,
        select(*bulk.utc(*times), type_coerce(WorkflowRun.pull_numbers, JsonText)).order_by(order),
    )
    usual = session.exec(select(*times, WorkflowRun.pull_numbers).order_by(order)).all()
    assert [tuple(r) for r in fast] == [
        (CREATED.replace(second=n), None, None if n == 1 else CREATED, numbers)
        for n, numbers in ((1, []), (2, [3, 5]), (3, [7]))
    ]
    assert [tuple(r) for r in fast] == [(*map(as_utc, r[:3]), r[3]) for r in usual]
    assert all(t.utcoffset() is not None for r in fast for t in r[:3] if t is not None)


def test_the_cycle_collector_resumes_after_the_last_pause_even_on_an_error() -> None:
    assert gc.isenabled()
    with bulk.collector_paused():
        assert not gc.isenabled()
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds it
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk.collector_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
