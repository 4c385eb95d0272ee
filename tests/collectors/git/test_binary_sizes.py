"""Binary files have no lines (`git log --numstat` prints "-"), so the git collector records
their size in bytes at HEAD, and keeps it true when the file changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import FileChange, RepoFile
from collectors.git.store import collect_git
from tests.world.git import RepoBuilder

LOGO = b"\x89PNG\r\n\x1a\n\x00" + bytes(range(256)) * 12
SMALLER = b"GIF89a\x00\x01" * 40


def _numstat(path: Path) -> str:
    return subprocess.run(
        ["git", "log", "--numstat", "--format=", "-1"],
        cwd=path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _files(engine: Engine) -> dict[str, tuple[int, bool, int]]:
    with Session(engine) as session:
        rows = session.exec(
            select(RepoFile.path, RepoFile.loc, RepoFile.is_binary, RepoFile.size_bytes)
        )
        return {path: (loc, binary, size) for path, loc, binary, size in rows}


def test_binary_files_are_sized_in_bytes_and_refreshed(engine: Engine, tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "site")
    repo.lines("app/main.py", 12)
    repo.write("static/logo.png", LOGO)
    repo.commit("start")
    assert "-\t-\tstatic/logo.png" in _numstat(repo.path)  # git gives no lines for it
    collect_git(engine, repo.path, name="site")
    files = _files(engine)
    assert files["static/logo.png"] == (0, True, len(LOGO))
    main = (repo.path / "app/main.py").read_bytes()
    assert files["app/main.py"] == (main.count(b"\n"), False, len(main))

    repo.write("static/logo.png", SMALLER)
    repo.commit("smaller logo")
    collect_git(engine, repo.path, name="site")
    assert _files(engine)["static/logo.png"] == (0, True, len(SMALLER))
    with Session(engine) as session:
        changes = session.exec(select(FileChange).where(FileChange.path == "static/logo.png"))
        assert {(c.is_binary, c.added, c.deleted) for c in changes} == {(True, 0, 0)}
