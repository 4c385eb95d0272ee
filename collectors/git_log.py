"""Read a repository's history in one streamed `git log --numstat -M -z` pass, via GitPython.

Never a per-commit diff or `commit.stats` call: those cost 9-46x a raw `git log` (issue 2).
Edge cases, stated once here and in docs/metrics.md:
- merges: stored as commits (`is_merge`), but `git log --numstat` prints no diff for them,
  so they add no file changes and never count as churn;
- renames (`-M`): every change is stored under the path the file has at the newest commit
  read, by walking history newest to oldest with a map old path -> current path; a path that
  was deleted and later reused by an unrelated file shares that file's history (as with
  `git log --follow`);
- mailmap: author name and email come from `%aN`/`%aE`, so `.mailmap` is applied;
- bots: "[bot]" in the name or email, or a name/email login listed in `settings.bot_logins`;
- paths: `-z` output is never quoted; bytes that are not UTF-8 are kept as `\\xNN` escapes.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any, NamedTuple

import git

HEADER = b"\x1e"
LOG_FORMAT = "%x1e%H%x00%aN%x00%aE%x00%at%x00%ct%x00%P%x00%s%x00"
PARALLEL_MIN_COMMITS = 2000
MIN_CHUNK = 1000  # commits: below this a chunk's process start-up shows
CHUNKS_PER_JOB = 6
EARLY_CHUNK = 2000  # commits per chunk handed out while `git rev-list` still walks
EARLY_CHUNKS_PER_JOB = 2
READ_SIZE = 1 << 20
# Into a pipe git flushes after every commit: a write and a wake-up of our reader each
# (100,000 of them for 100,000 commits). GIT_FLUSH=0 makes it fill its buffer first.
BUFFERED = {"GIT_FLUSH": "0"}
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
NAME_MAX, EMAIL_MAX, SUMMARY_MAX = 300, 320, 300  # the widths of the columns they go to
BINARY_SNIFF = 8000  # git's own heuristic: a NUL byte in the first 8000 bytes


class GitInputError(ValueError):
    """The path cannot be collected (not a repository, empty, shallow, detached HEAD...)."""


# The store's rows, as plain tuples: hundreds of thousands are built, pickled from workers and
# handed to `executemany`, and a plain tuple is the cheapest object to do all three with.
CommitRow = tuple[str, str, str, Any, Any, bool, bool, str]
"""sha, author name, author email, authored at, committed at, is merge, is bot, summary"""
ChangeRow = tuple[str, str, "str | None", int, int, bool]
"""commit sha, path (at the newest commit read), old path (rename source), added, deleted,
is binary; a commit's changes follow each other, in the order of the commits."""
TimeValue = Callable[[int], Any]


class Batch(NamedTuple):
    commits: list[CommitRow]
    changes: list[ChangeRow]


class FileChangeRecord(NamedTuple):
    """One file of a commit, as `iter_commits` gives it."""

    path: str  # at the newest commit read (renames followed)
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


@dataclass(frozen=True)
class HeadFileRecord:
    path: str
    loc: int
    is_binary: bool


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
        self._handle = repo.git.rev_list(*args, as_process=True, env=BUFFERED)
        assert self._handle.proc is not None
        self._popen: subprocess.Popen[bytes] | None = self._handle.proc
        self.shas: list[str] = []

    @classmethod
    def of(cls, shas: Sequence[str]) -> History:
        """A history already walked (a list of shas, newest first)."""
        history = cls.__new__(cls)
        history._popen, history.shas = None, list(shas)
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
        readline, shas = popen.stdout.readline, self.shas
        while len(shas) < count:
            line = readline()
            if not line:
                self._popen = None
                _check(popen, "git rev-list")
                break
            shas.append(line[:-1].decode("ascii"))
        return shas

    def read_all(self) -> list[str]:
        return self.read(sys.maxsize)


def rev_list(repo: git.Repo, head: str, exclude: str | None = None) -> list[str]:
    """Commits reachable from `head` (minus `exclude`'s history), newest first."""
    return History(repo, head, exclude).read_all()


