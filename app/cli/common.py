"""What every command shares: settings, an up-to-date database, clear errors, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from app.core.settings import Settings, get_settings

if TYPE_CHECKING:  # SQLAlchemy loads with the first database a command opens: an unchanged
    # `gemba collect git` answers without it (collectors/git/quick.py)
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]
DATE_METAVAR = "DATE"  # the strptime formats above would be the help's metavar otherwise
DATE_HELP = "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC unless it ends with an offset"


def settings() -> Settings:
    try:
        return get_settings()
    except ValueError as error:
        fail(f"invalid settings: {error}")


def engine(config: Settings | None = None, *, create: bool = False) -> Engine:
    """The configured database, migrated to the newest schema first. A missing SQLite file is
    an error (exit 1) unless the command may create one (`create`: collect, sync, demo)."""
    from app.core.db import MissingDatabaseError, ensure_schema, make_engine, require_database

    config = config or settings()
    try:
        require_database(config.database_url, create=create)
    except MissingDatabaseError as error:
        fail(str(error))
    db_engine = make_engine(config.database_url)
    ensure_schema(db_engine)
    return db_engine


@contextmanager
def session() -> Iterator[Session]:
    from app.core.db import session_scope

    db_engine = engine()
    try:
        with session_scope(db_engine) as db_session:
            yield db_session
    finally:
        db_engine.dispose()


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def check_repository(db: Session, repo: str, hint: str) -> None:
    """Exit 1 for a repository never collected, with the API's 404 sentence (the known names)
    and `hint`, how to collect it: an unknown name must not print an empty list."""
    from dashboards.reports.repositories import UnknownRepositoryError, require_repository

    try:
        require_repository(db, repo)
    except UnknownRepositoryError as error:
        fail(f"{error}; {hint}")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, default=_default, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
