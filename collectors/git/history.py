"""Read a history with every core: one worker process per core, chunks taken in turn.

`iter_batches` reads a short history in this process. A long one is cut into chunks (the
first ones while `git rev-list` still walks); each worker runs `git log` over a chunk, parses
it (collectors/git/log.py) and pickles the rows to an anonymous temporary file, taking the
next chunk as soon as it finishes one, while this process takes the chunks in order. Paths
are mapped to the newest names exactly as one pass would (see `_compose`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import tempfile
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import IO, Any

import git

from collectors.git.log import (
    Batch,
    CommitRecord,
    FileChangeRecord,
    GitInputError,
    History,
    PathMap,
    TimeValue,
    check_exit,
    log_process,
    parse_batches,
    stop_process,
    utc_time,
)

PARALLEL_MIN_COMMITS = 2000
MIN_CHUNK = 1000  # commits: below this a chunk's process start-up shows
CHUNKS_PER_JOB = 6
EARLY_CHUNK = 2000  # commits per chunk handed out while `git rev-list` still walks
EARLY_CHUNKS_PER_JOB = 2
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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
        _handle, popen = log_process(repo, shas)
        assert popen.stdout is not None
        for batch in parse_batches(popen.stdout, local, bot_logins, time_value):
            pickle.dump(("batch", batch), out, pickle.HIGHEST_PROTOCOL)
        check_exit(popen)
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
    _handle, popen = log_process(repo, history.shas)
    try:
        assert popen.stdout is not None
        yield from parse_batches(popen.stdout, path_map, bot_logins, time_value)
        check_exit(popen)
    finally:
        stop_process(popen)


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