# --- bots -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def is_bot(name: str, email: str, bot_logins: tuple[str, ...] = ()) -> bool:
    """GitHub's "[bot]" suffix, or a name or email login listed as a bot account.

    Cached: a history has few distinct authors, and this runs once per commit.
    """
    name, email = name.lower(), email.lower()
    if "[bot]" in name or "[bot]" in email:
        return True
    local = email.split("@", 1)[0]
    candidates = {name, local, local.split("+", 1)[-1]}
    return any(login.lower() in candidates for login in bot_logins)


# --- the streamed parse -----------------------------------------------------------------------


class PathMap:
    """Old path -> path at the newest commit read, built while walking newest to oldest."""

    def __init__(self) -> None:
        self.renames: dict[str, str] = {}

    def resolve(self, path: str) -> str:
        return self.renames.get(path, path)

    def add(self, old: str, current: str) -> None:
        self.renames[old] = current


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
    path_map: PathMap,
    bot_logins: Sequence[str] = (),
    time_value: TimeValue = utc_time,
) -> Iterator[Batch]:
    """Parse `git log -z --numstat -M --format=LOG_FORMAT` output, newest commit first.

    Works on whole blocks split at NULs with an index, not token by token, and builds plain
    tuples: this loop runs for every file of every commit and is the collector's main Python
    cost. `time_value` turns a Unix time into what the caller stores (a datetime by default).
    """
    bots = tuple(bot_logins)
    resolve = path_map.resolve
    for data in _blocks(stream):
        tokens = data.split(b"\0")
        count = len(tokens)
        index = 0
        sha = ""
        commits: list[CommitRow] = []
        changes: list[ChangeRow] = []
        pending: list[tuple[str, str]] = []  # renames apply to older commits only
        while index < count:
            token = tokens[index]
            if token[:1] == HEADER:
                for old, current in pending:
                    path_map.add(old, current)
                pending = []
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
            added, deleted, raw_path = token.lstrip(b"\n").split(b"\t", 2)
            binary = added == b"-"
            if raw_path:
                path = resolve(decode_path(raw_path))
                changes.append((sha, path, None, _count(added), _count(deleted), binary))
                continue
            old, new = decode_path(tokens[index]), decode_path(tokens[index + 1])
            index += 2
            current = resolve(new)
            changes.append((sha, current, old, _count(added), _count(deleted), binary))
            pending.append((old, current))
        for old, current in pending:
            path_map.add(old, current)
        if commits:
            yield Batch(commits, changes)


