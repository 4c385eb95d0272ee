"""Storing history: incremental runs, rewritten history, crashes, concurrent runs, bad input.

"Identical" always means: the same commits, file changes and files at HEAD as one clean
collect of the same repository under another name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, func, select, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.db import make_engine
from app.core.models import Commit, FileChange, RepoFile, Repository, SyncCursor
from app.core.settings import get_settings
from collectors.git import history as git_history
from collectors.git.lease import CollectRefused, Lease
from collectors.git.log import GitInputError
from collectors.git.store import collect_git, stored_head
from collectors.git.writer import CRASH_ENV, time_value_for
from tests.paths import ROOT as CHECKOUT
from tests.world.git import ALICE, BOB, CAROL, RepoBuilder, git_out, synthetic_history

ROOT = CHECKOUT


def snapshot(engine: Engine, name: str) -> tuple[list[Any], list[Any], list[Any]]:
    with engine.connect() as conn:
        repo_id = conn.execute(select(Repository.id).where(Repository.name == name)).scalar_one()
        commits = conn.execute(
            select(
                Commit.sha,
                Commit.author_name,
                Commit.author_email,
                Commit.authored_at,
                Commit.committed_at,
                Commit.is_merge,
                Commit.is_bot,
                Commit.summary,
            ).where(Commit.repository_id == repo_id)
        ).all()
        changes = conn.execute(
            select(
                Commit.sha,
                FileChange.path,
                FileChange.old_path,
                FileChange.added,
                FileChange.deleted,
                FileChange.is_binary,
            )
            .join(Commit, Commit.id == FileChange.commit_id)
            .where(Commit.repository_id == repo_id)
        ).all()
        files = conn.execute(
            select(RepoFile.path, RepoFile.loc, RepoFile.is_binary).where(
                RepoFile.repository_id == repo_id
            )
        ).all()
    return sorted(map(tuple, commits)), sorted(map(tuple, changes)), sorted(map(tuple, files))


def assert_same_as_clean(engine: Engine, path: Path, name: str) -> None:
    clean = f"{name}-clean"
    collect_git(engine, path, name=clean)
    got, want = snapshot(engine, name), snapshot(engine, clean)
    assert got == want
    shas = git_out(path, "rev-list", "HEAD").decode().split()
    assert sorted(s for s, *_ in got[0]) == sorted(shas)  # every reachable commit, once


def _history(path: Path) -> RepoBuilder:
    repo = RepoBuilder(path)
    repo.lines("app/http/main.py", 20)
    repo.lines("app/old name.py", 12)
    repo.commit("one")
    for n in range(3):
        repo.lines("app/old name.py", 13 + n)
        repo.lines("app/http/main.py", 21 + n)
        repo.commit(f"work {n}", author=BOB if n % 2 else CAROL)
    return repo


def test_incremental_reads_only_new_commits_and_follows_new_renames(
    tmp_path: Path, engine: Engine
) -> None:
    repo = _history(tmp_path / "r")
    first = collect_git(engine, repo.path, name="r")
    assert (first.mode, first.commits_added) == ("full", 4)
    repo.move("app/old name.py", "app/new {name}.py")
    repo.commit("rename")
    repo.lines("app/new {name}.py", 30)
    repo.commit("grow", author=BOB)
    second = collect_git(engine, repo.path, name="r")
    assert (second.mode, second.commits_read, second.commits_added) == ("incremental", 2, 2)
    assert_same_as_clean(engine, repo.path, "r")
    paths = {p for _, p, *_ in snapshot(engine, "r")[1]}
    assert "app/old name.py" not in paths and "app/new {name}.py" in paths
    third = collect_git(engine, repo.path, name="r")
    assert third.mode == "unchanged"
    assert stored_head(engine, "r") == repo.head()


def test_rewritten_history_drops_unreachable_commits(tmp_path: Path, engine: Engine) -> None:
    repo = _history(tmp_path / "r")
    collect_git(engine, repo.path, name="r")
    dropped = repo.git("rev-parse", "HEAD~1..HEAD")
    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.lines("app/http/main.py", 99, "rebased")
    repo.move("app/http/main.py", "app/entry.py")
    repo.commit("rebased work", author=CAROL)
    result = collect_git(engine, repo.path, name="r")
    assert result.mode == "full" and result.commits_removed == 2
    assert_same_as_clean(engine, repo.path, "r")
    shas = {s for s, *_ in snapshot(engine, "r")[0]}
    assert dropped not in shas


def test_full_flag_rereads_and_changes_nothing(tmp_path: Path, engine: Engine) -> None:
    repo = _history(tmp_path / "r")
    collect_git(engine, repo.path, name="r")
    before = snapshot(engine, "r")
    again = collect_git(engine, repo.path, name="r", full=True)
    assert again.mode == "full" and again.commits_added == 0 and again.commits_read == 4
    assert snapshot(engine, "r") == before


# --- crashes ----------------------------------------------------------------------------------


def _collect_process(
    db_url: str, path: Path, name: str, batch: int = 20, **env: str
) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    environment.update(GEMBA_DATABASE_URL=db_url, GEMBA_GIT_BATCH_COMMITS=str(batch), **env)
    return subprocess.Popen(
        [sys.executable, "-m", "app", "collect", "git", str(path), "--name", name, "--jobs", "2"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def long_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "long"
    synthetic_history(path, commits=1000, files=120, rename_every=60, merge_every=25)
    return path


def _count(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(Commit)
                .join(Repository, Repository.id == Commit.repository_id)
                .where(Repository.name == name)
            ).scalar_one()
        )


def test_crash_after_some_batches_then_rerun_is_identical(
    long_repo: Path, engine: Engine, db_url: str
) -> None:
    crashed = _collect_process(db_url, long_repo, "long", **{CRASH_ENV: "3"})
    _out, err = crashed.communicate(timeout=120)
    assert crashed.returncode == 75, err.decode()
    assert _count(engine, "long") == 60  # three batches of 20 survived, nothing else
    assert stored_head(engine, "long") is None  # never claimed complete
    resumed = collect_git(engine, long_repo, name="long", batch_commits=500)
    total = int(git_out(long_repo, "rev-list", "--count", "HEAD"))
    assert (resumed.commits_read, resumed.commits_added) == (total, total - 60)
    assert_same_as_clean(engine, long_repo, "long")


def test_sigkill_at_any_moment_then_rerun_is_identical(
    long_repo: Path, engine: Engine, db_url: str
) -> None:
    process = _collect_process(db_url, long_repo, "long")
    deadline = time.monotonic() + 60
    while _count(engine, "long") < 100 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = _count(engine, "long")
    assert partial > 0
    collect_git(engine, long_repo, name="long")  # the dead process's lease is taken over
    assert_same_as_clean(engine, long_repo, "long")


def test_crash_during_incremental_run(tmp_path: Path, engine: Engine, db_url: str) -> None:
    repo = _history(tmp_path / "r")
    collect_git(engine, repo.path, name="r")
    repo.move("app/old name.py", "lib/renamed.py")
    for n in range(12):
        repo.lines(f"lib/n{n}.py", n + 1)
        repo.lines("lib/renamed.py", 20 + n)
        repo.commit(f"n{n}")
    crashed = _collect_process(db_url, repo.path, "r", batch=5, **{CRASH_ENV: "1"})
    _out, err = crashed.communicate(timeout=120)
    assert crashed.returncode == 75, err.decode()
    collect_git(engine, repo.path, name="r")
    assert_same_as_clean(engine, repo.path, "r")


# --- two runs at once -------------------------------------------------------------------------


def test_a_second_run_is_refused_while_the_first_holds_the_lease(
    tmp_path: Path, engine: Engine
) -> None:
    repo = _history(tmp_path / "r")
    holder = Lease(engine, "r")
    holder.claim()
    with pytest.raises(CollectRefused, match="another `gemba collect git` is running"):
        collect_git(engine, repo.path, name="r")
    holder.release()
    assert collect_git(engine, repo.path, name="r").commits_added == 4


def test_a_lease_left_by_a_dead_process_is_taken_over(tmp_path: Path, engine: Engine) -> None:
    repo = _history(tmp_path / "r")
    Lease(engine, "r").claim()
    dead = subprocess.Popen(["true"])
    dead.wait()
    with engine.begin() as conn:
        conn.execute(update(SyncCursor).values(locked_by=f"{os.uname().nodename}:{dead.pid}"))
    assert collect_git(engine, repo.path, name="r").commits_added == 4


def test_two_processes_at_once_never_corrupt(long_repo: Path, engine: Engine, db_url: str) -> None:
    first = _collect_process(db_url, long_repo, "long")
    second = _collect_process(db_url, long_repo, "long")
    outcomes = [p.communicate(timeout=180) for p in (first, second)]
    codes = sorted(p.returncode for p in (first, second))
    assert codes in ([0, 0], [0, 3]), outcomes
    if codes == [0, 3]:
        refused = outcomes[0][1] if first.returncode else outcomes[1][1]
        assert b"another `gemba collect git` is running" in refused
        assert b"Traceback" not in refused
    assert_same_as_clean(engine, long_repo, "long")


# --- bad input --------------------------------------------------------------------------------


@pytest.fixture
def run_cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, list(args))
    get_settings.cache_clear()


def _shallow(tmp_path: Path) -> Path:
    source = _history(tmp_path / "source")
    target = tmp_path / "shallow"
    git_out(tmp_path, "clone", "-q", "--depth", "1", f"file://{source.path}", str(target))
    return target


def _detached(tmp_path: Path) -> Path:
    repo = _history(tmp_path / "detached")
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    return repo.path


def _empty(tmp_path: Path) -> Path:
    return RepoBuilder(tmp_path / "empty").path


def _plain_dir(tmp_path: Path) -> Path:
    (tmp_path / "plain").mkdir()
    return tmp_path / "plain"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_plain_dir, "not a git repository"),
        (lambda tmp: tmp / "missing", "no such directory"),
        (_empty, "has no commits yet"),
        (_shallow, "shallow clone"),
        (_detached, "HEAD is detached"),
    ],
)
def test_bad_input_gets_a_clear_message(
    tmp_path: Path, run_cli: Any, engine: Engine, make: Any, message: str
) -> None:
    path = make(tmp_path)
    result = run_cli("collect", "git", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert not isinstance(result.exception, GitInputError | AttributeError | TypeError)
    with pytest.raises(GitInputError, match=message):
        collect_git(engine, path)


def test_cli_collects_and_shows_the_views(tmp_path: Path, run_cli: Any) -> None:
    repo = _history(tmp_path / "r")
    collected = run_cli("collect", "git", str(repo.path), "--name", "svc")
    assert collected.exit_code == 0, collected.output
    assert "full collect" in collected.output and "4 commits added" in collected.output
    again = run_cli("collect", "git", str(repo.path), "--name", "svc")
    assert "up to date" in again.output
    for view in ("hotspots", "ownership", "coupling", "knowledge-risk"):
        result = run_cli(view, "--repo", "svc", "--since", "2020-01-01", "--json")
        assert result.exit_code == 0, result.output
    table = run_cli("hotspots", "--repo", "svc", "--since", "2020-01-01", "--limit", "1")
    assert table.output.splitlines()[0].split()[:2] == ["score", "commits"]
    assert len(table.output.splitlines()) == 2
    unknown = run_cli("hotspots", "--repo", "nope")
    assert unknown.exit_code == 1 and "no repository named 'nope'" in unknown.output
    bad_date = run_cli("hotspots", "--repo", "svc", "--since", "yesterday")
    assert bad_date.exit_code == 2 and "--since" in bad_date.output


@pytest.mark.parametrize("timestamp", [0, 1, 946_684_799, 1_700_000_000, 4_102_444_800])
def test_sqlite_time_text_is_what_sqlalchemy_writes(timestamp: int) -> None:
    """The collector writes SQLite timestamps itself; they must be SQLAlchemy's, byte for byte,
    or comparisons and ordering in SQL would mix two formats."""
    dialect = make_engine("sqlite://").dialect
    process = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    moment = datetime.fromtimestamp(timestamp, UTC)
    assert time_value_for(dialect)(timestamp) == process(moment)


def test_cli_table_shows_a_path_with_a_newline_on_one_line(tmp_path: Path, run_cli: Any) -> None:
    repo = RepoBuilder(tmp_path / "r")
    repo.lines("new\nline.txt", 2)
    repo.lines("tab\there.txt", 1)
    repo.commit("odd names")
    assert run_cli("collect", "git", str(repo.path), "--name", "odd").exit_code == 0
    table = run_cli("hotspots", "--repo", "odd", "--since", "2000-01-01").output.splitlines()
    assert len(table) == 3  # the header and one line per file
    assert table[1].endswith("new\\nline.txt") and table[2].endswith("tab\\there.txt")


def test_parallel_runs_full_incremental_and_rewritten_match_a_clean_run(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker-per-core path (forced here on a short history) in every mode."""
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 4)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 3)
    monkeypatch.setattr(git_history, "EARLY_CHUNK", 4)
    repo = _history(tmp_path / "r")
    for n in range(12):
        repo.lines(f"app/m{n % 4}.py", n + 2)
        repo.commit(f"more {n}", author=(ALICE, BOB, CAROL)[n % 3])
    assert collect_git(engine, repo.path, name="r", jobs=2).mode == "full"
    repo.move("app/old name.py", "app/renamed.py")
    repo.commit("rename")
    for n in range(10):
        repo.lines("app/renamed.py", 20 + n)
        repo.lines(f"app/n{n % 3}.py", n + 1)
        repo.commit(f"after {n}", author=BOB)
    second = collect_git(engine, repo.path, name="r", jobs=2)
    assert (second.mode, second.commits_added) == ("incremental", 11)
    assert_same_as_clean(engine, repo.path, "r")
    repo.git("reset", "-q", "--hard", "HEAD~3")
    repo.move("app/http/main.py", "app/entry.py")
    repo.commit("rebased")
    third = collect_git(engine, repo.path, name="r", jobs=2)
    assert (third.mode, third.commits_removed) == ("full", 3)
    collect_git(engine, repo.path, name="r-clean", full=True, jobs=1)
    assert snapshot(engine, "r") == snapshot(engine, "r-clean")
