"""The unchanged re-collect answered before the collector loads, and only when it is sure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from app.core.db import make_engine, schema_head
from app.core.models import SyncCursor
from collectors.git.quick import sqlite_file, stored_at_head
from collectors.git.store import collect_git
from tests.paths import ROOT
from tests.world.git import RepoBuilder


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "gemba.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def collected(tmp_path: Path, sqlite_url: str) -> tuple[RepoBuilder, Engine]:
    repo = RepoBuilder(tmp_path / "svc")
    repo.lines("a.py", 3)
    repo.commit("one")
    engine = make_engine(sqlite_url)
    collect_git(engine, repo.path)
    return repo, engine


def test_a_stored_head_is_known_without_the_collector(
    collected: tuple[RepoBuilder, Engine], sqlite_url: str
) -> None:
    repo, _ = collected
    assert stored_at_head(sqlite_url, repo.path, None, schema_head()) == ("svc", repo.head())
    assert stored_at_head(sqlite_url, repo.path, "other", schema_head()) is None
    assert stored_at_head(sqlite_url, repo.path, None, "0001") is None  # an older schema
    repo.lines("a.py", 4)
    repo.commit("two")
    assert stored_at_head(sqlite_url, repo.path, None, schema_head()) is None  # something new


def test_anything_unsure_is_left_to_the_collector(
    collected: tuple[RepoBuilder, Engine], sqlite_url: str, tmp_path: Path
) -> None:
    repo, engine = collected
    head = schema_head()
    assert stored_at_head(sqlite_url, repo.path / "sub", None, head) is None  # not the top
    assert stored_at_head(f"sqlite:///{tmp_path / 'none.db'}", repo.path, None, head) is None
    assert stored_at_head("postgresql+psycopg://x@h/db", repo.path, None, head) is None
    repo.git("checkout", "-q", "--detach")
    assert stored_at_head(sqlite_url, repo.path, None, head) is None  # the collector says why
    repo.git("checkout", "-q", "main")
    with engine.begin() as conn:
        pending = {"head": repo.head(), "pending": {"target": repo.head(), "mode": "full"}}
        conn.execute(update(SyncCursor).values(position=json.dumps(pending)))
    assert stored_at_head(sqlite_url, repo.path, None, head) is None  # a run in flight


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////var/x.db", "/var/x.db"),
        ("sqlite:///rel/x%20y.db", "rel/x y.db"),
        ("sqlite+pysqlite:////a.db", "/a.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:////a.db?mode=ro", None),
    ],
)
def test_only_plain_sqlite_files_are_read(url: str, path: str | None) -> None:
    assert sqlite_file(url) == (Path(path) if path else None)


def test_the_unchanged_cli_loads_neither_the_collector_nor_sqlalchemy(
    collected: tuple[RepoBuilder, Engine], sqlite_url: str
) -> None:
    repo, _ = collected
    probe = (
        f"import sys; sys.argv = ['gemba', 'collect', 'git', {str(repo.path)!r}]\n"
        "from app.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('git', 'collectors.git.store', 'sqlmodel', 'sqlalchemy',"
        " 'alembic', 'github', 'plotly') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env["GEMBA_DATABASE_URL"] = sqlite_url
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == f"svc: up to date at {repo.head()[:12]}"
    assert out[-1] == "[]"