def _log_process(repo: git.Repo, shas: Sequence[str]) -> tuple[object, subprocess.Popen[bytes]]:
    """`git log` over exactly these commits, in this order, as a streaming process.

    Returns GitPython's handle too: the caller keeps it alive (it kills the process on GC).
    """
    process = repo.git.log(
        "--stdin",
        "--no-walk=unsorted",
        "-z",
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


def _parse_chunk(
    repo: git.Repo,
    shas: Sequence[str],
    bot_logins: Sequence[str],
    time_value: TimeValue,
    out: IO[bytes],
) -> None:
    """Read and parse one chunk in a worker process, pickling its batches to `out`.

    Paths are resolved with this chunk's own renames only; the parent composes them with the
    renames of the newer chunks (see `_compose`). Ends with ("renames", map) or ("error", text).
    """
    local = PathMap()
    try:
        _handle, popen = _log_process(repo, shas)
        assert popen.stdout is not None
        for batch in parse_batches(popen.stdout, local, bot_logins, time_value):
            pickle.dump(("batch", batch), out, pickle.HIGHEST_PROTOCOL)
        _check(popen)
        pickle.dump(("renames", local.renames), out, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # reported by the parent, which owns the error handling
        pickle.dump(("error", str(error)), out, pickle.HIGHEST_PROTOCOL)
    out.flush()


def _worker(
    repo: git.Repo,
    tasks: Any,
    spools: Sequence[IO[bytes]],
    done: Connection,
    options: tuple[Sequence[str], TimeValue],
    parent: int,
) -> None:
    """Worker process: take the next chunk handed out, parse it into its spool, tell the
    parent which chunk is ready; until told to stop (None), or the parent is gone."""
    _die_with_parent()
    while True:
        try:
            task = tasks.get(timeout=1)
        except queue.Empty:
            if os.getppid() != parent:  # killed before it said stop: nobody will read us
                return
            continue
        if task is None:
            break
        index, shas = task
        _parse_chunk(repo, shas, *options, spools[index])
        done.send(index)
    done.close()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the collect process dies (a killed
    collect must not leave workers reading history for nobody); elsewhere the worker
    notices between chunks."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _compose(spool: IO[bytes], path_map: PathMap) -> Iterator[Batch]:
    """A worker's batches with paths mapped through the newer chunks' renames.

    Walking newest to oldest with one map M gives, inside a chunk, M(p) = G(L(p)), where G is
    the map when the chunk starts and L the chunk's own map; so the worker applies L, this
    applies the frozen G, and at the end M gains {old: G(L(old))} for the chunk's renames.
    """
    newer = dict(path_map.renames)
    get = newer.get
    while True:
        kind, payload = pickle.load(spool)
        if kind == "error":
            raise GitInputError(payload)
        if kind == "renames":
            for old, current in payload.items():
                path_map.add(old, get(current, current))
            return
        if newer:
            changes = payload.changes
            for index, row in enumerate(changes):
                moved = get(row[1])
                if moved is not None:
                    changes[index] = (row[0], moved, *row[2:])
        yield payload


def _check(popen: subprocess.Popen[bytes], command: str = "git log") -> None:
    assert popen.stderr is not None
    code = popen.wait()
    if code != 0:
        message = _text(popen.stderr.read()).strip()
        raise GitInputError(f"{command} failed ({code}): {message}")


def _chunks(shas: Sequence[str], jobs: int) -> list[Sequence[str]]:
    """Cut the list into a few chunks per job, so that a job that finishes early takes more.

    Commits differ a lot in cost (a history's newest commits touch bigger files), so equal
    slices per process leave cores idle at the end; small chunks taken in turn do not.
    """
    count = max(1, min(len(shas) // MIN_CHUNK, jobs * CHUNKS_PER_JOB))
    size = -(-len(shas) // count)
    return [shas[i : i + size] for i in range(0, len(shas), size)]


def iter_batches(
    repo: git.Repo,
    shas: Sequence[str] | History,
    *,
    path_map: PathMap | None = None,
    bot_logins: Sequence[str] = (),
    jobs: int = 1,
    time_value: TimeValue = utc_time,
) -> Iterator[Batch]:
    """Commits `shas` (newest first) and their file changes, paths mapped to the newest.

    With `jobs` > 1 and a long history, `jobs` worker processes read and parse chunks of it
    (each with its own `git log`) into temporary files, each taking the next chunk as soon as
    it finishes one, while this process takes the chunks in order and stores them. Each
    chunk's paths are composed with the newer chunks' renames, which keeps the rename map
    exactly as one pass would build it.
    """
    history = shas if isinstance(shas, History) else History.of(shas)
    path_map = path_map if path_map is not None else PathMap()
    history.read(PARALLEL_MIN_COMMITS)
    if jobs > 1 and len(history.shas) >= PARALLEL_MIN_COMMITS:
        yield from _read_in_parallel(repo, history, path_map, jobs, (tuple(bot_logins), time_value))
        return
    if not history.read_all():
        return
    _handle, popen = _log_process(repo, history.shas)
    try:
        assert popen.stdout is not None
        yield from parse_batches(popen.stdout, path_map, bot_logins, time_value)
        _check(popen)
    finally:
        _stop(popen)


def _read_in_parallel(
    repo: git.Repo,
    history: History,
    path_map: PathMap,
    jobs: int,
    options: tuple[Sequence[str], TimeValue],
) -> Iterator[Batch]:
    context = multiprocessing.get_context("fork")  # the worker needs no imports, only `repo`
    with contextlib.ExitStack() as stack:
        most = jobs * (EARLY_CHUNKS_PER_JOB + CHUNKS_PER_JOB)
        spools = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(most)]
        tasks = context.Queue()
        tasks.cancel_join_thread()  # never wait at exit to hand out chunks nobody will read
        ready: list[Connection] = []
        gc.freeze()  # else a worker's collector touches, so copies, every page it shares with us
        try:
            for _ in range(jobs):
                receiver, sender = context.Pipe(duplex=False)
                args = (repo, tasks, spools, sender, options, os.getpid())
                worker = context.Process(target=_worker, args=args, daemon=True)
                worker.start()
                sender.close()
                stack.callback(_stop_worker, worker)
                ready.append(receiver)
        finally:
            gc.unfreeze()
        count = _hand_out(history, tasks, jobs)
        done: set[int] = set()
        for index in range(count):
            _wait_for_chunk(index, done, ready)
            spool = spools[index]
            spool.seek(0)
            yield from _compose(spool, path_map)
            spool.close()  # its disk space is freed now, not at the end


def _hand_out(history: History, tasks: Any, jobs: int) -> int:
    """Queue the chunks of `history` for the workers, newest first; returns how many.

    While `git rev-list` still walks, fixed chunks of EARLY_CHUNK commits go out as soon as
    they are known, so the workers start at once; the rest is cut when the walk ends.
    """
    index = start = 0
    while not history.complete and index < jobs * EARLY_CHUNKS_PER_JOB:
        shas = history.read(start + EARLY_CHUNK)
        if len(shas) < start + EARLY_CHUNK:
            break
        tasks.put((index, shas[start : start + EARLY_CHUNK]))
        index, start = index + 1, start + EARLY_CHUNK
    rest = history.read_all()[start:]
    for chunk in _chunks(rest, jobs) if rest else []:
        tasks.put((index, chunk))
        index += 1
    for _ in range(jobs):
        tasks.put(None)
    return index


def iter_commits(
    repo: git.Repo,
    shas: Sequence[str] | History,
    *,
    path_map: PathMap | None = None,
    bot_logins: Sequence[str] = (),
    jobs: int = 1,
) -> Iterator[CommitRecord]:
    """`iter_batches` one commit at a time, as named records (for readers, not the store)."""
    for batch in iter_batches(repo, shas, path_map=path_map, bot_logins=bot_logins, jobs=jobs):
        by_sha: dict[str, list[FileChangeRecord]] = {}
        for sha, *change in batch.changes:
            by_sha.setdefault(sha, []).append(FileChangeRecord(*change))
        for row in batch.commits:
            yield CommitRecord(*row, changes=tuple(by_sha.get(row[0], ())))


def _wait_for_chunk(index: int, done: set[int], ready: list[Connection]) -> None:
    """Block until a worker says chunk `index` is complete; a worker that died says nothing."""
    while index not in done:
        if not ready:
            raise GitInputError("a git log worker process died before finishing its chunk")
        for connection in wait(ready):
            assert isinstance(connection, Connection)
            try:
                done.add(connection.recv())
            except EOFError:  # that worker has finished (or died): nothing more from it
                ready.remove(connection)


def _stop_worker(worker: multiprocessing.process.BaseProcess) -> None:
    if worker.is_alive():
        worker.kill()
    worker.join()


def _stop(popen: subprocess.Popen[bytes]) -> None:
    if popen.poll() is None:
        popen.kill()
        popen.wait()


# --- files at HEAD ----------------------------------------------------------------------------


def _line_count(content: bytes) -> int:
    """Lines as git counts them: a last line without a newline still counts."""
    lines = content.count(b"\n")
    return lines + 1 if content and not content.endswith(b"\n") else lines


def head_files(repo: git.Repo, head: str) -> Iterator[HeadFileRecord]:
    """Every file in `head`'s tree with its line count, read with one `cat-file --batch`."""
    listing = repo.git.ls_tree("-r", "-z", head, stdout_as_string=False)
    entries: list[tuple[str, str]] = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, raw_path = item.split(b"\t", 1)
        _mode, kind, sha = meta.split()
        if kind == b"blob":
            entries.append((decode_path(raw_path), sha.decode("ascii")))
    if not entries:
        return
    process = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    popen = process.proc
    assert popen is not None and popen.stdin is not None and popen.stdout is not None
    stdin, stdout = popen.stdin, popen.stdout
    unique = list(dict.fromkeys(sha for _, sha in entries))

    def feed() -> None:
        stdin.write("".join(f"{sha}\n" for sha in unique).encode("ascii"))
        stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    counts: dict[str, tuple[int, bool]] = {}
    for sha in unique:
        header = stdout.readline().split()
        size = int(header[2])
        content = stdout.read(size)
        stdout.read(1)
        binary = b"\0" in content[:BINARY_SNIFF]
        counts[sha] = (0 if binary else _line_count(content), binary)
    writer.join()
    popen.wait()
    for path, sha in entries:
        loc, binary = counts[sha]
        yield HeadFileRecord(path, loc, binary)
