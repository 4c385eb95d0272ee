"""Friction flags beside the PR, file and workflow they are about, on every page that shows them.

The world (tests/dashboards/world.py) gets: Erin joins platform (three members, so its
anonymous flags may be shown one by one), an open PR #450 waiting for a review, a file that
only a departed author knew and Alice touched lately (knowledge risk), and flags tied to these
items, some of them not for Maya's eyes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.core.models import FrictionFlag, Person, Team
from tests import world as f
from tests.dashboards.html import Element, parse
from tests.dashboards.world import NOW, World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}
LEGACY = "src/legacy.py"


_RAISED = itertools.count()


def _flag(
    session: Session, author: Person | None, team: Team, summary: str, **links: object
) -> FrictionFlag:
    # A minute apart, in the order raised: listings go newest first by time, then by the
    # random public id, so equal times would list in no fixed order.
    at = NOW - timedelta(days=1) + timedelta(minutes=next(_RAISED))
    flag = f.make_flag(session, author, summary=summary, created_at=at, team=team)
    for name, value in {"repo": "acme/shop", **links}.items():
        setattr(flag, name, value)
    session.add(flag)
    session.flush()
    return flag


@pytest.fixture
def flagged(session: Session, world: World) -> World:
    erin = f.make_person(session, "erin")
    f.make_member(session, world.platform, erin)
    f.make_pull(session, world.repo, "alice", number=450, ready_at=NOW - timedelta(days=1))
    for name, days_ago, lines in (("zed", 200, 400), ("alice", 2, 1)):  # Zed has left
        at = NOW - timedelta(days=days_ago)
        email = f"{name}@example.com"
        f.make_commit(session, world.repo, email=email, name=name, at=at, files={LEGACY: lines})
    platform, payments = world.platform, world.other
    _flag(session, world.alice, platform, "Review of <b>412</b> stalled", pull_number=412)
    _flag(session, None, platform, "Nobody felt able to review 412", pull_number=412)
    _flag(session, world.carol, payments, "Carol's private worry", pull_number=412)
    _flag(session, None, payments, "Payments whisper", pull_number=450)
    _flag(session, world.alice, platform, "PR 450 needs a second pair of eyes", pull_number=450)
    _flag(session, world.alice, platform, "Only Zed knew legacy", path=LEGACY)
    _flag(session, world.bob, platform, "tests workflow times out", workflow="tests")
    _flag(session, world.alice, platform, "Some other file", path="src/elsewhere.py")
    session.commit()
    return world


def _beside(doc: Element, tag: str, text: str) -> list[str]:
    """Texts of the flags shown inside the first `tag` element whose text has `text`."""
    for element in doc.find_all(tag):
        if "item-flag" in element.attrs.get("class", "").split():
            continue
        if text in element.full_text() and element.find_all("details", class_="item-flags"):
            return [" ".join(li.full_text().split()) for li in element.find_all(class_="item-flag")]
    return []


def test_person_page_shows_flags_beside_the_pr_file_and_ci_row(
    signed_in: SignIn, flagged: World
) -> None:
    response = signed_in("maya").get("/people/alice?period=30d")
    assert response.status_code == 200
    doc = parse(response.text)
    pr = _beside(doc, "tr", "acme/shop#412")
    assert pr == [
        "Nobody felt able to review 412 tooling open anonymous",
        "Review of <b>412</b> stalled tooling open by alice",
    ]
    badge = [s.full_text() for s in doc.find_all("summary", class_="badge")]
    assert "2 flags" in badge
    assert _beside(doc, "li", LEGACY) == ["Only Zed knew legacy tooling open by alice"]
    assert _beside(doc, "li", "on acme/shop#412") == [
        "tests workflow times out tooling open by bob"
    ]
    # Escaped, not interpreted; and nothing Maya may not see.
    assert "Review of &lt;b&gt;412&lt;/b&gt; stalled" in response.text
    assert "<b>412</b>" not in response.text
    assert "Carol's private worry" not in response.text
    assert "Carol&#39;s private worry" not in response.text
    assert "Payments whisper" not in response.text
    beside = " ".join(li.full_text() for li in doc.find_all(class_="item-flag"))
    assert "Some other file" not in beside  # in her own list, but beside no item on the page


def test_repo_and_team_pages_show_flags_beside_waiting_prs_files_and_workflows(
    signed_in: SignIn, flagged: World
) -> None:
    client = signed_in("maya")
    repo = parse(client.get("/repos/acme/shop?period=30d").text)
    assert _beside(repo, "li", "#450") == [
        "PR 450 needs a second pair of eyes tooling open by alice"
    ]
    assert _beside(repo, "li", LEGACY) == ["Only Zed knew legacy tooling open by alice"]
    assert _beside(repo, "tr", "tests") == ["tests workflow times out tooling open by bob"]
    team = parse(client.get("/teams/platform?period=30d").text)
    assert _beside(team, "tr", "acme/shop#450") == [
        "PR 450 needs a second pair of eyes tooling open by alice"
    ]
    assert _beside(team, "li", LEGACY) == ["Only Zed knew legacy tooling open by alice"]


def test_a_small_teams_anonymous_flag_is_shown_to_nobody_beside_the_item(
    signed_in: SignIn, flagged: World
) -> None:
    """Payments has one member: its anonymous flag is an aggregate for Dan, never an item."""
    for login in ("dan", "carol", "maya"):
        text = signed_in(login).get("/repos/acme/shop?period=30d").text
        assert "Payments whisper" not in text, login
    dan = parse(signed_in("dan").get("/repos/acme/shop?period=30d").text)
    assert _beside(dan, "li", "#450") == []  # Alice's flag is not Dan's to see either


def test_json_twin_carries_the_flags_without_anonymous_authors(
    signed_in: SignIn, flagged: World
) -> None:
    client = signed_in("maya")
    person = client.get("/people/alice?period=30d", headers=JSON).json()
    beside_pr = person["item_flags"]["pull:acme/shop#412"]
    assert [(x["summary"], x["anonymous"], x["author"]) for x in beside_pr] == [
        ("Nobody felt able to review 412", True, None),
        ("Review of <b>412</b> stalled", False, "alice"),
    ]
    assert person["item_flags"][f"path:acme/shop:{LEGACY}"][0]["status"] == "open"
    assert person["item_flags"]["workflow:acme/shop:tests"][0]["author"] == "bob"
    repo = client.get("/repos/acme/shop?period=30d", headers=JSON).json()
    assert set(repo["item_flags"]) == {
        "pull:acme/shop#450",
        f"path:acme/shop:{LEGACY}",
        "workflow:acme/shop:tests",
    }
    assert all(
        x["author"] is None
        for flags in repo["item_flags"].values()
        for x in flags
        if x["anonymous"]
    )


def test_more_flagged_rows_cost_no_more_queries(
    signed_in: SignIn, flagged: World, session: Session
) -> None:
    """All of a page's items are looked up at once: flagging more rows adds no statement."""
    client = signed_in("maya")

    def statements() -> int:
        seen: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            seen.append(statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            assert client.get("/people/alice?period=30d").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        return len(seen)

    statements()  # the first view computes the page's baselines; they are cached after
    before = statements()
    for number in range(301, 330):
        _flag(session, flagged.alice, flagged.platform, f"About {number}", pull_number=number)
    session.commit()
    after = statements()
    assert after == before
    shown = client.get("/people/alice?period=30d", headers=JSON).json()["item_flags"]
    assert sum(key.startswith("pull:") for key in shown) > 3  # the new flags are shown
