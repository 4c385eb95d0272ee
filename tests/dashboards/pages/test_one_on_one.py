"""The 1:1 as an explicit event on the person page: agenda items never move the period, the
manager marks the 1:1 held, what waits now ignores the period, empty states say what is true,
and the person sees who looked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.models import OneOnOne
from tests import world as f
from tests.dashboards.html import parse
from tests.dashboards.world import NOW, World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}


def _csrf(client: TestClient, path: str = "/people/alice") -> str:
    return str(parse(client.get(path).text).find_all("input", name="csrf_token")[0].attrs["value"])


def _hold(client: TestClient, **form: str) -> int:
    data = {"csrf_token": _csrf(client), **form}
    return client.post("/people/alice/one-on-ones", data=data, follow_redirects=False).status_code


def test_an_agenda_item_leaves_the_managers_preparation_as_it_was(
    signed_in: SignIn, session: Session, world: World
) -> None:
    """The developer adds an item the day before, the manager a private note: the period and the
    points do not change."""
    f.make_pull(session, world.repo, "alice", number=66, ready_at=NOW - timedelta(days=6.2))
    session.commit()
    maya = signed_in("maya")
    before = maya.get("/people/alice", headers=JSON).json()
    for author, body, hours_ago, shared in (
        (world.alice, "review load?", 24, True),  # the developer's agenda item
        (world.maya, "ask about load", 2, False),  # the manager's private note
    ):
        at = NOW - timedelta(hours=hours_ago)
        f.make_note(session, world.alice, author, body=body, at=at, shared=shared)
    session.commit()
    after = maya.get("/people/alice", headers=JSON).json()
    assert after["period"] == before["period"]
    assert after["period"]["label"] == "Since the last 1:1 (none yet: 2 weeks)"
    assert after["talking_points"] == before["talking_points"]
    assert after["pulls"] == before["pulls"]
    assert [(n["body"], n["for_next"]) for n in after["agenda"]] == [("review load?", True)]


def test_the_manager_marks_the_1on1_held_and_the_period_moves(
    signed_in: SignIn, session: Session, world: World
) -> None:
    f.make_note(
        session, world.alice, world.maya, body="talked", at=NOW - timedelta(days=5), shared=True
    )
    session.commit()
    maya = signed_in("maya")
    page = parse(maya.get("/people/alice").text)
    assert page.find_all("form", class_="held"), "the manager sees the 1:1 held form"
    refused = maya.post("/people/alice/one-on-ones", data={"held_on": "2026-11-17"})
    assert refused.status_code == 403  # no CSRF token
    assert _hold(maya, held_on="2026-11-17") == 303
    f.make_note(
        session, world.alice, world.alice, body="next time", at=NOW - timedelta(days=1), shared=True
    )
    session.commit()
    twin = maya.get("/people/alice", headers=JSON).json()
    assert twin["period"]["start"] == "2026-11-17T23:59:59+00:00"
    assert twin["period"]["label"] == "Since the last 1:1 (17 Nov)"
    assert twin["one_on_one"]["last_held_at"] == "2026-11-17T23:59:59+00:00"
    assert twin["one_on_one"]["held"] == [
        {"held_at": "2026-11-17T23:59:59+00:00", "marked_by": "maya"}
    ]
    assert [(n["body"], n["for_next"]) for n in twin["agenda"]] == [
        ("next time", True),
        ("talked", False),
    ]
    html = parse(maya.get("/people/alice").text)
    assert [
        li.full_text().split(" —")[0]
        for li in html.find_all("ul", class_="agenda-next")[0].find_all("li")
    ] == ["next time"]
    assert _hold(maya, held_on=NOW.date().isoformat(), held_time="09:00") == 303
    moved = maya.get("/people/alice", headers=JSON).json()["period"]
    assert (moved["start"], moved["label"]) == (
        "2026-11-20T09:00:00+00:00",
        "Since the last 1:1 (today 09:00)",
    )
    stored = session.exec(select(OneOnOne).where(OneOnOne.person_id == world.alice.id)).all()
    assert sorted(str(o.marked_by_id) for o in stored) == [str(world.maya.id)] * 2


def test_bad_dates_and_the_wrong_people_are_refused(signed_in: SignIn) -> None:
    maya = signed_in("maya")
    for form in (
        {"held_on": "2026-11-21"},  # tomorrow
        {"held_on": "2026-11-20", "held_time": "13:00"},  # later today
        {"held_on": "yesterday"},
        {"held_on": "2026-11-19", "held_time": "25:00"},
    ):
        assert _hold(maya, **form) == 422, form
    alice = signed_in("alice")
    assert not parse(alice.get("/people/alice").text).find_all("form", class_="held")
    assert _hold(alice, held_on="2026-11-19") == 403  # one's own 1:1 is the manager's to mark
    dan = signed_in("dan")
    token = _csrf(dan, "/people/carol")
    response = dan.post(
        "/people/alice/one-on-ones", data={"held_on": "2026-11-19", "csrf_token": token}
    )
    assert response.status_code == 404


def test_what_waits_now_ignores_the_period(
    signed_in: SignIn, session: Session, world: World
) -> None:
    """A 1:1 yesterday must not hide a PR that has waited six days for its first review."""
    f.make_pull(session, world.repo, "alice", number=66, ready_at=NOW - timedelta(days=6.2))
    session.add(OneOnOne(person_id=world.alice.id or 0, held_at=NOW - timedelta(days=1)))
    session.commit()
    twin = signed_in("maya").get("/people/alice", headers=JSON).json()
    waiting = [p for p in twin["pulls"] if p["waiting_now"]]
    assert [p["number"] for p in waiting] == [66]
    assert any(p["rule"] == "waiting_now" and "#66" in p["text"] for p in twin["talking_points"])


def test_empty_panels_say_what_is_true_and_name_no_collector_when_data_exists(
    signed_in: SignIn, session: Session, world: World
) -> None:
    session.add(OneOnOne(person_id=world.alice.id or 0, held_at=NOW.replace(hour=9)))
    session.commit()
    twin = signed_in("maya").get("/people/alice", headers=JSON).json()
    empties = {c["key"]: c["empty"] for c in twin["charts"] if c["figure"] is None}
    assert empties["reviews_given"] == "No reviews since 09:00 today; see the last 2 weeks."
    assert empties["pr_flow"] == "No pull requests since 09:00 today; see the last 2 weeks."
    assert all("gemba collect" not in text for text in empties.values()), empties
    assert twin["longer_period"]["url"] == "/people/alice?period=2w"


def test_an_empty_database_names_the_collectors(signed_in: SignIn, session: Session) -> None:
    from app.core.models import (
        Commit,
        FileChange,
        Job,
        PullRequest,
        RepoFile,
        Review,
        RunAttempt,
        WorkflowRun,
    )

    for model in (Review, FileChange, RepoFile, Commit, Job, RunAttempt, WorkflowRun, PullRequest):
        for row in session.exec(select(model)).all():
            session.delete(row)
        session.flush()
    session.commit()
    twin = signed_in("maya").get("/people/bob", headers=JSON).json()
    assert "gemba collect git PATH" in twin["empty_message"]
    flow = next(c for c in twin["charts"] if c["key"] == "pr_flow")
    assert (
        flow["empty"]
        == "No pull requests yet: run `gemba collect github --only pulls` to collect them."
    )


def test_the_person_sees_who_looked_on_their_own_page(signed_in: SignIn) -> None:
    signed_in("maya").get("/people/alice")
    maya_view = signed_in("maya").get("/people/alice", headers=JSON).json()
    assert maya_view["who_looked"] is None  # not the manager's to see
    alice = signed_in("alice")
    own = alice.get("/people/alice", headers=JSON).json()
    assert [(v["viewer_login"], v["what"]) for v in own["who_looked"]] == [
        ("maya", "person_page"),
        ("maya", "person_page"),
    ]
    section = parse(alice.get("/people/alice").text).find_all("section", id="who-looked")[0]
    assert "maya opened your page" in section.full_text()
