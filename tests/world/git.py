"""Real git repositories built in temporary folders, with fixed author and committer dates.

`RepoBuilder` writes a history commit by commit (every edge case a collector must handle);
`FastImport` writes long ones in one `git fast-import` process: `synthetic_history` (skewed hot
files, renames, merges) and `linear_history` (a few authors, for the ops and CLI tests).
Plain `git` subprocesses (not GitPython) so the repositories do not depend on the code
under test; `git_out` and `git_counts` are also the independent oracle the tests compare against.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ALICE = ("Alice", "alice@example.com")
ALICE_OLD = ("alice", "alice@old.example")  # mapped to ALICE by .mailmap
BOB = ("Bob", "bob@example.com")
CAROL = ("Carol", "carol@example.com")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
RENOVATE = ("renovate", "renovate@whitesourcesoftware.com")  # a bot only by settings.bot_logins

NON_UTF8 = b"caf\xe9 menu.txt"  # Latin-1 bytes, not UTF-8


def _env(date: datetime, author: tuple[str, str], committer: tuple[str, str]) -> dict[str, str]:
    stamp = f"{int(date.timestamp())} +0000"
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": stamp,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def git_out(path: Path, *args: str | bytes, env: dict[str, str] | None = None) -> bytes:
    """Run git in `path` and return its raw stdout (raises on failure)."""
    return subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True).stdout


class RepoBuilder:
    """Write files and commit them at chosen dates, one day apart unless told otherwise."""

    def __init__(self, path: Path, *, branch: str = "main") -> None:
        self.path = path
        self.clock = START
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, date: datetime | None = None, author: tuple[str, str] = ALICE) -> str:
        env = _env(date or self.clock, author, author)
        return git_out(self.path, *args, env=env).decode("utf-8", "replace").strip()

    def write(self, name: str | bytes, content: str | bytes) -> None:
        target = os.path.join(os.fsencode(self.path), os.fsencode(name))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        with open(target, "wb") as handle:
            handle.write(data)

    def move(self, old: str, new: str) -> None:
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def lines(self, name: str | bytes, count: int, tag: str = "line") -> None:
        """`count` lines unique to this file, so git never mistakes one file for a copy."""
        label = os.fsdecode(name)
        self.write(name, "".join(f"{tag} {i} of {label}\n" for i in range(count)))

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str] = ALICE,
        date: datetime | None = None,
        step: timedelta = timedelta(days=1),
    ) -> str:
        """Stage everything and commit; returns the sha."""
        self.clock = date or self.clock + step
        self.git("add", "-A", date=self.clock, author=author)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=self.clock, author=author)
        return self.head()

    def merge(self, branch: str, *, author: tuple[str, str] = ALICE) -> str:
        self.clock += timedelta(days=1)
        self.git("merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, author=author)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


def build_rich_history(path: Path) -> RepoBuilder:
    """A repository with every edge case the collector must handle.

    Renames (one chained twice, one into a name with spaces and braces, one with " => " in
    it), a merge of a side branch, a binary file, a .mailmap identity, two bots (one by the
    "[bot]" suffix, one by settings.bot_logins), and a file name that is not UTF-8.
    """
    repo = RepoBuilder(path)
    repo.write(".mailmap", "Alice <alice@example.com> alice <alice@old.example>\n")
    repo.lines("src/core.py", 40)
    repo.lines("README.md", 5)
    repo.commit("start", author=ALICE)
    repo.lines("src/core.py", 45, "edited")
    repo.lines("src/util.py", 10)
    repo.commit("util", author=ALICE_OLD)
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0binary")
    repo.commit("logo", author=BOB)
    repo.move("src/util.py", "src/helpers.py")
    repo.commit("rename util", author=BOB)
    repo.lines("src/helpers.py", 14)
    repo.lines("src/core.py", 50, "again")
    repo.commit("grow helpers", author=CAROL)
    repo.write(NON_UTF8, "soup\n")
    repo.lines("docs/my notes {draft}.md", 3)
    repo.commit("odd names", author=BOB)
    repo.move("docs/my notes {draft}.md", "docs/a => b.md")
    repo.commit("arrow name", author=CAROL)
    repo.git("checkout", "-q", "-b", "side")
    repo.lines("src/side.py", 8)
    repo.lines("src/core.py", 52, "side")
    repo.commit("side work", author=CAROL)
    repo.git("checkout", "-q", "main")
    repo.lines("README.md", 7)
    repo.commit("readme", author=ALICE)
    repo.merge("side", author=ALICE)
    repo.write("requirements.txt", "requests==2.0\n")
    repo.commit("bump requests", author=DEPENDABOT)
    repo.write("requirements.txt", "requests==2.1\n")
    repo.commit("bump again", author=RENOVATE)
    repo.move("src/helpers.py", "lib/help ers.py")
    repo.write(b"logo.png", b"\x89PNG\r\n\x1a\n\0\0\0binary2")
    repo.commit("move helpers", author=ALICE)
    return repo


class FastImport:
    """A new repository at `path` on branch main, fed one `git fast-import` stream.

    Commits follow each other on their branch unless `parent` (a mark) says otherwise;
    `close()` ends the stream and checks main out.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git_out(path, "init", "-q", "-b", "main")
        self._process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=path, stdin=subprocess.PIPE
        )
        assert self._process.stdin is not None
        self._out = self._process.stdin
        self.mark = 0

    def commit(
        self,
        who: str,
        stamp: int,
        message: str,
        *,
        branch: str = "main",
        parent: int | None = None,
        merge: int | None = None,
    ) -> int:
        """Start a commit by `who` ("Name <email>") at `stamp`; returns its mark."""
        self.mark += 1
        person = f"{who} {stamp} +0000".encode()
        text = message.encode()
        self._out.write(
            b"commit refs/heads/%s\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n"
            % (branch.encode(), self.mark, person, person, len(text), text)
        )
        if parent is not None:
            self._out.write(b"from :%d\n" % parent)
        if merge is not None:
            self._out.write(b"merge :%d\n" % merge)
        return self.mark

    def change(self, name: str, lines: Iterable[str]) -> None:
        """Set file `name` of the commit being written to `lines`."""
        data = ("\n".join(lines) + "\n").encode()
        self._out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))

    def rename(self, old: str, new: str) -> None:
        self._out.write(b"R %s %s\n" % (old.encode(), new.encode()))

    def close(self) -> Path:
        self._out.write(b"done\n")
        self._out.close()
        if self._process.wait() != 0:
            raise RuntimeError("git fast-import failed")
        git_out(self.path, "checkout", "-q", "-f", "main")
        return self.path


