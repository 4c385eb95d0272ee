"""Group commit for `POST /friction`: flags that arrive together are stored in one transaction.

One request at a time per transaction made SQLite the bottleneck of the flag API: every flag
paid its own BEGIN, token and team lookups, and a commit that writes the same WAL pages again.
Here each request queues its flag and waits; one drain task per event loop takes everything
waiting (up to `MAX_BATCH`), stores it in a single transaction on a worker thread, and only
after the commit answers each request, so a 2xx still means stored. While a batch is being
written the next one gathers, so batches grow with the load and cost nothing when it is light.

Exactly once: the batch resolves Idempotency-Keys already stored and repeated within the batch
(`app.flags.store.create_flags`); a key another process stores meanwhile makes the batch fail, and
then every member is written again in a transaction of its own, where the key is found. Any
other failure of a member (a value the database refuses) is isolated the same way, so one bad
member neither loses nor duplicates the others; when the database itself fails (locked past
the busy timeout, connection lost) every member fails at once, without a retry each. Tokens
are resolved and the per-token rate is checked inside the batch as well, which saves each
request its own session and thread hop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlmodel import Session

from app.core.access import Viewer
from app.core.db import begin_write, session_scope
from app.core.tokens import viewers_for_hashes
from app.flags.schemas import FlagCreate, FlagView
from app.flags.store import NewFlag, UnknownRepositoryError, create_flags, unknown_repositories
from dashboards.reports.repositories import known_repositories

MAX_BATCH = 256


@dataclass
class FlagPost:
    """A flag as posted: the token's hash, the body, and the hash of its Idempotency-Key."""

    token_hash: str
    data: FlagCreate
    key_hash: str | None = None
    follow_hash: str | None = None  # anonymous flags: the hash of the author's follow key
    wait: float | None = None  # the rate check, done once even if the batch is written again


@dataclass(frozen=True)
class Stored:
    view: FlagView
    created: bool


@dataclass(frozen=True)
class Unauthorized:
    """The token is unknown or revoked."""


@dataclass(frozen=True)
class Throttled:
    wait: float  # seconds until this token may post again


@dataclass(frozen=True)
class Invalid:
    """The flag names a repository that was never collected."""

    error: UnknownRepositoryError


@dataclass(frozen=True)
class Failed:
    error: Exception


Outcome = Stored | Unauthorized | Throttled | Invalid | Failed
Admit = Callable[[Viewer], float]  # spends one unit of the viewer's rate; > 0: seconds to wait


def write_batch(engine: Engine, posts: list[FlagPost], admit: Admit) -> list[Outcome]:
    """Store `posts` in one transaction; if it fails, each in a transaction of its own."""
    try:
        return _transaction(engine, posts, admit)
    except (OperationalError, InterfaceError) as error:
        return [Failed(error)] * len(posts)  # the database is locked or gone, not a member's fault
    except Exception as error:
        if len(posts) > 1:
            return [write_batch(engine, [post], admit)[0] for post in posts]
        if isinstance(error, IntegrityError) and posts[0].key_hash is not None:
            try:  # lost a race on the key to another process: now the key is found stored
                return _transaction(engine, posts, admit)
            except Exception as again:
                return [Failed(again)]
        return [Failed(error)]


def _transaction(engine: Engine, posts: list[FlagPost], admit: Admit) -> list[Outcome]:
    with session_scope(engine) as session:
        begin_write(session)
        return _write(session, posts, admit)


def _write(session: Session, posts: list[FlagPost], admit: Admit) -> list[Outcome]:
    viewers = viewers_for_hashes(session, {post.token_hash for post in posts})
    unknown = unknown_repositories(session, (post.data.repo for post in posts))
    outcomes: list[Outcome] = [Unauthorized()] * len(posts)
    known: list[str] = []  # looked up only when a flag names an unknown repository
    accepted: list[int] = []
    for index, post in enumerate(posts):
        viewer = viewers.get(post.token_hash)
        if viewer is None:
            continue
        if post.wait is None:
            post.wait = admit(viewer)
        if post.wait > 0:
            outcomes[index] = Throttled(post.wait)
        elif post.data.repo in unknown:
            known = known or known_repositories(session)
            outcomes[index] = Invalid(UnknownRepositoryError(post.data.repo, known))
        else:
            accepted.append(index)
    new = [
        NewFlag(viewers[p.token_hash], p.data, p.key_hash, p.follow_hash)
        for p in (posts[i] for i in accepted)
    ]
    for index, (view, created) in zip(accepted, create_flags(session, new), strict=True):
        outcomes[index] = Stored(view, created)
    return outcomes


class FlagWriter:
    """Queues posted flags and writes them in batches, one batch at a time, on one event loop.

    `turn`, on SQLite, is the lock that the other writing requests of this process take
    (`app.http.deps`), so a batch never overlaps them.
    """

    def __init__(
        self,
        engine: Engine,
        admit: Admit,
        loop: asyncio.AbstractEventLoop,
        turn: asyncio.Lock | None = None,
    ) -> None:
        self.engine = engine
        self.admit = admit
        self.loop = loop
        self.turn = turn
        self._pending: list[tuple[FlagPost, asyncio.Future[Outcome]]] = []
        self._drain_task: asyncio.Task[None] | None = None

    async def submit(self, post: FlagPost) -> Outcome:
        """Queue one flag and wait until its batch is committed (or has failed)."""
        future: asyncio.Future[Outcome] = self.loop.create_future()
        self._pending.append((post, future))
        if self._drain_task is None:
            self._drain_task = self.loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
                try:
                    outcomes = await self._write_turn([post for post, _ in batch])
                except BaseException as error:  # cancelled at shutdown: nobody is left waiting
                    batch += self._pending
                    self._pending.clear()
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    raise
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._drain_task = None

    async def _write_turn(self, posts: list[FlagPost]) -> list[Outcome]:
        if self.turn is None:
            return await self.loop.run_in_executor(
                None, write_batch, self.engine, posts, self.admit
            )
        async with self.turn:
            return await self.loop.run_in_executor(
                None, write_batch, self.engine, posts, self.admit
            )
