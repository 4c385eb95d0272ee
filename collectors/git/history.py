"""Read a history with every core: one worker process per core, chunks taken in turn.

`iter_batches` reads a short history in this process. A long one is cut into chunks (the
first ones while `git rev-list` still walks); each worker runs `git log` over a chunk, parses
it (collectors/git/log.py) and pickles the rows to an anonymous temporary file, taking the
next chunk as soon as it finishes one, while this process takes the chunks in order. Paths
are mapped to the files at HEAD here, in order, through the history graph
(collectors/git/lineage.py): the workers only read.
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
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import IO, Any

import git

from collectors.git.lineage import Lineage
from collectors.git.log import (
    Batch,
    CommitRecord,
    FileChangeRecord,
    GitInputError,
    History,
    TimeValue,
    check_exit,
    log_process,
    merge_edits,
    parse_batches,
    stop_process,
    utc_time,
)

Merges = Sequence[tuple[str, Sequence[str]]]  # the merges of a chunk, with their parents

PARALLEL_MIN_COMMITS = 2000
MIN_CHUNK = 1000  # commits: below this a chunk's process start-up shows
CHUNKS_PER_JOB = 6
EARLY_CHUNK = 2000  # commits per chunk handed out while `git rev-list` still walks
EARLY_CHUNKS_PER_JOB = 2
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def read_chunk(
    repo: git.Repo,
    shas: Sequence[str],
    merges: Merges,
    bot_logins: Sequence[str],
    time_value: TimeValue,
) -> Iterator[Batch]:
    """The batches of these commits, paths as each commit names them; the first batch also
    carries the merges' edits against each parent."""
    extra = merge_edits(repo, merges)
    _handle, popen = log_process(repo, shas)
    try:
        assert popen.stdout is not None
        for batch in parse_batches(popen.stdout, bot_logins, time_value):
            if extra:
                batch.edits.update(extra)
                extra = {}
            yield batch
        check_exit(popen)
    finally:
        stop_process(popen)
    if extra:  # merges only: nothing printed, their edits still count
        yield Batch([], [], extra)


def _parse_chunk(
    repo: git.Repo,
    task: tuple[Sequence[str], Merges],
    bot_logins: Sequence[str],
    time_value: TimeValue,
    out: IO[bytes],
) -> None:
    """Read and parse one chunk in a worker process, pickling its batches to `out`.

    Ends with ("end", None) or ("error", text).
    """
    try:
        for batch in read_chunk(repo, *task, bot_logins, time_value):
            pickle.dump(("batch", batch), out, pickle.HIGHEST_PROTOCOL)
        pickle.dump(("end", None), out, pickle.HIGHEST_PROTOCOL)
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
        index, chunk = task
        _parse_chunk(repo, chunk, *options, spools[index])
        done.send(index)
    done.close()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the collect process dies (a killed
    collect must not leave workers reading history for nobody); elsewhere the worker
    notices between chunks."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _unspool(spool: IO[bytes]) -> Iterator[Batch]:
    """A worker's batches, in the order it read them."""
    while True:
        kind, payload = pickle.load(spool)
        if kind == "error":
            raise GitInputError(payload)
        if kind == "end":
            return
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
    history: History,
    *,
    lineage: Lineage | None = None,
    bot_logins: Sequence[str] = (),
    jobs: int = 1,
    time_value: TimeValue = utc_time,
    now: bool = False,
) -> Reading:
    """The commits of `history` and their file changes, paths mapped to the files at HEAD.

    With `jobs` > 1 and a long history, `jobs` worker processes read and parse chunks of it
    (each with its own `git log`) into temporary files, each taking the next chunk as soon as
    it finishes one, while this process takes the chunks in order, maps their paths through
    `lineage` (one is made when none is given) and hands them on. The reading begins with the
    first batch asked for or, with `now`, at once: the workers then have their chunks when this
    returns, and git runs while the caller does other work (a first collect imports the
    database layer and builds its schema meanwhile).
    """
    lineage = lineage if lineage is not None else Lineage(history.parents)

    def begin() -> tuple[Iterator[Batch], _Parallel | None]:
        history.read(PARALLEL_MIN_COMMITS)
        if jobs > 1 and len(history.shas) >= PARALLEL_MIN_COMMITS:
            parallel = _Parallel(repo, history, jobs, (tuple(bot_logins), time_value))
            return iter(parallel), parallel
        return _read_here(repo, history, bot_logins, time_value), None

    return Reading(begin, lineage, now=now)


