"""The group-commit flag writer: batches keep exactly-once, and one bad member spoils nothing.

Runs on SQLite and PostgreSQL (the `engine` fixture), calling the writer directly, so that the
batches are exactly the ones under test; the HTTP path is covered by test_flags_api.py.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import bindparam, false
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, func, select

import app.flags.store as flags
import app.flags.writer as flag_writer
from app.core.access import Viewer
from app.core.models import FlagAuthor, FrictionFlag, IdempotencyKey
from app.core.tokens import hash_token
from app.flags.schemas import FlagCreate, FlagView
from app.flags.writer import (
    Failed,
    FlagPost,
    FlagWriter,
    Outcome,
    Stored,
    Throttled,
    Unauthorized,
    write_batch,
)
from tests.app.http.access_world import World, build_world


@pytest.fixture
def world(engine: Engine) -> World:
    with Session(engine, expire_on_commit=False) as session:
        built = build_world(session)
        session.commit()
    return built


def admit_all(_viewer: Viewer) -> float:
    return 0.0


def post(world: World, summary: str, key: str | None = None, role: str = "person") -> FlagPost:
    return FlagPost(
        token_hash=hash_token(world.secrets[role]),
        data=FlagCreate(summary=summary),
        key_hash=f"hash-of-{key}" if key else None,
    )


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(FrictionFlag)).one(),
            session.exec(select(func.count()).select_from(FlagAuthor)).one(),
            session.exec(select(func.count()).select_from(IdempotencyKey)).one(),
        )


def stored(outcome: Outcome) -> Stored:
    assert isinstance(outcome, Stored), outcome
    return outcome


def test_one_key_repeated_in_a_batch_makes_one_flag(engine: Engine, world: World) -> None:
    before = counts(engine)
    posts = [post(world, f"dup {n}", key="k1") for n in range(4)]
    posts += [post(world, "other", key="k2"), post(world, "no key")]
    outcomes = [stored(o) for o in write_batch(engine, posts, admit_all)]
    assert [o.created for o in outcomes] == [True, False, False, False, True, True]
    assert len({o.view.id for o in outcomes[:4]}) == 1
    assert {o.view.summary for o in outcomes[:4]} == {"dup 0"}  # the first one's flag
    assert counts(engine) == (before[0] + 3, before[1] + 3, before[2] + 2)
    # A later batch with the stored key returns the same flag, read back from the database.
    [again] = write_batch(engine, [post(world, "dup again", key="k1")], admit_all)
    assert stored(again).view == outcomes[0].view and not stored(again).created
    assert counts(engine) == (before[0] + 3, before[1] + 3, before[2] + 2)


def test_a_failing_member_neither_loses_nor_duplicates_the_others(
    engine: Engine, world: World
) -> None:
    before = counts(engine)
    broken = post(world, "broken", key="bad")
    broken.data = FlagCreate.model_construct(**{**broken.data.model_dump(), "summary": None})
    posts = [post(world, "first", key="a"), broken, post(world, "third", key="c")]
    outcomes = write_batch(engine, posts, admit_all)
    assert isinstance(outcomes[1], Failed)
    good = [stored(outcomes[0]), stored(outcomes[2])]
    assert all(o.created for o in good)
    assert counts(engine) == (before[0] + 2, before[1] + 2, before[2] + 2)
    # The clients retry everything: the stored ones replay, nothing is written twice.
    again = [post(world, "first", key="a"), post(world, "third", key="c")]
    retried = write_batch(engine, again, admit_all)
    assert [stored(o).view.id for o in retried] == [o.view.id for o in good]
    assert not any(stored(o).created for o in retried)
    assert counts(engine) == (before[0] + 2, before[1] + 2, before[2] + 2)


def test_unknown_revoked_and_throttled_tokens_store_nothing(engine: Engine, world: World) -> None:
    before = counts(engine)
    unknown = post(world, "who?")
    unknown.token_hash = hash_token("gw_not-a-token")
    posts = [post(world, "revoked", role="revoked"), unknown, post(world, "slow", role="manager")]

    def admit(viewer: Viewer) -> float:
        return 0.0 if viewer.login == "bob" else 7.5  # everyone but bob must wait

    outcomes = write_batch(engine, [*posts, post(world, "fine")], admit)
    assert outcomes[:3] == [Unauthorized(), Unauthorized(), Throttled(7.5)]
    assert stored(outcomes[3]).created
    assert counts(engine)[0] == before[0] + 1


def test_concurrent_posts_share_batches(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    real = flag_writer.write_batch

    def recording(engine: Engine, posts: list[FlagPost], admit: flag_writer.Admit) -> list[Outcome]:
        sizes.append(len(posts))
        return real(engine, posts, admit)

    monkeypatch.setattr(flag_writer, "write_batch", recording)
    before = counts(engine)

    async def run() -> list[Outcome]:
        writer = FlagWriter(engine, admit_all, asyncio.get_running_loop())
        posts = [post(world, f"many {n}", key=f"m{n % 10}") for n in range(40)]
        return await asyncio.gather(*(writer.submit(p) for p in posts))

    outcomes = [stored(o) for o in asyncio.run(run())]
    assert sum(sizes) == 40 and len(sizes) < 40  # grouped, every post in exactly one batch
    assert sum(o.created for o in outcomes) == 10
    assert len({o.view.id for o in outcomes}) == 10
    assert counts(engine)[0] == before[0] + 10


def test_a_flag_belongs_to_a_team_of_its_author(engine: Engine, world: World) -> None:
    """The first team the author is a member of, else the first they manage, else none."""
    posts = [
        post(world, "as member", role="manager"),
        post(world, "as manager only", role="other_manager"),
        post(world, "no team", role="admin"),
    ]
    views = [stored(o).view for o in write_batch(engine, posts, admit_all)]
    assert [v.team_name for v in views] == ["Leads", "Search", None]


def test_a_key_stored_by_another_transaction_meanwhile_is_a_replay(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch looked the key up before another transaction stored it: the insert fails,
    and the members written again one by one find the key (batches of one and of many)."""
    [first] = write_batch(engine, [post(world, "first", key="raced")], admit_all)
    before = counts(engine)
    real = flag_writer.create_flags
    calls: list[int] = []

    def blind_first_lookup(
        session: Session, new: list[flags.NewFlag]
    ) -> list[tuple[FlagView, bool]]:
        calls.append(len(new))
        if len(calls) > 1:
            return real(session, new)
        with monkeypatch.context() as patch:  # this lookup sees the database as it was before
            patch.setattr(flags, "_FLAGS_FOR_KEYS", NO_KEYS)
            return real(session, new)

    monkeypatch.setattr(flag_writer, "create_flags", blind_first_lookup)
    for posts in (
        [post(world, "raced again", key="raced")],
        [post(world, "raced once more", key="raced"), post(world, "bystander", key="b")],
    ):
        calls.clear()
        outcomes = [stored(o) for o in write_batch(engine, posts, admit_all)]
        assert outcomes[0].view == stored(first).view and not outcomes[0].created
        assert all(o.created for o in outcomes[1:])
        assert calls[0] == len(posts) and len(calls) > 1  # failed once, then written again
    assert counts(engine) == (before[0] + 1, before[1] + 1, before[2] + 1)  # the bystander


NO_KEYS = select(IdempotencyKey.key_hash, IdempotencyKey.flag_id).where(
    col(IdempotencyKey.key_hash).in_(bindparam("key_hashes", expanding=True)), false()
)


def test_when_the_database_fails_every_member_fails_at_once(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locked past the busy timeout or disconnected: no member's fault, so no retry each."""
    attempts: list[int] = []

    def locked(engine: Engine, posts: list[FlagPost], admit: flag_writer.Admit) -> list[Outcome]:
        attempts.append(len(posts))
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(flag_writer, "_transaction", locked)
    before = counts(engine)
    outcomes = write_batch(engine, [post(world, f"f{n}", key=f"f{n}") for n in range(5)], admit_all)
    assert attempts == [5]
    assert all(isinstance(o, Failed) for o in outcomes)
    assert counts(engine) == before
