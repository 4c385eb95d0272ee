"""Writes each planned repository as a real git repository through `git fast-import`.

fast-import builds hundreds of commits in well under a second, with exactly the author names,
emails and dates the plan asks for, so the commit SHAs are reproducible and the GitHub
scenario files can point at real commits.
"""

from __future__ import annotations

import random
import subprocess
from datetime import datetime
from pathlib import Path

from app.demo import org
from app.demo.planned import Edit, PlannedCommit, RepoPlan

WORDS = ("amount", "ledger", "balance", "refund", "currency", "batch", "entry", "fee", "cart")


class Contents:
    """The text of every file on a branch, changed line by line so numstat matches the plan."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.files: dict[str, list[str]] = {}
        self.counter = 0

    def copy(self) -> Contents:
        clone = Contents(self.rng)
        clone.files = {path: list(lines) for path, lines in self.files.items()}
        clone.counter = self.counter
        return clone

    def _line(self, path: str) -> str:
        self.counter += 1
        n, word, k = self.counter, self.rng.choice(WORDS), self.rng.randint(1, 99)
        if path.endswith(".py"):
            return f"    {word}_{n} = apply_{word}({word}_{n - 1}, {k})"
        if path.endswith(".ts"):
            return f"  const {word}{n} = {word}Step({word}{n - 1}, {k});"
        if path.endswith(".tf"):
            return f'  {word}_{n} = "{word}-{k}"'
        if path.endswith(".css"):
            return f".{word}-{n} {{ margin: {k}px; }}"
        if path.endswith(".txt"):
            return f"{word}-lib-{n}=={k}.{n % 10}.0"
        if path.endswith(".json"):
            return f'  "{word}-{n}": "^{k}.{n % 10}.0",'
        return f"Notes on {word} number {n} ({k})."

    def apply(self, edit: Edit) -> None:
        rng = self.rng
        if edit.create:
            self.files[edit.path] = [self._line(edit.path) for _ in range(edit.create)]
            return
        lines = self.files.setdefault(edit.path, [])
        if edit.delete and len(lines) > edit.delete + 1:
            at = rng.randrange(0, len(lines) - edit.delete)
            del lines[at : at + edit.delete]
        if edit.modify and lines:
            for at in rng.sample(range(len(lines)), min(edit.modify, len(lines))):
                lines[at] = self._line(edit.path)
        if edit.add:
            at = rng.randint(0, len(lines))
            lines[at:at] = [self._line(edit.path) for _ in range(edit.add)]

    def blob(self, path: str) -> bytes:
        return ("\n".join(self.files[path]) + "\n").encode()


def _identity(login: str, authored_at: datetime, rng: random.Random) -> tuple[str, str, str]:
    """Name, email and git time-zone offset for a commit by `login`."""
    if login == org.BOT_LOGIN:
        return org.BOT_NAME, org.BOT_EMAIL, "+0000"
    person = org.member(login)
    offset = org.team(person.team).utc_offset_hours
    email = person.noreply_email if person.noreply and rng.random() < 0.4 else person.email
    return person.name, email, f"{'+' if offset >= 0 else '-'}{abs(offset):02d}00"


class StreamWriter:
    """Accumulates a fast-import stream; one mark per commit."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0

    def data(self, payload: bytes) -> None:
        self.parts.append(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(
        self,
        ref: str,
        planned: PlannedCommit,
        committed_at: datetime,
        contents: Contents,
        parent_mark: int | None,
        rng: random.Random,
    ) -> int:
        self.mark += 1
        name, email, tz = _identity(planned.author, planned.authored_at, rng)
        authored = int(planned.authored_at.timestamp())
        committed = int(committed_at.timestamp())
        header = (
            f"commit {ref}\nmark :{self.mark}\n"
            f"author {name} <{email}> {authored} {tz}\n"
            f"committer {name} <{email}> {committed} {tz}\n"
        )
        self.parts.append(header.encode())
        self.data(planned.message.encode())
        if parent_mark is not None:
            self.parts.append(f"from :{parent_mark}\n".encode())
        for edit in planned.edits:
            contents.apply(edit)
            self.parts.append(f"M 100644 inline {edit.path}\n".encode())
            self.data(contents.blob(edit.path))
        return self.mark


def build_repository(plan: RepoPlan, path: Path, rng: random.Random) -> None:
    """Create the repository at `path` and fill in `sha`, `parent_sha`, `tree_sha` in the plan."""
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(path)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    writer = StreamWriter()
    contents = Contents(rng)
    marks: dict[int, PlannedCommit] = {}
    for planned in plan.initial:
        last = writer.commit("refs/heads/main", planned, planned.authored_at, contents, None, rng)
        marks[last] = planned
    merged = sorted(
        (p for p in plan.pulls if p.merged_at), key=lambda p: p.merged_at or p.created_at
    )
    for pull in merged:
        for planned in pull.commits:
            committed = max(planned.authored_at, pull.merged_at or planned.authored_at)
            last = writer.commit("refs/heads/main", planned, committed, contents, None, rng)
            marks[last] = planned
    main_head = last
    for pull in plan.pulls:
        if pull.merged_at:
            continue
        branch = contents.copy()
        parent: int | None = main_head
        for planned in pull.commits:
            mark = writer.commit(
                f"refs/heads/{pull.head_ref}", planned, planned.authored_at, branch, parent, rng
            )
            marks[mark] = planned
            parent = None
    marks_file = path / ".git" / "demo-marks"
    subprocess.run(
        [*git, "fast-import", "--quiet", f"--export-marks={marks_file}"],
        input=b"".join(writer.parts),
        check=True,
    )
    for line in marks_file.read_text().splitlines():
        mark, sha = line.split()
        marks[int(mark[1:])].sha = sha
    marks_file.unlink()
    _fill_parents_and_trees(path, marks.values())
    subprocess.run([*git, "reset", "-q", "--hard", "main"], check=True)


def _fill_parents_and_trees(path: Path, commits: object) -> None:
    listing = subprocess.run(
        ["git", "-C", str(path), "log", "--all", "--format=%H %T %P"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    known = {}
    for line in listing.splitlines():
        sha, tree, *parents = line.split()
        known[sha] = (tree, parents[0] if parents else "")
    for planned in commits:  # type: ignore[attr-defined]
        planned.tree_sha, planned.parent_sha = known[planned.sha]
