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
import functools
import gc
import multiprocessing
import pickle
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, NamedTuple

import git

HEADER = b"\x1e"
LOG_FORMAT = "%x1e%H%x00%aN%x00%aE%x00%at%x00%ct%x00%P%x00%s%x00"
PARALLEL_MIN_COMMITS = 2000
READ_SIZE = 1 << 20
WORKER_BATCH = 2000  # records per pickle a worker writes: memory stays flat
BINARY_SNIFF = 8000  # git's own heuristic: a NUL byte in the first 8000 bytes


class GitInputError(ValueError):
    """The path cannot be collected (not a repository, empty, shallow, detached HEAD...)."""


class FileChangeRecord(NamedTuple):
    """A tuple, not a dataclass: one is built per file per commit and pickled from workers."""

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


def rev_list(repo: git.Repo, head: str, exclude: str | None = None) -> list[str]:
    """Commits reachable from `head` (minus `exclude`'s history), newest first."""
    args = [head] if exclude is None else [head, f"^{exclude}"]
    out = repo.git.rev_list(*args)
    return out.split() if out else []


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
    rest = b""
    while block := stream.read(READ_SIZE):
        data = rest + block
        cut = data.rfind(b"\0" + HEADER)
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1 :]
    if rest:
        yield rest


def _count(value: bytes) -> int:
    return 0 if value == b"-" else int(value)


def parse_log(
    stream: IO[bytes], path_map: PathMap, bot_logins: Sequence[str] = ()
) -> Iterator[CommitRecord]:
    """Parse `git log -z --numstat -M --format=LOG_FORMAT` output, newest commit first.

    Works on whole blocks split at NULs with an index, not token by token: this loop runs
    for every file of every commit and is the collector's main Python cost.
    """
    bots = tuple(bot_logins)
    resolve = path_map.resolve
    for data in _blocks(stream):
        tokens = data.split(b"\0")
        count = len(tokens)
        index = 0
        header: list[bytes] | None = None
        changes: list[FileChangeRecord] = []
        pending: list[tuple[str, str]] = []
        while index < count:
            token = tokens[index]
            if token[:1] == HEADER:
                if header is not None:
                    yield _record(header, changes, bots)
                    for old, current in pending:
                        path_map.add(old, current)
                header = [token[1:], *tokens[index + 1 : index + 7]]
                changes, pending = [], []
                index += 7
                continue
            index += 1
            if not token:
                continue
            added, deleted, raw_path = token.lstrip(b"\n").split(b"\t", 2)
            binary = added == b"-"
            if raw_path:
                path = resolve(decode_path(raw_path))
                changes.append(FileChangeRecord(path, None, _count(added), _count(deleted), binary))
                continue
            old, new = decode_path(tokens[index]), decode_path(tokens[index + 1])
            index += 2
            current = resolve(new)
            changes.append(FileChangeRecord(current, old, _count(added), _count(deleted), binary))
            pending.append((old, current))
        if header is not None:
            yield _record(header, changes, bots)
            for old, current in pending:
                path_map.add(old, current)


def _record(
    header: list[bytes], changes: list[FileChangeRecord], bot_logins: Sequence[str]
) -> CommitRecord:
    sha, name, email, authored, committed, parents, subject = header
    author_name, author_email = _text(name), _text(email)
    return CommitRecord(
        sha=sha.decode("ascii"),
        author_name=author_name,
        author_email=author_email,
        authored_at=datetime.fromtimestamp(int(authored), UTC),
        committed_at=datetime.fromtimestamp(int(committed), UTC),
        is_merge=len(parents.split()) > 1,
        is_bot=is_bot(author_name, author_email, tuple(bot_logins)),
        summary=_text(subject)[:300],
        changes=tuple(changes),
    )


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
    )
    assert process.proc is not None
    popen: subprocess.Popen[bytes] = process.proc
    assert popen.stdin is not None
    popen.stdin.write("".join(f"{sha}\n" for sha in shas).encode("ascii"))
    popen.stdin.close()
    return process, popen


