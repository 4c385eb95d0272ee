"""Run git and parse what it prints: the commit walk, and `git log -z --raw --numstat -M` as rows.

Never a per-commit diff or `commit.stats` call: those cost 9-46x a raw `git log` (issue 2).
Edge cases, stated once here and in docs/metrics.md:
- merges: stored as commits (`is_merge`), but `git log --numstat` prints no diff for them,
  so they add no file changes and never count as churn; their renames and deletions against
  each parent are read with one `git diff-tree --stdin` (`merge_edits`) for the lineage;
- renames (`-M`) and deletions are read here as each commit's "edits"; which file at HEAD a
  change belongs to is decided by collectors/git/lineage.py, through the history graph;
  a deleted file's rows are stored under ENDED + its path (its lineage ended);
- mailmap: author name and email come from `%aN`/`%aE`, so `.mailmap` is applied;
- bots: see collectors/git/bots.py;
- paths: `-z` output is never quoted; bytes that are not UTF-8 are kept as `\\xNN` escapes.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

import git

from collectors.git.bots import is_bot

HEADER = b"\x1e"
LOG_FORMAT = "%x1e%H%x00%aN%x00%aE%x00%at%x00%ct%x00%P%x00%s%x00"
READ_SIZE = 1 << 20
# Into a pipe git flushes after every commit: a write and a wake-up of our reader each
# (100,000 of them for 100,000 commits). GIT_FLUSH=0 makes it fill its buffer first.
BUFFERED = {"GIT_FLUSH": "0"}
NAME_MAX, EMAIL_MAX, SUMMARY_MAX = 300, 320, 300  # the widths of the columns they go to


class GitInputError(ValueError):
    """The path cannot be collected (not a repository, empty, shallow, detached HEAD...)."""


# The store's rows, as plain tuples: hundreds of thousands are built, pickled from workers and
# handed to `executemany`, and a plain tuple is the cheapest object to do all three with.
CommitRow = tuple[str, str, str, Any, Any, bool, bool, str]
"""sha, author name, author email, authored at, committed at, is merge, is bot, summary"""
ChangeRow = tuple[str, str, "str | None", int, int, bool]
"""commit sha, path (at HEAD once resolved), old path (rename source), added, deleted,
is binary; a commit's changes follow each other, in the order of the commits."""
TimeValue = Callable[[int], Any]
Edits = tuple[tuple[str, str], ...]
"""A commit's diff against one parent as the lineage needs it: (old path, new path) for a
rename, (path, "") for a deletion."""
ENDED = "/"  # before the path of a change whose file was deleted later: git never writes it


class Batch(NamedTuple):
    commits: list[CommitRow]
    changes: list[ChangeRow]
    edits: dict[str, tuple[Edits, ...]]  # sha -> edits against each parent, when there are any


class FileChangeRecord(NamedTuple):
    """One file of a commit, as `iter_commits` gives it."""

    path: str  # at HEAD once resolved (collectors/git/lineage.py)
    old_path: str | None  # the rename source, as named in this commit
    added: int
    deleted: int
    is_binary: bool


class CommitRecord(NamedTuple):
    sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    is_merge: bool
    is_bot: bool
    summary: str
    changes: tuple[FileChangeRecord, ...]


def decode_path(raw: bytes) -> str:
    """One decoding for every path we read, so log paths and tree paths always match."""
    return raw.decode("utf-8", errors="backslashreplace")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


# --- opening and checking ---------------------------------------------------------------------


def open_repository(path: str | Path) -> git.Repo:
    """Open a repository we can collect, or raise GitInputError saying why not."""
    try:
        repo = git.Repo(path)
    except git.NoSuchPathError:
        raise GitInputError(f"{path}: no such directory") from None
    except git.InvalidGitRepositoryError:
        raise GitInputError(f"{path}: not a git repository") from None
    if repo.head.is_detached:
        raise GitInputError(
            f"{path}: HEAD is detached; check out a branch (git switch <branch>) first"
        )
    if not repo.head.is_valid():
        raise GitInputError(f"{path}: the repository has no commits yet")
    if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
        raise GitInputError(
            f"{path}: shallow clone, history is incomplete; run `git fetch --unshallow` first"
        )
    return repo


def head_sha(repo: git.Repo) -> str:
    return repo.head.commit.hexsha


