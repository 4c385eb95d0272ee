"""Which file at HEAD a change belongs to: through the history graph, never by dates.

Each test builds a real repository whose graph is fixed and whose dates vary, and checks the
stored counts against a per-lineage count written down here (docs/metrics.md, "Renames and
deletions: lineages").
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.core.models import Commit, FileChange, Repository
from collectors.git import history as git_history
from collectors.git.log import ENDED
from collectors.git.store import collect_git
from tests.world.git import BOB, CAROL, RepoBuilder

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def counts(engine: Engine, name: str) -> dict[str, tuple[int, datetime]]:
    """Per stored path: non-merge commits and the newest authored time (as hotspots count)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                FileChange.path, func.count(func.distinct(Commit.id)), func.max(Commit.authored_at)
            )
            .join(Commit, Commit.id == FileChange.commit_id)
            .join(Repository, Repository.id == Commit.repository_id)
            .where(Repository.name == name, Commit.is_merge.is_(False))  # type: ignore[attr-defined]
            .group_by(FileChange.path)
        ).all()
    return {path: (int(n), last.replace(tzinfo=UTC)) for path, n, last in rows}


def rename_meets_side_edit(path: Path, side_at: datetime) -> RepoBuilder:
    """helpers.py: created and edited (2 commits); renamed to helpers_util.py on main at 10:00;
    edited under its old name on a side line dated `side_at`; merged at 13:00; edited again."""
    repo = RepoBuilder(path)
    repo.lines("src/helpers.py", 30)
    repo.lines("README.md", 3)
    repo.commit("start", date=DAY - timedelta(days=2))
    repo.lines("src/helpers.py", 32, "grown")
    repo.commit("grow", date=DAY - timedelta(days=1), author=BOB)
    base = repo.head()
    repo.move("src/helpers.py", "src/helpers_util.py")
    repo.commit("rename", date=DAY.replace(hour=10))
    repo.git("checkout", "-q", "-b", "side", base)
    repo.write("src/helpers.py", (repo.path / "src/helpers.py").read_text() + "# side\n")
    repo.commit("side", date=side_at, author=CAROL)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", date=DAY.replace(hour=13))
    repo.clock = DAY.replace(hour=14)
    repo.lines("README.md", 4)
    repo.commit("readme", date=DAY.replace(hour=14))
    return repo


@pytest.mark.parametrize(
    "side_at",
    [DAY.replace(hour=12), DAY.replace(hour=9), DAY - timedelta(days=5)],
    ids=["side-after-rename", "side-before-rename", "side-older-than-its-parent"],
)
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_branch_edit_of_the_old_name_belongs_to_the_renamed_file(
    tmp_path: Path,
    engine: Engine,
    side_at: datetime,
    jobs: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(git_history, "PARALLEL_MIN_COMMITS", 2)
    monkeypatch.setattr(git_history, "MIN_CHUNK", 1)
    monkeypatch.setattr(git_history, "EARLY_CHUNK", 2)
    repo = rename_meets_side_edit(tmp_path / "r", side_at)
    collect_git(engine, repo.path, name="r", jobs=jobs)
    found = counts(engine, "r")
    # start, grow, rename, side: the whole lineage of the file at HEAD, whatever the dates
    assert found["src/helpers_util.py"] == (4, max(DAY.replace(hour=10), side_at))
    assert "src/helpers.py" not in found
    assert found["README.md"][0] == 2


def test_an_incremental_run_follows_the_merge_too(tmp_path: Path, engine: Engine) -> None:
    repo = rename_meets_side_edit(tmp_path / "r", DAY.replace(hour=12))
    repo.git("reset", "-q", "--hard", "HEAD~2")  # back to the rename, before the merge
    collect_git(engine, repo.path, name="r")
    assert counts(engine, "r")["src/helpers_util.py"][0] == 3
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", date=DAY.replace(hour=13))
    assert collect_git(engine, repo.path, name="r").mode == "incremental"
    assert counts(engine, "r")["src/helpers_util.py"] == (4, DAY.replace(hour=12))


def test_a_deletion_ends_a_lineage(tmp_path: Path, engine: Engine) -> None:
    """notes.txt: 3 commits, deleted (a 4th), created anew later with 2 commits."""
    repo = RepoBuilder(tmp_path / "r")
    for n in range(3):
        repo.lines("notes.txt", 10 + n, "old")
        repo.commit(f"old notes {n}")
    (repo.path / "notes.txt").unlink()
    repo.commit("drop notes", author=BOB)
    repo.lines("other.txt", 2)
    repo.commit("something else")
    for n in range(2):
        repo.lines("notes.txt", 5 + n, "new")
        repo.commit(f"new notes {n}", author=CAROL)
    collect_git(engine, repo.path, name="r")
    found = counts(engine, "r")
    assert found["notes.txt"][0] == 2  # the new file only
    assert found[ENDED + "notes.txt"][0] == 4  # the old one, its deletion included


def test_a_file_renamed_into_a_freed_path_keeps_its_own_lineage(
    tmp_path: Path, engine: Engine
) -> None:
    """tests/test_api.py: 3 commits, then deleted; test_api.py at the top: 2 commits, then
    renamed into tests/test_api.py, then 1 more: the file at HEAD has 4, not 8."""
    repo = RepoBuilder(tmp_path / "r")
    for n in range(3):
        repo.lines("tests/test_api.py", 20 + n, "first")
        repo.commit(f"first tests {n}")
    (repo.path / "tests/test_api.py").unlink()
    repo.commit("drop the first tests", author=BOB)
    for n in range(2):
        repo.lines("test_api.py", 12 + n, "second")
        repo.commit(f"second tests {n}", author=CAROL)
    repo.move("test_api.py", "tests/test_api.py")
    repo.commit("move the second tests")
    repo.lines("tests/test_api.py", 15, "second")
    repo.commit("grow the second tests", author=BOB)
    collect_git(engine, repo.path, name="r")
    found = counts(engine, "r")
    assert found["tests/test_api.py"][0] == 4
    assert found[ENDED + "tests/test_api.py"][0] == 4
    assert "test_api.py" not in found


def test_a_file_kept_on_one_line_lives_on(tmp_path: Path, engine: Engine) -> None:
    """Deleted on main, kept and edited on a side line, and the merge keeps it: its whole
    history belongs to the file at HEAD (a fork point where either line keeps it)."""
    repo = RepoBuilder(tmp_path / "r")
    repo.lines("keep.txt", 10)
    repo.lines("main.txt", 3)
    repo.commit("start")
    base = repo.head()
    (repo.path / "keep.txt").unlink()
    repo.commit("drop keep on main", author=BOB)
    repo.git("checkout", "-q", "-b", "side", base)
    repo.lines("keep.txt", 12)
    repo.commit("edit keep on the side", author=CAROL)
    repo.git("checkout", "-q", "main")
    with pytest.raises(subprocess.CalledProcessError):  # modify/delete conflict
        repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.git("checkout", "side", "--", "keep.txt")
    repo.commit("merge side, keeping keep.txt")
    collect_git(engine, repo.path, name="r")
    found = counts(engine, "r")
    assert found["keep.txt"][0] == 2  # start, side edit
    assert found[ENDED + "keep.txt"][0] == 1  # the deletion on main
