"""The remembered pain map: the same data gives the remembered evidence back; a new collect or
a new flag shows on the very next map."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.models import FrictionFlag
from app.core.settings import Settings
from app.flags.lookup import TERMINAL, lookup
from collectors.git.store import collect_git
from dashboards.reports import painmap, painmap_cache, painmap_team
from tests.world.git import BOB, START, RepoBuilder

REPO = "acme/cache"


def _files(answer: dict[str, object]) -> dict[str, dict[str, object]]:
    return {n["path"]: n for n in answer["nodes"] if n["kind"] == "file"}  # type: ignore[attr-defined, index, misc]


def test_a_new_collect_or_a_new_flag_invalidates_the_remembered_map(
    engine: Engine, session: Session, settings: Settings, tmp_path: Path
) -> None:
    repo = RepoBuilder(tmp_path / "cache")
    repo.lines("pay/ledger.py", 10)
    repo.commit("start")
    collect_git(engine, repo.path, name=REPO)
    query = painmap.MapQuery(
        REPO, START - timedelta(days=1), START + timedelta(days=20), TERMINAL, lookup, settings
    )
    first = painmap.gather(session, query)
    again = painmap.gather(session, query)
    assert again.trees is first.trees  # nothing new: the remembered reading is used
    before = _files(painmap.answer(session, query, color="change"))
    assert before["pay/ledger.py"]["loc"] == 10 and before["pay/ledger.py"]["commits"] == 1

    repo.clock = START + timedelta(days=2)
    repo.lines("pay/ledger.py", 25, tag="v2")
    repo.lines("pay/fees.py", 4)
    repo.commit("more", author=BOB)
    collect_git(engine, repo.path, name=REPO)
    session.expire_all()
    assert painmap.gather(session, query).trees is not first.trees
    after = _files(painmap.answer(session, query, color="change"))
    assert after["pay/ledger.py"]["loc"] == 25 and after["pay/ledger.py"]["commits"] == 2
    assert after["pay/fees.py"]["loc"] == 4
    assert after["pay/ledger.py"]["flags"] == 0

    session.add(
        FrictionFlag(
            category="review_wait",
            summary="waiting",
            repo=REPO,
            path="pay/ledger.py",
            created_at=START + timedelta(days=3),
        )
    )
    session.commit()
    flagged = painmap.answer(session, query, color="flags")
    assert _files(flagged)["pay/ledger.py"]["flags"] == 1
    root = next(n for n in flagged["nodes"] if n["kind"] == "root")  # type: ignore[attr-defined]
    assert root["flags"] == 1


def test_maps_are_forgotten_oldest_first_past_the_files_they_hold(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team page's repositories stay remembered side by side; past `FILES` files in all the
    least recently used map leaves first, and a map larger than the budget is still kept."""
    painmap_cache.forget(session)
    monkeypatch.setattr(painmap_cache, "FILES", 100)
    built: list[str] = []

    def remember(key: str, files: int) -> None:
        painmap_cache.remember(session, key, lambda: built.append(key) or files, size=int)

    remember("a", 40)
    remember("b", 40)
    remember("a", 40)  # a is now the most recently used
    remember("c", 40)  # 120 files: b, the least recently used, leaves
    remember("a", 40)
    remember("b", 40)
    assert built == ["a", "b", "c", "b"]
    remember("huge", 500)
    remember("huge", 500)
    assert built[-1] == "huge" and built.count("huge") == 1
    painmap_cache.forget(session)


def test_a_persons_map_opened_again_keeps_their_part_and_shows_new_flags(
    engine: Engine,
    session: Session,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A person's map is kept as their part of each repository: opened again on the same
    data it reads no repository's whole map, even once more maps than the cache holds were
    read since (the parts are kept apart from them); a new flag shows at once and a collect
    gives a new part."""
    painmap_cache.forget(session)
    repo = RepoBuilder(tmp_path / "person")
    repo.lines("pay/ledger.py", 10)
    repo.lines("docs/readme.md", 3)
    repo.commit("start", author=BOB)
    collect_git(engine, repo.path, name=REPO)
    query = painmap.MapQuery(
        REPO, START - timedelta(days=1), START + timedelta(days=20), TERMINAL, lookup, settings
    )
    emails = frozenset({BOB[1]})
    gathered: list[int] = []
    real = painmap._gather
    monkeypatch.setattr(painmap, "_gather", lambda *a: gathered.append(1) or real(*a))

    def person_files() -> dict[str, dict[str, object]]:
        return _files(
            painmap_team.person_answer(session, query, emails=emails, color="flags", max_boxes=50)
        )

    first = person_files()
    assert set(first) == {"pay/ledger.py", "docs/readme.md"} and len(gathered) == 1
    monkeypatch.setattr(painmap_cache, "ENTRIES", 2)
    for other in ("another map", "a third map"):  # other pages' maps: the repository's leaves
        painmap_cache.remember(session, other, lambda: 0, size=int)
    session.add(
        FrictionFlag(
            category="review_wait",
            summary="waiting",
            repo=REPO,
            path="pay/ledger.py",
            created_at=START + timedelta(days=3),
        )
    )
    session.commit()
    again = person_files()
    assert len(gathered) == 1, "the person's part was kept: no whole map read again"
    assert again["pay/ledger.py"]["flags"] == 1

    repo.clock = START + timedelta(days=2)
    repo.lines("pay/fees.py", 4)
    repo.commit("more", author=BOB)
    collect_git(engine, repo.path, name=REPO)
    session.commit()  # the next request's transaction: the data version is read again
    assert "pay/fees.py" in person_files() and len(gathered) == 2
    painmap_cache.forget(session)
