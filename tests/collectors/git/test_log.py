"""The streamed `git log` reader: parallel slices read the same records as one pass."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import git
import pytest

from collectors.git import history as git_history
from collectors.git import log as git_log
from collectors.git import tree as git_tree
from collectors.git.bots import is_bot
from tests.paths import ROOT as CHECKOUT
from tests.world.git import RepoBuilder, synthetic_history

ROOT = CHECKOUT


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hist") / "repo"
    synthetic_history(path, commits=600, files=60, rename_every=40, merge_every=15)
    return path


def walked(repo: git.Repo, extra: tuple[str, ...] = ()) -> git_log.History:
    """The whole history, walked (with `extra` shas, unknown to git, added at the end)."""
    walk = git_log.History(repo, git_log.head_sha(repo))
    walk.read_all()
    return git_log.History.of([*walk.shas, *extra], walk.parents)


def test_parallel_slices_read_exactly_what_one_pass_reads(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_log.open_repository(history)
    shas = walked(repo).shas
    serial = list(git_history.iter_commits(repo, walked(repo), jobs=1))
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 10)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 20)  # 18 chunks over 3 workers
    parallel = list(git_history.iter_commits(repo, walked(repo), jobs=3))
    assert len(git_history._chunks(shas, 3)) == 18
    assert parallel == serial
    assert [c.sha for c in serial] == shas
    monkeypatch.setattr(git_history, "EARLY_CHUNK", 30)  # chunks handed out while rev-list walks
    walk = git_log.History(repo, git_log.head_sha(repo))
    streamed = list(git_history.iter_commits(repo, walk, jobs=3))
    assert streamed == serial and walk.complete and walk.shas == shas
    head_paths = {f.path for f in git_tree.head_files(repo, git_log.head_sha(repo))}
    renamed = {c.path for record in serial for c in record.changes if c.old_path}
    assert renamed <= head_paths  # every rename lands on a path that exists at HEAD


def test_a_failing_git_log_is_reported(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.lines("a.txt", 1)
    builder.commit("a")
    repo = git_log.open_repository(builder.path)
    with pytest.raises(git_log.GitInputError, match="git log failed"):
        list(git_history.iter_commits(repo, git_log.History.of(["0" * 40], {})))


def test_a_failing_worker_slice_is_reported(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_log.open_repository(history)
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 10)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 50)
    with pytest.raises(git_log.GitInputError, match="git log failed"):
        list(git_history.iter_commits(repo, walked(repo, ("0" * 40,)), jobs=2))  # the oldest chunk


def test_a_worker_that_dies_is_reported(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_log.open_repository(history)
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 10)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 50)

    def die(*_args: object) -> None:
        os._exit(9)  # as if killed: no "done" message, no error record

    monkeypatch.setattr(git_history, "_parse_chunk", die)
    with pytest.raises(git_log.GitInputError, match="worker process died"):
        list(git_history.iter_commits(repo, walked(repo), jobs=2))


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", True),
        ("Renovate Bot", "bot@renovateapp.com", True),
        ("ImgBotApp", "ImgBotHelp@gmail.com", True),
        ("Someone", "ImgBotHelp@gmail.com", True),
        ("GitHub Action", "action@github.com", True),
        ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com", True),
        ("renovate", "x@example.com", True),
        ("Someone", "12345+github-actions@users.noreply.github.com", True),
        ("Ann", "ann@example.com", False),
        ("Ann", "ann+imgbot@example.com", True),  # the login after "+" is a known bot
        ("Our Deploy Robot", "deploy@example.com", False),
    ],
)
def test_bots_by_suffix_known_identity_or_listed_login(
    name: str, email: str, expected: bool
) -> None:
    assert is_bot(name, email) is expected


def test_listed_logins_extend_the_known_bots() -> None:
    assert not is_bot("Our Deploy Robot", "deploy@example.com")
    assert is_bot("Our Deploy Robot", "deploy@example.com", ("deploy",))
    assert is_bot("Our Deploy Robot", "deploy@example.com", (" Our Deploy Robot ",))


def test_blocks_cut_anywhere_parse_the_same(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_log.open_repository(history)
    whole = list(git_history.iter_commits(repo, walked(repo)))
    monkeypatch.setattr(git_log, "READ_SIZE", 97)  # cuts inside headers, paths and renames
    assert list(git_history.iter_commits(repo, walked(repo))) == whole


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # a zombie has stopped; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_die_with_a_killed_collect(history: Path, tmp_path: Path) -> None:
    """SIGKILL on the collect process must not leave workers reading history for nobody."""
    script = f"""
import os, time
from pathlib import Path
from collectors.git import history as git_history
from collectors.git import log as git_log
git_history.PARALLEL_MIN_COMMITS, git_history.MIN_CHUNK = 10, 50
def stuck(*_args):
    (Path({str(tmp_path)!r}) / str(os.getpid())).touch()  # "I am a worker, busy"
    time.sleep(120)
git_history._parse_chunk = stuck
repo = git_log.open_repository({str(history)!r})
list(git_history.iter_commits(repo, git_log.History(repo, git_log.head_sha(repo)), jobs=2))
"""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = [int(path.name) for path in tmp_path.iterdir()]
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)