def synthetic_history(
    path: Path,
    *,
    commits: int,
    files: int,
    seed: int = 7,
    authors: int = 40,
    rename_every: int = 400,
    merge_every: int = 40,
) -> None:
    """A long history: skewed hot files, renames, merges.

    File choice follows a Zipf-like law (a few files take most changes), each change edits a
    few lines of a bounded file, every `rename_every` commits a file is renamed and every
    `merge_every` commits a side-branch commit is merged back with --no-ff.
    """
    rng = random.Random(seed)
    names = [f"pkg{i % 97}/module_{i}.py" for i in range(files)]
    contents = [[f"v0 {i} {n}" for n in range(rng.randint(3, 30))] for i in range(files)]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(files)]
    people = [(f"Dev {i}", f"dev{i}@example.com") for i in range(authors)]
    people.append(DEPENDABOT)
    people_weights = [1 / (rank + 1) for rank in range(len(people))]
    stream = FastImport(path)
    clock = int(START.timestamp()) - commits * 600

    def edit(index: int, stamp: int) -> None:
        lines = contents[index]
        for _ in range(rng.randint(1, 4)):
            spot = rng.randrange(len(lines) + 1)
            if rng.random() < 0.3 and len(lines) > 3:
                del lines[min(spot, len(lines) - 1)]
            else:
                lines.insert(spot, f"c{stamp} {rng.random():.6f}")
        del lines[120:]

    def who() -> str:
        name, email = rng.choices(people, people_weights)[0]
        return f"{name} <{email}>"

    main_mark = stream.commit(who(), clock, "initial import")
    for index in range(files):
        stream.change(names[index], contents[index])
    for number in range(1, commits):
        clock += 600
        if merge_every and number % merge_every == 0:
            chosen = rng.choices(range(files), weights)[0]
            edit(chosen, clock)
            side = stream.commit(
                who(), clock, f"side change {number}", branch="side", parent=main_mark
            )
            stream.change(names[chosen], contents[chosen])
            clock += 60
            main_mark = stream.commit(
                who(), clock, f"Merge side {number}", parent=main_mark, merge=side
            )
            stream.change(names[chosen], contents[chosen])
            continue
        main_mark = stream.commit(who(), clock, f"change {number}", parent=main_mark)
        if rename_every and number % rename_every == 7:
            index = rng.choices(range(files), weights)[0]
            new = names[index].replace(".py", f"_r{number}.py")
            stream.rename(names[index], new)
            names[index] = new
        for index in set(rng.choices(range(files), weights, k=rng.randint(1, 4))):
            edit(index, clock)
            stream.change(names[index], contents[index])
    stream.close()


LINEAR_START = 1_767_000_000  # a fixed start, so the linear histories are the same every run


def linear_history(path: Path, *, commits: int, files: int = 25, seed: int = 0) -> Path:
    """A linear history of `commits` commits, an hour apart, by three authors touching `files`
    files (every file in the first commit, one to three in each later one)."""
    rng = random.Random(seed)
    contents = {f"src/module_{i}.py": [f"line {i}.{j}" for j in range(20)] for i in range(files)}
    stream = FastImport(path)
    counter = 0
    for n in range(commits):
        author = rng.choice(["Ada <ada@example.com>", "Bo <bo@example.com>", "Cy <cy@example.com>"])
        stream.commit(author, LINEAR_START + n * 3600, f"change {n}")
        touched = list(contents) if n == 0 else rng.sample(sorted(contents), rng.randint(1, 3))
        for name in touched:
            lines = contents[name]
            for _ in range(rng.randint(1, 4)):
                counter += 1
                lines.insert(rng.randint(0, len(lines)), f"added {counter}")
            stream.change(name, lines)
    return stream.close()


def git_counts(path: Path) -> dict[str, int]:
    """Independent counts from plain git: commits, file changes, files at HEAD."""

    def run(*args: str) -> str:
        return git_out(path, *args).decode()

    numstat = run("log", "--no-merges", "--format=", "--numstat", "main")
    return {
        "commits": int(run("rev-list", "--count", "main")),
        "changes": sum(1 for line in numstat.splitlines() if line.strip()),
        "files": len(run("ls-tree", "-r", "--name-only", "main").split()),
    }