def _parse_slice(
    repo: git.Repo, shas: Sequence[str], bot_logins: Sequence[str], out: IO[bytes]
) -> None:
    """Worker process: read and parse one older slice, pickling batches of records to `out`.

    Paths are resolved with this slice's own renames only; the parent composes them with the
    renames of the newer slices (see `_compose`). Ends with ("renames", map) or ("error", text).
    """
    local = PathMap()
    try:
        _handle, popen = _log_process(repo, shas)
        assert popen.stdout is not None
        batch: list[CommitRecord] = []
        for record in parse_log(popen.stdout, local, bot_logins):
            batch.append(record)
            if len(batch) >= WORKER_BATCH:
                pickle.dump(("records", batch), out, pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(("records", batch), out, pickle.HIGHEST_PROTOCOL)
        _check(popen)
        pickle.dump(("renames", local.renames), out, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # reported by the parent, which owns the error handling
        pickle.dump(("error", str(error)), out, pickle.HIGHEST_PROTOCOL)
    out.flush()


def _compose(spool: IO[bytes], path_map: PathMap) -> Iterator[CommitRecord]:
    """A worker's records with paths mapped through the newer slices' renames.

    Walking newest to oldest with one map M gives, inside a slice, M(p) = G(L(p)), where G is
    the map when the slice starts and L the slice's own map; so the worker applies L, this
    applies the frozen G, and at the end M gains {old: G(L(old))} for the slice's renames.
    """
    newer = dict(path_map.renames)
    while True:
        kind, payload = pickle.load(spool)
        if kind == "error":
            raise GitInputError(payload)
        if kind == "renames":
            for old, current in payload.items():
                path_map.add(old, newer.get(current, current))
            return
        if not newer:
            yield from payload
            continue
        get = newer.get
        for record in payload:
            changes = record.changes
            if any(change.path in newer for change in changes):
                mapped = tuple([FileChangeRecord(get(c.path, c.path), *c[1:]) for c in changes])
                record = CommitRecord(*record[:-1], mapped)
            yield record


def _check(popen: subprocess.Popen[bytes]) -> None:
    assert popen.stderr is not None
    code = popen.wait()
    if code != 0:
        message = _text(popen.stderr.read()).strip()
        raise GitInputError(f"git log failed ({code}): {message}")


def iter_commits(
    repo: git.Repo,
    shas: Sequence[str],
    *,
    path_map: PathMap | None = None,
    bot_logins: Sequence[str] = (),
    jobs: int = 1,
) -> Iterator[CommitRecord]:
    """Commits `shas` (newest first) with their file changes, paths mapped to the newest.

    With `jobs` > 1 and a long list, the list is cut into `jobs` slices: the newest streams
    from its `git log` straight into this process's parser, each older slice is read and parsed
    by a worker process into a temporary file meanwhile, so every core diffs or parses while
    this process inserts. Slices are yielded in order and their paths composed with the newer
    slices' renames, which keeps the rename map exactly as one pass would build it.
    """
    path_map = path_map if path_map is not None else PathMap()
    if not shas:
        return
    slices = 1 if len(shas) < PARALLEL_MIN_COMMITS else max(1, jobs)
    size = -(-len(shas) // slices)
    parts = [shas[i : i + size] for i in range(0, len(shas), size)]
    bots = tuple(bot_logins)
    context = multiprocessing.get_context("fork")  # the worker needs no imports, only `repo`
    with contextlib.ExitStack() as stack:
        workers = []
        gc.freeze()  # else a worker's collector touches, so copies, every page it shares with us
        try:
            for part in parts[1:]:
                spool = stack.enter_context(tempfile.TemporaryFile())
                worker = context.Process(target=_parse_slice, args=(repo, part, bots, spool))
                worker.daemon = True
                worker.start()
                stack.callback(_stop_worker, worker)
                workers.append((worker, spool))
        finally:
            gc.unfreeze()
        _handle, first = _log_process(repo, parts[0])
        stack.callback(_stop, [first])
        assert first.stdout is not None
        yield from parse_log(first.stdout, path_map, bots)
        _check(first)
        for worker, spool in workers:
            worker.join()
            spool.seek(0)
            if worker.exitcode != 0 and not spool.read(1):
                raise GitInputError(f"git log worker failed (exit code {worker.exitcode})")
            spool.seek(0)
            yield from _compose(spool, path_map)


def _stop_worker(worker: multiprocessing.process.BaseProcess) -> None:
    if worker.is_alive():
        worker.kill()
    worker.join()


def _stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    for popen in processes:
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