def is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    """True when `older` is in `newer`'s history (False too when `older` no longer exists)."""
    try:
        repo.git.merge_base("--is-ancestor", older, newer)
    except git.GitCommandError:
        return False
    return True


class History:
    """The commits to read, newest first, as `git rev-list` walks them (streamed).

    The collector starts reading the newest commits while the walk goes on: a walk over
    100,000 commits takes half a second that would otherwise come before anything else.
    """

    def __init__(self, repo: git.Repo, head: str, exclude: str | None = None) -> None:
        args = [head] if exclude is None else [head, f"^{exclude}"]
        self._handle = repo.git.rev_list("--parents", *args, as_process=True, env=BUFFERED)
        assert self._handle.proc is not None
        self._popen: subprocess.Popen[bytes] | None = self._handle.proc
        self.shas: list[str] = []
        self.parents: dict[str, tuple[str, ...]] = {}

    @classmethod
    def of(cls, shas: Sequence[str], parents: Mapping[str, tuple[str, ...]]) -> History:
        """A history already walked (shas newest first, with their parents)."""
        history = cls.__new__(cls)
        history._popen, history.shas, history.parents = None, list(shas), dict(parents)
        return history

    @property
    def complete(self) -> bool:
        return self._popen is None

    def read(self, count: int) -> list[str]:
        """Walk on until `count` commits are known or the walk ends; returns `shas`."""
        popen = self._popen
        if popen is None:
            return self.shas
        assert popen.stdout is not None
        readline, shas, parents = popen.stdout.readline, self.shas, self.parents
        while len(shas) < count:
            line = readline()
            if not line:
                self._popen = None
                check_exit(popen, "git rev-list")
                break
            sha, *older = line.decode("ascii").split()
            shas.append(sha)
            parents[sha] = tuple(older)
        return shas

    def read_all(self) -> list[str]:
        return self.read(sys.maxsize)


def rev_list(repo: git.Repo, head: str, exclude: str | None = None) -> list[str]:
    """Commits reachable from `head` (minus `exclude`'s history), newest first."""
    return History(repo, head, exclude).read_all()


