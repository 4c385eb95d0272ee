"""Engines, sessions and migrations for SQLite and PostgreSQL.

The caller owns the transaction: `session_scope()` commits when its block ends and rolls back
when it raises; code inside may `flush()` but never `commit()`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url

from app.core.schema import MIGRATIONS_DIR, schema_head, sqlite_statements

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlmodel import Session


class MissingDatabaseError(Exception):
    """A command that only reads was pointed at a SQLite file that does not exist."""


def database_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for PostgreSQL, memory and `file:` URIs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def require_database(url: str, *, create: bool = False) -> None:
    """Refuse a missing SQLite file unless this command may make one (`create`: db upgrade,
    collect, sync, demo), so that a mistyped path says so instead of becoming an empty
    database in new folders. A server that is not there fails on connect by itself."""
    path = database_file(url)
    if path is None or path.exists():
        return
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    raise MissingDatabaseError(
        f"no database at {path} (GEMBA_DATABASE_URL={url}): check the path, or create one "
        "with `gemba db upgrade` (collect, sync and demo also create it)"
    )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the SQLite pragmas we rely on: foreign keys, WAL, a busy timeout.

    It makes no folders: commands check `require_database` first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: Any, *, attempts: int = 300) -> None:
    """Put the file in WAL mode, waiting while another connection does the same.

    Switching the journal mode of a new file needs an exclusive lock, and SQLite answers
    "database is locked" at once instead of calling the busy handler when two connections
    make the switch together (seen when two processes create one database)."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error."""
    from sqlmodel import Session  # on use: a command that needs no session starts without it

    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """On SQLite, start the session's transaction with `BEGIN IMMEDIATE`; nothing on PostgreSQL.

    By default the SQLite driver runs reads outside any transaction and begins one only at the
    first write, so with more than one process (`gemba serve --workers N`) two transactions can
    both read that a row is missing and both insert it (measured: concurrent people imports
    answered 500, UNIQUE person.login). A deferred transaction that has read and then writes
    after another process's commit fails at once with "database is locked" instead (WAL: the
    busy timeout does not cover that upgrade). Taking the write lock first waits for it (up to
    the busy timeout), so the whole transaction sees one state. Call it before the session's
    first statement: the driver issues no BEGIN of its own while this one is open.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # imported on use: a command that migrates nothing
    # starts without Alembic (see `is_current`)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (the newest by default)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration (one query, no Alembic import)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return [row[0] for row in rows] == [schema_head()]


def ensure_schema(engine: Engine) -> None:
    """Bring a database up to date before a command uses it (new SQLite files included)."""
    if not is_current(engine) and not create_new_sqlite(engine):
        upgrade(engine.url.render_as_string(hide_password=False))


ALEMBIC_VERSION_DDL = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)  # as Alembic itself creates it


def create_new_sqlite(engine: Engine) -> bool:
    """Build an empty SQLite database's whole schema in one step, stamped with the head.

    Running every migration on a new file costs more than a first collect of a few thousand
    commits (Alembic's import and one batch table rebuild after another); the models are the
    same schema (`alembic check`, and a test compares the two databases). The statements come
    from `app/core/sqlite_schema.sql`, what the models' `create_all` runs (a test holds them
    equal), so a first collect does not import the 40 table models for it. False, and nothing
    done, when the database is not SQLite or already has tables: those are migrated.
    """
    if engine.dialect.name != "sqlite":
        return False
    statements = sqlite_statements()
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # one creator at a time, all or nothing
        tables = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).scalar_one()
        if tables:
            connection.rollback()
            return False
        if statements is None:  # the file is for another migration: the models build it
            from app.core.models import metadata  # every table

            metadata.create_all(connection)
        for statement in statements or ():
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(ALEMBIC_VERSION_DDL)
        connection.exec_driver_sql(
            "INSERT INTO alembic_version (version_num) VALUES (?)", (schema_head(),)
        )
        connection.commit()
    return True
