"""The home page says what to do first: a manager's next 1:1s, flags to answer, waiting PRs and
uneven review load; a developer's own open items and who looked at their data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.models import OneOnOne
from dashboards.pages import home_manager
from dashboards.pages.home_manager import _imbalance
from tests import world as f
from tests.dashboards.html import parse
from tests.dashboards.world import NOW, World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}


def test_a_manager_is_greeted_by_name_and_sees_the_next_1on1s_first(
    signed_in: SignIn, session: Session, world: World
) -> None:
    session.add(OneOnOne(person_id=world.alice.id or 0, held_at=NOW - timedelta(days=3)))
    session.add(OneOnOne(person_id=world.bob.id or 0, held_at=NOW - timedelta(days=12)))
    f.make_note(
        session,
        world.alice,
        world.alice,
        body="review load?",
        at=NOW - timedelta(days=1),
        shared=True,
    )
    session.commit()
    client = signed_in("maya")
    home = client.get("/", headers=JSON).json()
    assert home["viewer_name"] == "Maya"
    assert home["is_manager"] is True
    nexts = home["next_one_on_ones"]
    assert [(n["login"], n["since"], n["agenda_items"]) for n in nexts] == [
        ("bob", "12 days since the last 1:1", 0),  # the longest since the last 1:1 first
        ("alice", "3 days since the last 1:1", 1),
    ]
    alice = nexts[1]
    assert alice["top_point"] and alice["top_rule"]
    doc = parse(client.get("/").text)
    assert doc.find_all("h1")[0].full_text() == "Hello, Maya"
    shown = doc.find_all("li", class_="next-one-on-one")
    assert [li.attrs["data-login"] for li in shown] == ["bob", "alice"]
    assert alice["top_point"] in shown[1].full_text()


def test_flags_to_answer_and_the_longest_waiting_prs(
    signed_in: SignIn, session: Session, world: World
) -> None:
    f.make_pull(session, world.repo, "alice", number=66, ready_at=NOW - timedelta(days=6.2))
    f.make_pull(session, world.repo, "carol", number=67, ready_at=NOW - timedelta(days=9))
    session.commit()
    client = signed_in("maya")
    home = client.get("/", headers=JSON).json()
    waiting = home["waiting_pulls"]
    assert [(w["number"], w["author"], w["waited"]) for w in waiting] == [(66, "Alice", "6.2 days")]
    answer = home["flags_to_answer"]
    assert answer["count"] >= 1 and answer["url"] == "/flags"
    link = [a for a in parse(client.get("/").text).find_all("a") if a.attrs["href"] == "/flags"]
    assert link and link[0].full_text().startswith(f"{answer['count']} flag")


def test_uneven_review_load_is_shown_per_team_without_naming_anyone(
    signed_in: SignIn, session: Session, world: World
) -> None:
    people = [f.make_person(session, login) for login in ("hana", "ivan", "jun")]
    core = f.make_team(session, "core", manager=world.maya, members=people)
    assert core.id
    number = 900
    for reviewer, reviews in (("hana", 12), ("ivan", 3), ("jun", 2)):
        for day in range(reviews):
            number += 1
            ready = NOW - timedelta(days=day + 1, hours=5)
            author = "ivan" if reviewer != "ivan" else "jun"
            f.make_pull(
                session,
                world.repo,
                author,
                number=number,
                ready_at=ready,
                first_review_at=ready + timedelta(hours=1),
                reviewer=reviewer,
            )
    session.commit()
    home = signed_in("maya").get("/", headers=JSON).json()
    load = home["review_load"]
    assert [item["team"] for item in load] == ["core"]  # platform has two members: no spread
    text = load[0]["text"]
    assert text == (
        "In core, one person gave 71% of the team's 17 reviews in the last 30 days "
        "(the median member gave 3)."
    )
    assert not any(name in text for name in ("hana", "Hana", "ivan", "jun"))
    assert load[0]["url"] == "/teams/core?period=30d#chart-reviewer_load"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([4, 3, 3], None),  # exactly 40 %: not over
        ([5, 3, 3], "one person gave 45% of the team's 11 reviews"),
        ([9, 4, 4, 4, 4], "one person gave 9 of the team's 25 reviews in the last 30 days, over"),
        ([8, 4, 4, 4, 4], None),  # exactly twice the median member's 4
        ([6, 3], None),  # two people: one always gives half
        ([5, 2, 2], None),  # nine reviews are too few to call their spread uneven
    ],
)
def test_imbalance_boundaries(given: list[int], expected: str | None) -> None:
    text = _imbalance(given)
    assert (text is None) == (expected is None)
    if expected is not None:
        assert text is not None and text.startswith(expected)


def test_a_developer_sees_their_open_items_and_who_looked(
    signed_in: SignIn, session: Session, world: World
) -> None:
    f.make_pull(session, world.repo, "alice", number=66, ready_at=NOW - timedelta(days=2))
    f.make_note(session, world.alice, world.alice, body="conference budget", at=NOW, shared=True)
    session.commit()
    signed_in("maya").get("/people/alice")
    alice = signed_in("alice")
    home = alice.get("/", headers=JSON).json()
    assert (home["viewer_name"], home["is_manager"]) == ("Alice", False)
    assert home["next_one_on_ones"] == [] and home["flags_to_answer"] is None
    own = home["own"]
    assert [fl["summary"] for fl in own["flags"]] == ["Staging deploys take an hour"]
    assert own["agenda"] == ["conference budget"]
    assert [(w["number"], w["waited"]) for w in own["waiting_pulls"]] == [(66, "2.0 days")]
    assert [(v["viewer_login"], v["what"]) for v in own["who_looked"]] == [("maya", "person_page")]
    doc = parse(alice.get("/").text)
    assert "maya opened your page" in doc.find_all("ul", class_="who-looked")[0].full_text()
    assert not doc.find_all("li", class_="next-one-on-one")


def test_the_home_page_summary_is_in_the_who_looked_log(signed_in: SignIn, world: World) -> None:
    signed_in("maya").get("/")
    views = signed_in("alice").get("/people/alice", headers=JSON).json()["who_looked"]
    assert [(v["viewer_login"], v["what"]) for v in views] == [("maya", "home_page_next_1on1")]
    assert views[0]["label"] == "saw your top talking point on their home page"


def test_a_second_home_view_in_the_hour_reuses_each_reports_top_point(
    signed_in: SignIn, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The top talking point costs a person's whole evidence: kept for the hour and the data,
    so the second view builds none, and a new PR (new data) builds them again."""
    built: list[str] = []
    real = home_manager.person_evidence

    def counting(session, person, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(person.login)
        return real(session, person, *args, **kwargs)

    monkeypatch.setattr(home_manager, "person_evidence", counting)
    client = signed_in("maya")
    first = client.get("/", headers=JSON).json()["next_one_on_ones"]
    reports = len(built)
    assert reports == len(first) >= 2
    again = client.get("/", headers=JSON).json()["next_one_on_ones"]
    assert len(built) == reports and again == first
    f.make_pull(session, world.repo, "alice", number=68, ready_at=NOW - timedelta(days=2))
    session.commit()
    client.get("/", headers=JSON)
    assert len(built) == 2 * reports
