"""Which migration is the newest, read from the file names with the standard library only.

A command that finds nothing to do (an unchanged `gemba collect git`) compares this with the
database's `alembic_version` before SQLAlchemy or Alembic is imported.
"""

from __future__ import annotations

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def schema_head() -> str:
    """The newest migration's revision, without loading Alembic.

    Our revisions are the four-digit prefixes of their file names, one after the other
    (tests/app/core/test_migrations.py checks both against Alembic's own view).
    """
    names = (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    return max(path.name[:4] for path in names)


SQLITE_SCHEMA = Path(__file__).parent / "sqlite_schema.sql"
SQLITE_HEADER = "-- The whole schema for a new SQLite file, at migration "
SQLITE_SEPARATOR = "\n;\n"


def sqlite_statements() -> list[str] | None:
    """The statements that build a new SQLite file's whole schema, read from
    `sqlite_schema.sql` (no model imported); None when that file is for another migration
    than the newest, and the models must build it.

    The file is what `metadata.create_all` runs on SQLite (tests/app/core/
    test_schema_in_one_step.py holds them equal); after a change to the models, write it again
    with `python -m app.core.schema > app/core/sqlite_schema.sql`.
    """
    try:
        text = SQLITE_SCHEMA.read_text(encoding="utf-8")
    except OSError:
        return None
    header, _, body = text.partition("\n")
    if header != SQLITE_HEADER + schema_head():
        return None
    return [statement for statement in body.split(SQLITE_SEPARATOR) if statement.strip()]


def render_sqlite_schema() -> str:
    """What `sqlite_schema.sql` must hold: every statement `create_all` runs on SQLite, in its
    order (a table's indexes sorted), lines without trailing blanks."""
    from sqlalchemy import create_mock_engine

    from app.core.models import metadata

    statements: list[str] = []
    engine = create_mock_engine(
        "sqlite://",
        lambda sql, *_args, **_kwargs: statements.append(str(sql.compile(dialect=engine.dialect))),
    )
    metadata.create_all(engine, checkfirst=False)
    groups: list[list[str]] = []  # each table with its indexes, which come in set order: sorted
    for statement in statements:
        text = "\n".join(line.rstrip() for line in statement.strip().splitlines())
        if text.startswith("CREATE TABLE") or not groups:
            groups.append([text])
        else:
            groups[-1].append(text)
    body = SQLITE_SEPARATOR.join(
        text for table, *indexes in groups for text in [table, *sorted(indexes)]
    )
    return f"{SQLITE_HEADER}{schema_head()}\n{body}{SQLITE_SEPARATOR}"


if __name__ == "__main__":
    print(render_sqlite_schema(), end="")
