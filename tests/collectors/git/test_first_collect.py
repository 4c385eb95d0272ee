"""A first collect into a new SQLite file: reading starts before the database layer loads, the
schema comes from its SQL file, and the rows are those of an ordinary collect."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.db import alembic_config, is_current, make_engine, upgrade
from app.core.models import metadata
from app.core.settings import get_settings
from collectors.git import history as git_history
from collectors.git import store as git_store
from collectors.git import tables
from collectors.git.early import start_reading
from collectors.git.store import collect_git
from tests.collectors.git.test_store import _history, assert_same_as_clean
from tests.paths import ROOT
from tests.world.git import ALICE, BOB, CAROL, RepoBuilder, synthetic_history


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker-per-core path, forced on a short history."""
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 4)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 3)
    monkeypatch.setattr(git_history, "EARLY_CHUNK", 4)


def _repo(path: Path) -> RepoBuilder:
    repo = _history(path)
    for n in range(12):
        repo.lines(f"app/m{n % 4}.py", n + 2)
        repo.commit(f"more {n}", author=(ALICE, BOB, CAROL)[n % 3])
    repo.move("app/old name.py", "app/renamed.py")
    repo.commit("rename")
    return repo


def test_the_collector_tables_name_the_models_columns() -> None:
    for clause in (tables.repo_t, tables.cursor_t, tables.commit_t, tables.change_t, tables.file_t):
        model = metadata.tables[clause.name]
        for column in clause.columns:
            want = model.columns[column.name].type
            assert want._type_affinity is column.type._type_affinity, (clause.name, column.name)
            assert isinstance(want, BigInteger) == isinstance(column.type, BigInteger)
            if isinstance(want, DateTime):
                assert want.timezone == column.type.timezone, (clause.name, column.name)


def test_a_first_cli_collect_reads_before_the_database_and_stores_the_same(
    tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path / "r")
    url = f"sqlite:///{tmp_path / 'new' / 'gemba.db'}"
    monkeypatch.setenv("GEMBA_DATABASE_URL", url)
    get_settings.cache_clear()

    def not_here(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the first collect read the history again")

    monkeypatch.setattr(git_store.git_history, "iter_batches", not_here)
    result = CliRunner().invoke(cli, ["collect", "git", str(repo.path), "--jobs", "2"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "full collect" in result.output and "17 commits added" in result.output
    monkeypatch.undo()
    engine = make_engine(url)
    assert is_current(engine)
    assert_same_as_clean(engine, repo.path, "r")
    engine.dispose()
    upgrade(url)  # such a file migrates like any other: down a step and up again
    command.downgrade(alembic_config(url), "-1")
    upgrade(url)
    assert is_current(make_engine(url))


def test_a_started_read_that_does_not_fit_is_dropped_and_read_again(
    tmp_path: Path, parallel: None, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL timestamps go to the driver as datetimes, not SQLite's text; other jobs or
    another name read differently: each such started read is closed, and the run reads itself."""
    repo = _repo(tmp_path / "r")
    reads: list[str] = []
    real = git_history.iter_batches

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append("again")
        return real(*args, **kwargs)

    monkeypatch.setattr(git_history, "iter_batches", counted)
    sqlite = engine.dialect.name == "sqlite"
    for started_as, name, jobs, again in (("a", "a", 2, not sqlite), ("b", "b", 3, True),
                                          ("c", "d", 2, True)):  # fmt: skip
        started = start_reading(repo.path, started_as, jobs=2)
        collect_git(engine, repo.path, name=name, jobs=jobs, started=started)
        assert reads == (["again"] if again else []), (started_as, name, jobs)
        assert_same_as_clean(engine, repo.path, name)
        reads.clear()


def test_a_started_read_is_used_only_for_a_whole_history(
    tmp_path: Path, parallel: None, engine: Engine
) -> None:
    """A run that turns out incremental (the repository was collected meanwhile) reads its
    range itself; the read started for the whole history is closed."""
    repo = _repo(tmp_path / "r")
    collect_git(engine, repo.path, name="r", jobs=2)
    repo.lines("app/late.py", 3)
    repo.commit("late")
    started = start_reading(repo.path, "r", jobs=2)
    result = collect_git(engine, repo.path, name="r", jobs=2, started=started)
    assert (result.mode, result.commits_added) == ("incremental", 1)
    assert_same_as_clean(engine, repo.path, "r")


def test_a_first_collect_imports_no_table_model_nor_alembic(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    probe = (
        f"import sys; sys.argv = ['gemba', 'collect', 'git', {str(repo.path)!r}]\n"
        "from app.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlmodel', 'app.core.models', 'alembic', 'github',"
        " 'plotly') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env["GEMBA_DATABASE_URL"] = f"sqlite:///{tmp_path / 'new.db'}"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "17 commits added" in out[0]
    assert out[-1] == "[]"


@pytest.mark.parametrize("moment", ["workers started", "file created", "rows stored"])
def test_a_first_collect_killed_at_any_moment_then_rerun_is_identical(
    tmp_path: Path, moment: str
) -> None:
    """Killed while its workers read and it imports, as it builds the schema, or as it stores,
    a first collect leaves a file the next run completes, and no worker behind."""
    path = tmp_path / "long"
    synthetic_history(path, commits=2400, files=150, rename_every=60, merge_every=25)
    database = tmp_path / "new.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(GEMBA_DATABASE_URL=f"sqlite:///{database}", GEMBA_GIT_BATCH_COMMITS="200")
    command_line = [sys.executable, "-m", "app", "collect", "git", str(path), "--jobs", "2"]
    process = subprocess.Popen(command_line, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    reached = {
        "workers started": lambda: len(_children(process.pid)) >= 3,  # rev-list and 2 workers
        "file created": database.exists,
        "rows stored": lambda: _stored(database) > 0,
    }[moment]
    deadline = time.monotonic() + 60
    while not reached() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "finished before the moment came"
    deadline = time.monotonic() + 10
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]
    subprocess.run(command_line, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    engine = make_engine(f"sqlite:///{database}")
    assert_same_as_clean(engine, path, "long")
    engine.dispose()


def _stored(database: Path) -> int:
    try:
        uri = f"{database.as_uri()}?mode=ro"  # never creates the file the collect must create
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=0.1)) as conn:
            return int(conn.execute('SELECT count(*) FROM "commit"').fetchone()[0])
    except sqlite3.Error:
        return 0


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [grandchild for child in found for grandchild in _children(child)]


def _alive(pid: int) -> bool:
    """A process that has not ended (a zombie waiting for its parent has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
