"""Test databases built by migrations, on SQLite always and on PostgreSQL when asked.

SQLite: one migrated template file per session, copied for each test.
PostgreSQL (GEMBA_TEST_DATABASE_URL): one database per xdist worker, migrated once, emptied
after each test. Every test that takes `db_url` runs on both backends.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.core.db import make_engine, upgrade
from app.core.models import metadata
from app.core.settings import Settings
from dashboards.pages.baseline import forget_baselines

pytest_plugins = ["tests.world.github_api"]

PG_URL = os.environ.get("GEMBA_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_worker_url(worker_id: str) -> Iterator[str]:
    assert PG_URL is not None
    base = make_url(PG_URL)
    # The pid keeps concurrent runs (several checkouts, CI) from dropping each other's databases.
    name = f"gemba_test_{worker_id}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    """Delete every row and restart every sequence, as TRUNCATE ... RESTART IDENTITY would.

    TRUNCATE gives each of the ~40 tables new files, about 0.4 s per test; deleting the few
    rows a test wrote costs a tenth of that. Foreign-key triggers are off for the deletes
    (`session_replication_role`), since every table is emptied."""
    engine = _cleaners.setdefault(url, create_engine(url))
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.execute(
            text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        ).scalars()
        for sequence in list(sequences):
            connection.execute(text("SELECT setval(:name, 1, false)"), {"name": sequence})


_cleaners: dict[str, Engine] = {}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "gemba.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_worker_url")
    yield url
    _empty_postgres(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    db_engine = make_engine(db_url)
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        data_dir=tmp_path / "data",
        github_seconds_between_requests=0,
    )


@pytest.fixture(autouse=True)
def _no_kept_baselines() -> None:
    """Each test starts with no page baseline kept: an emptied database gives the next test
    the same ids, hence the same data version, for different rows."""
    forget_baselines()


@pytest.fixture(autouse=True)
def _no_gemba_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set, never the developer's environment."""
    for key in list(os.environ):
        if key.startswith("GEMBA_") and key != "GEMBA_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