class Reading:
    """Batches being read (`iter_batches`), in order; `close` stops whatever still reads."""

    def __init__(
        self,
        begin: Callable[[], tuple[Iterator[Batch], _Parallel | None]],
        lineage: Lineage,
        *,
        now: bool,
    ) -> None:
        self._begin: Callable[[], tuple[Iterator[Batch], _Parallel | None]] | None = begin
        self._lineage = lineage
        self._parallel: _Parallel | None = None
        self._batches: Iterator[Batch] = iter(())
        if now:
            self._start()

    def _start(self) -> None:
        if self._begin is not None:
            begin, self._begin = self._begin, None
            source, self._parallel = begin()
            self._batches = self._resolved(source, self._lineage)

    def __iter__(self) -> Iterator[Batch]:
        return self

    def __next__(self) -> Batch:
        self._start()
        return next(self._batches)

    def close(self) -> None:
        self._begin = None
        closing = getattr(self._batches, "close", None)
        if closing is not None:
            closing()
        if self._parallel is not None:
            self._parallel.close()

    @staticmethod
    def _resolved(source: Iterator[Batch], lineage: Lineage) -> Iterator[Batch]:
        for batch in source:
            resolved = lineage.resolve(batch)
            if resolved.commits:
                yield resolved
        rest = lineage.remaining()
        if rest.commits:
            yield rest


def _read_here(
    repo: git.Repo, history: History, bot_logins: Sequence[str], time_value: TimeValue
) -> Iterator[Batch]:
    """A short history (or one job): read in this process, when first asked."""
    if history.read_all():
        merges = _merges(history, history.shas)
        yield from read_chunk(repo, history.shas, merges, bot_logins, time_value)


def _merges(history: History, shas: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    parents = history.parents
    return [(sha, parents[sha]) for sha in shas if len(parents.get(sha, ())) > 1]


class _Parallel:
    """The worker processes, started with their chunks handed out; iterating takes the chunks
    in order. `close` (also at the end of the iteration) stops the workers."""

    def __init__(
        self,
        repo: git.Repo,
        history: History,
        jobs: int,
        options: tuple[Sequence[str], TimeValue],
    ) -> None:
        context = multiprocessing.get_context("fork")  # the worker needs no imports, only `repo`
        self._stack = stack = contextlib.ExitStack()
        try:
            most = jobs * (EARLY_CHUNKS_PER_JOB + CHUNKS_PER_JOB)
            self._spools = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(most)]  # noqa: SIM115
            tasks = context.Queue()
            tasks.cancel_join_thread()  # never wait at exit to hand out chunks nobody will read
            self._ready: list[Connection] = []
            gc.freeze()  # else a worker's collector touches, so copies, every page it shares
            try:
                for _ in range(jobs):
                    receiver, sender = context.Pipe(duplex=False)
                    args = (repo, tasks, self._spools, sender, options, os.getpid())
                    worker = context.Process(target=_worker, args=args, daemon=True)
                    worker.start()
                    sender.close()
                    stack.callback(_stop_worker, worker)
                    self._ready.append(receiver)
            finally:
                gc.unfreeze()
            self._count = _hand_out(history, tasks, jobs)
        except BaseException:
            stack.close()
            raise

    def __iter__(self) -> Iterator[Batch]:
        try:
            done: set[int] = set()
            for index in range(self._count):
                _wait_for_chunk(index, done, self._ready)
                spool = self._spools[index]
                spool.seek(0)
                yield from _unspool(spool)
                spool.close()  # its disk space is freed now, not at the end
        finally:
            self.close()

    def close(self) -> None:
        self._stack.close()


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
        chunk = shas[start : start + EARLY_CHUNK]
        tasks.put((index, (chunk, _merges(history, chunk))))
        index, start = index + 1, start + EARLY_CHUNK
    rest = history.read_all()[start:]
    for chunk in _chunks(rest, jobs) if rest else []:
        tasks.put((index, (chunk, _merges(history, chunk))))
        index += 1
    for _ in range(jobs):
        tasks.put(None)
    return index


def iter_commits(
    repo: git.Repo,
    history: History,
    *,
    lineage: Lineage | None = None,
    bot_logins: Sequence[str] = (),
    jobs: int = 1,
) -> Iterator[CommitRecord]:
    """`iter_batches` one commit at a time, as named records (for readers, not the store)."""
    batches = iter_batches(repo, history, lineage=lineage, bot_logins=bot_logins, jobs=jobs)
    for batch in batches:
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
