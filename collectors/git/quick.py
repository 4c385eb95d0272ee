"""Is a repository's stored history already at its HEAD? Asked with the standard library only.

A scheduled `gemba collect git` mostly finds nothing new, and then its cost is start-up: the
collector's imports (the models, GitPython) weigh more than the answer. So the command asks
this first, with one `git rev-parse` and one read-only SQLite query, and loads the collector
only when there is something to do. Whatever this is not sure of (not a SQLite file, a
repository git finds odd, a run in flight, an older schema) it leaves to the collector.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

SOURCE = "git"  # collectors/git/lease.py: the cursor rows of this collector


def sqlite_file(database_url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL (no driver options), else None."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if database_url.startswith(prefix):
            rest = database_url[len(prefix) :]
            if not rest or "?" in rest or rest == ":memory:":
                return None
            return Path(unquote(rest))
    return None


def repository_head(path: str | Path) -> tuple[str, str] | None:
    """(name the collector would store it under, HEAD sha) of a clean case: the top of a
    working tree, on a branch, with commits, not shallow. None for anything else."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--is-shallow-repository", "--show-toplevel",
             "HEAD", "--symbolic-full-name", "HEAD"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) < 4:
        return None
    shallow, top, head, ref = lines[:4]
    root = Path(top).resolve()
    if shallow != "false" or not ref.startswith("refs/heads/") or root != Path(path).resolve():
        return None
    return root.name, head


def stored_at_head(
    database_url: str, path: str | Path, name: str | None, schema: str
) -> tuple[str, str] | None:
    """(name, HEAD) when the history stored under `name` is complete at the repository's
    HEAD and the database is at migration `schema`; None when the collector must look."""
    database = sqlite_file(database_url)
    if database is None or not database.is_file():
        return None
    found = repository_head(path)
    if found is None:
        return None
    name = name or found[0]
    try:
        uri = f"{database.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            row = conn.execute(
                "SELECT position FROM synccursor WHERE source = ? AND repository = ?",
                (SOURCE, name),
            ).fetchone()
    except sqlite3.Error:
        return None
    if version != [(schema,)] or row is None or not row[0]:
        return None
    try:
        position = json.loads(row[0])
    except ValueError:
        return None
    if not isinstance(position, dict) or position.get("pending"):
        return None
    return (name, found[1]) if position.get("head") == found[1] else None
