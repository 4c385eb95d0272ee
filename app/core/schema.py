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