# --- the streamed parse -----------------------------------------------------------------------


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in large pieces, each cut where a commit starts, so no commit is split.

    A commit starts with HEADER right after a NUL (or at the very start); git never writes
    HEADER elsewhere at the start of a NUL-separated field unless a file name begins with it.
    """
    read = getattr(stream, "read1", stream.read)  # what is there now: git never waits on us
    rest, pieces, pending = b"", [], 0
    while True:
        block = read(READ_SIZE)
        pieces.append(block)
        pending += len(block)
        if block and pending < READ_SIZE // 4:
            continue  # parse in large pieces: each costs a split, a batch and a pickle
        data = rest + b"".join(pieces)
        pieces, pending = [], 0
        if not block:
            break
        cut = data.rfind(b"\0" + HEADER)
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1 :]
    if data:
        yield data


def _count(value: bytes) -> int:
    return 0 if value == b"-" else int(value)


def utc_time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def parse_batches(
    stream: IO[bytes],
    bot_logins: Sequence[str] = (),
    time_value: TimeValue = utc_time,
) -> Iterator[Batch]:
    """Parse `git log -z --raw --numstat -M --format=LOG_FORMAT` output, newest commit first.

    Works on whole blocks split at NULs with an index, not token by token, and builds plain
    tuples: this loop runs for every file of every commit and is the collector's main Python
    cost. Paths are as the commit names them; deleted files get ENDED before their path.
    `time_value` turns a Unix time into what the caller stores (a datetime by default).
    """
    bots = tuple(bot_logins)
    for data in _blocks(stream):
        tokens = data.split(b"\0")
        count = len(tokens)
        index = 0
        sha = ""
        commits: list[CommitRow] = []
        changes: list[ChangeRow] = []
        edits: dict[str, tuple[Edits, ...]] = {}
        found: list[tuple[str, str]] = []  # this commit's renames and deletions
        deleted: set[str] = set()
        while index < count:
            token = tokens[index]
            if token[:1] == HEADER:
                if found:
                    edits[sha] = (tuple(found),)
                    found, deleted = [], set()
                name, email, authored, committed, parents, subject = tokens[index + 1 : index + 7]
                sha, author_name, author_email = (
                    token[1:].decode("ascii"),
                    _text(name),
                    _text(email),
                )
                commits.append(
                    (
                        sha,
                        author_name[:NAME_MAX],
                        author_email[:EMAIL_MAX],
                        time_value(int(authored)),
                        time_value(int(committed)),
                        b" " in parents,  # more than one parent: a merge
                        is_bot(author_name, author_email, bots),
                        _text(subject)[:SUMMARY_MAX],
                    )
                )
                index += 7
                continue
            index += 1
            if not token:
                continue
            if token[:1] == b":" or token[:2] == b"\n:":  # --raw: ":modes shas status"
                status = token[-1:]
                if status == b"D":
                    path = decode_path(tokens[index])
                    deleted.add(path)
                    found.append((path, ""))
                index += 2 if status.isdigit() else 1  # a rename or copy names two paths
                continue
            added, removed, raw_path = token.lstrip(b"\n").split(b"\t", 2)
            binary = added == b"-"
            if raw_path:
                path = decode_path(raw_path)
                if path in deleted:
                    path = ENDED + path
                changes.append((sha, path, None, _count(added), _count(removed), binary))
                continue
            old, new = decode_path(tokens[index]), decode_path(tokens[index + 1])
            index += 2
            changes.append((sha, new, old, _count(added), _count(removed), binary))
            found.append((old, new))
        if found:
            edits[sha] = (tuple(found),)
        if commits:
            yield Batch(commits, changes, edits)


def merge_edits(
    repo: git.Repo, merges: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, tuple[Edits, ...]]:
    """Renames and deletions of each merge against each of its parents (`git diff-tree -M`).

    `git log` prints no diff for a merge, but the lineage needs what it renamed or dropped
    against each parent: a branch that edits a file's old name meets the rename there.
    """
    if not merges:
        return {}
    lines = "".join(f"{sha} {parent}\n" for sha, parents in merges for parent in parents)
    done = subprocess.run(
        ["git", "diff-tree", "--stdin", "--always", "-r", "-M", "-z", "--diff-filter=DR",
         "--no-ext-diff", "--format=%x1e"],
        cwd=repo.git_dir, input=lines.encode("ascii"), capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        message = _text(done.stderr).strip()
        raise GitInputError(f"git diff-tree failed ({done.returncode}): {message}")
    sections: list[list[tuple[str, str]]] = []
    tokens = done.stdout.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token == HEADER:
            sections.append([])
        elif token[:1] == b":":
            if token[-1:] == b"D":
                sections[-1].append((decode_path(tokens[index]), ""))
                index += 1
            else:
                sections[-1].append((decode_path(tokens[index]), decode_path(tokens[index + 1])))
                index += 2
    result: dict[str, tuple[Edits, ...]] = {}
    position = 0
    for sha, parents in merges:
        result[sha] = tuple(tuple(part) for part in sections[position : position + len(parents)])
        position += len(parents)
    return result


def log_process(repo: git.Repo, shas: Sequence[str]) -> tuple[object, subprocess.Popen[bytes]]:
    """`git log` over exactly these commits, in this order, as a streaming process.

    Returns GitPython's handle too: the caller keeps it alive (it kills the process on GC).
    """
    process = repo.git.log(
        "--stdin",
        "--no-walk=unsorted",
        "-z",
        "--raw",
        "--numstat",
        "-M",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--encoding=UTF-8",
        f"--format={LOG_FORMAT}",
        as_process=True,
        istream=subprocess.PIPE,
        env=BUFFERED,
    )
    assert process.proc is not None
    popen: subprocess.Popen[bytes] = process.proc
    assert popen.stdin is not None and popen.stdout is not None
    _widen_pipe(popen.stdout)
    popen.stdin.write("".join(f"{sha}\n" for sha in shas).encode("ascii"))
    popen.stdin.close()
    return process, popen


def _widen_pipe(stream: IO[bytes]) -> None:
    """Let git run up to a megabyte ahead of our parser (Linux; the default pipe holds 64 KB).

    With a small pipe, git stops while we parse a block and we wait while it diffs the next:
    the two take turns instead of running side by side.
    """
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, READ_SIZE)


def check_exit(popen: subprocess.Popen[bytes], command: str = "git log") -> None:
    assert popen.stderr is not None
    code = popen.wait()
    if code != 0:
        message = _text(popen.stderr.read()).strip()
        raise GitInputError(f"{command} failed ({code}): {message}")


def stop_process(popen: subprocess.Popen[bytes]) -> None:
    if popen.poll() is None:
        popen.kill()
        popen.wait()
