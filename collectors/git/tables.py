"""The tables the git collector writes, as plain SQLAlchemy table clauses.

The collector names only the columns it reads and writes, with their types (which decide how
a timestamp is stored), so `gemba collect git` runs without importing the 40 SQLModel table
classes (a fifth of a first collect's own CPU on a history of a few thousand commits). The
tables themselves are defined by the models (app/core/models); a test holds every column here
equal in name and type to the model's.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, column, table

repo_t = table(
    "repository",
    column("id", Integer),
    column("name", String),
    column("path", String),
    column("default_branch", String),
)
cursor_t = table(
    "synccursor",
    column("id", Integer),
    column("source", String),
    column("repository", String),
    column("position", String),
    column("updated_at", DateTime(timezone=True)),
    column("locked_by", String),
    column("locked_until", DateTime(timezone=True)),
)
commit_t = table(
    "commit",
    column("id", Integer),
    column("repository_id", Integer),
    column("sha", String),
)
change_t = table(
    "filechange",
    column("id", Integer),
    column("commit_id", Integer),
    column("path", String),
)
file_t = table(
    "repofile",
    column("repository_id", Integer),
    column("path", String),
    column("loc", Integer),
    column("is_binary", Boolean),
    column("size_bytes", BigInteger),
)
