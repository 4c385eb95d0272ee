"""A new SQLite file gets its schema in one step: it must be the schema the migrations build."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from app.core import schema as schema_module
from app.core.db import create_new_sqlite, ensure_schema, is_current, make_engine, upgrade
from app.core.schema import SQLITE_SCHEMA, render_sqlite_schema, schema_head, sqlite_statements


def schema(engine: Engine) -> dict[str, Any]:
    """Everything SQLAlchemy can read back about each table, in a comparable form.

    Columns are compared by name, not position: a migration adds a column at the end of its
    table, the models may name it earlier, and nothing reads columns by position.
    """
    found = inspect(engine)
    result: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        result[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], c.get("default"), c.get("primary_key"))
                for c in found.get_columns(table)
            ),
            "primary key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in found.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "checks": sorted(c["sqltext"] for c in found.get_check_constraints(table)),
        }
    return result


def test_one_step_schema_equals_the_migrated_one(tmp_path: Path) -> None:
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(migrated)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert create_new_sqlite(fresh)
    old = make_engine(migrated)
    assert schema(fresh) == schema(old)
    assert "commit" in schema(fresh) and is_current(fresh)
    with fresh.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            tuple(r)
            for r in old.connect().exec_driver_sql("SELECT version_num FROM alembic_version")
        ]
    fresh.dispose()
    old.dispose()


def test_a_database_with_tables_is_left_to_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    assert not create_new_sqlite(engine)
    assert not is_current(engine)
    ensure_schema(engine)  # migrated, not rebuilt
    assert is_current(engine)
    engine.dispose()


def test_two_creators_at_once_build_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    engines = [make_engine(url) for _ in range(2)]
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda e=e: results.append(create_new_sqlite(e))) for e in engines
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert all(is_current(e) for e in engines)
    for engine in engines:
        engine.dispose()


def test_the_sqlite_schema_file_is_what_the_models_create() -> None:
    """A new file is built from `app/core/sqlite_schema.sql`, without the models: it must hold
    what `create_all` runs. After a change to the models, write it again with
    `python -m app.core.schema > app/core/sqlite_schema.sql`."""
    assert SQLITE_SCHEMA.read_text(encoding="utf-8") == render_sqlite_schema()
    assert sqlite_statements() is not None


def test_a_schema_file_for_another_migration_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "sqlite_schema.sql"
    stale.write_text(render_sqlite_schema().replace(schema_head(), "0000", 1), encoding="utf-8")
    monkeypatch.setattr(schema_module, "SQLITE_SCHEMA", stale)
    assert sqlite_statements() is None
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(migrated)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert create_new_sqlite(fresh)  # by the models, then
    assert schema(fresh) == schema(make_engine(migrated))
    fresh.dispose()
