"""Each talking-point rule on real rows, through the person page builder."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.access import Viewer
from app.core.models import OneOnOne, Person
from app.core.settings import Settings
from dashboards.pages.person import PersonPage, person_page
from tests import world as f
from tests.dashboards.world import NOW, World


def page_for(
    session: Session, settings: Settings, world: World, person: Person, **kw: str
) -> PersonPage:
    viewer = Viewer(person_id=world.maya.id or 0, login="maya")
    return person_page(session, viewer, person.login, kw.get("period", "30d"), NOW, settings)


def rules(page: PersonPage) -> dict[str, str]:
    return {p.rule: p.text for p in page.talking_points}


def alice_edits_a_file_whose_author_went_quiet(session: Session, world: World) -> None:
    """Zed wrote src/legacy_billing.py 200 days ago and left; Alice changed it this week."""
    f.make_commit(
        session,
        world.repo,
        email="zed@example.com",
        name="Zed",
        at=NOW - timedelta(days=200),
        files={"src/legacy_billing.py": 900},
    )
    f.make_commit(
        session,
        world.repo,
        email="alice@example.com",
        name="Alice",
        at=NOW - timedelta(days=2),
        files={"src/legacy_billing.py": 3},
    )
    session.commit()


def test_long_pickup_names_the_pr_and_compares_with_team_and_own_usual(
    session: Session, settings: Settings, world: World
) -> None:
    page = page_for(session, settings, world, world.alice)
    point = next(p for p in page.talking_points if p.rule == "long_pickup")
    assert point.text == (
        "PR #412 waited 3.1 days for a first review (team median 2.0 hours; Alice's usual "
        "2.0 hours, from the 7 weeks before). What got in the way?"
    )
    assert point.evidence[0].url == "https://github.com/acme/shop/pull/412"
    assert page.talking_points[0].rule == "long_pickup"  # the most unusual comes first


def test_pr_waiting_now_is_raised_with_the_hours_so_far(
    session: Session, settings: Settings, world: World
) -> None:
    f.make_pull(session, world.repo, "bob", number=520, ready_at=NOW - timedelta(days=2))
    session.commit()
    page = page_for(session, settings, world, world.bob)
    point = next(p for p in page.talking_points if p.rule == "waiting_now")
    assert point.text.startswith("PR #520 has been waiting 2.0 days for a review right now")
    assert point.evidence[0].url == "https://github.com/acme/shop/pull/520"


def test_flaky_builds_on_more_prs_than_usual_link_each_run(
    session: Session, settings: Settings, world: World
) -> None:
    alone = page_for(session, settings, world, world.alice)
    assert "flaky_builds" not in rules(alone)  # one flaky failure is no pattern
    other = f.make_pull(session, world.repo, "alice", number=413, ready_at=NOW - timedelta(days=5))
    second = f.make_run(
        session,
        world.repo,
        actor="alice",
        head_sha=other.head_sha or "",
        created_at=NOW - timedelta(days=5),
        attempts=[("failure", timedelta(minutes=20)), ("success", timedelta(minutes=18))],
        pull_number=413,
    )
    session.commit()
    page = page_for(session, settings, world, world.alice)
    point = next(p for p in page.talking_points if p.rule == "flaky_builds")
    assert point.text == (
        "Flaky builds hit 2 of Alice's PRs (their usual 0, from the 7 weeks before). "
        "Did re-running get in the way?"
    )
    assert {e.kind for e in point.evidence} == {"run"}
    urls = " ".join(e.url or "" for e in point.evidence)
    assert f"/actions/runs/{world.flaky_run.id}" in urls and f"/actions/runs/{second.id}" in urls


def test_review_load_is_compared_with_their_own_usual_only(
    session: Session, settings: Settings, world: World
) -> None:
    for number in range(600, 612):
        pull = f.make_pull(
            session, world.repo, "carol", number=number, ready_at=NOW - timedelta(days=3)
        )
        f.make_review(session, pull, "bob", at=NOW - timedelta(days=2))
    session.commit()
    page = page_for(session, settings, world, world.bob)
    text = rules(page)["review_load"]
    assert text == (
        "Bob gave 27 reviews on others' PRs, 1.8 times their usual of 15.3 (from the 7 weeks "
        "before). Is that load sustainable, or should it be shared?"
    )  # 27 / 15.3, as shown; a team of two is not compared with
    assert "you" not in text.lower()
    assert "team" not in text and "alice" not in text.lower()


def test_review_load_against_the_team_median_and_share(
    session: Session, settings: Settings, world: World
) -> None:
    erin = f.make_person(session, "erin")
    f.make_member(session, world.platform, erin)
    for number in range(600, 612):
        pull = f.make_pull(
            session, world.repo, "carol", number=number, ready_at=NOW - timedelta(days=3)
        )
        f.make_review(session, pull, "bob", at=NOW - timedelta(days=2))
    session.commit()
    text = rules(page_for(session, settings, world, world.bob))["review_load"]
    assert text.startswith("Bob gave 27 reviews on others' PRs: 3.9 times the team median of 7 ")
    assert "% of the team's reviews (their usual 15.3, from the 7 weeks before)." in text
    assert text.count("Bob") == 1 and "erin" not in text.lower()


def test_knowledge_risk_files_they_work_in(
    session: Session, settings: Settings, world: World
) -> None:
    alice_edits_a_file_whose_author_went_quiet(session, world)
    page = page_for(session, settings, world, world.alice)
    point = next(p for p in page.talking_points if p.rule == "knowledge_risk")
    assert "src/legacy_billing.py" in point.text
    assert "has not committed for 200 days" in point.text
    assert point.evidence[0].url == "https://github.com/acme/shop/blob/main/src/legacy_billing.py"


def test_open_and_answered_flags(session: Session, settings: Settings, world: World) -> None:
    f.make_flag(
        session,
        world.alice,
        summary="Flaky e2e suite",
        category="flaky_build",
        status="answered",
        answer="Quarantined the two flaky specs",
        created_at=NOW - timedelta(days=4),
    )
    session.commit()
    found = rules(page_for(session, settings, world, world.alice))
    assert found["open_flags"].startswith("Alice's flag “Staging deploys take an hour”")
    assert found["answered_flags"] == (
        "Alice's flag “Flaky e2e suite” was answered. Did the answer resolve it?"
    )


def test_points_say_you_only_to_the_person_and_the_name_to_their_manager(
    session: Session, settings: Settings, world: World
) -> None:
    alice_edits_a_file_whose_author_went_quiet(session, world)
    alice = Viewer(person_id=world.alice.id or 0, login="alice")
    own = person_page(session, alice, "alice", "30d", NOW, settings).talking_points
    managers = page_for(session, settings, world, world.alice).talking_points
    assert (
        {p.rule for p in own}
        == {p.rule for p in managers}
        >= {"long_pickup", "knowledge_risk", "open_flags"}
    )
    for point in managers:
        assert not re.search(r"\byou", point.text, re.IGNORECASE), point.text
    by_rule = {p.rule: p.text for p in own}
    assert "your usual 2.0 hours, from the 7 weeks before" in by_rule["long_pickup"]
    assert by_rule["knowledge_risk"].startswith("You worked in src/legacy_billing.py")
    assert "should what you learn be written down?" in by_rule["knowledge_risk"]
    assert by_rule["open_flags"].startswith("Your flag")
    knowledge = next(p.text for p in managers if p.rule == "knowledge_risk")
    assert knowledge.startswith("Alice worked in src/legacy_billing.py")
    assert "should what they learn be written down?" in knowledge


def test_nothing_notable_invents_no_problem(
    session: Session, settings: Settings, world: World
) -> None:
    page = page_for(session, settings, world, world.bob)
    assert page.talking_points == []
    assert page.empty_message is None  # bob has data: the page says things look calm


def test_person_with_no_data_gets_a_friendly_empty_state(
    session: Session, settings: Settings, world: World
) -> None:
    erin = f.make_person(session, "erin")
    f.make_team(session, "newcomers", manager=world.maya, members=[erin])
    session.commit()
    page = page_for(session, settings, world, erin)
    assert page.talking_points == []
    assert page.empty_message is not None  # the data exists, just not Erin's: no collect command
    assert page.empty_message.startswith("Nothing for Erin in the last 30 days; see the last 90")
    assert "gemba collect" not in page.empty_message
    assert all(chart.figure is None and chart.empty for chart in page.charts)


def test_titles_legends_and_tables_speak_to_the_reader_in_one_unit(
    session: Session, settings: Settings, world: World
) -> None:
    alice = Viewer(person_id=world.alice.id or 0, login="alice")
    own = person_page(session, alice, "alice", "30d", NOW, settings)
    managers = page_for(session, settings, world, world.alice)
    for page, whose in ((own, "your"), (managers, "their")):
        flow = next(c for c in page.charts if c.key == "pr_flow")
        assert flow.title == f"Pull request flow against {whose} usual"
        legend = [t["name"] for t in (flow.figure or {}).get("data", [])]
        assert f"{whose.capitalize()} usual" in legend, legend
        assert f"{whose}_usual_hours" in flow.columns
    point = next(p.text for p in managers.talking_points if p.rule == "long_pickup")
    slow = next(p for p in managers.pulls if p.number == 412)
    assert "3.1 days" in point and slow.pickup_hours is not None and slow.pickup_hours > 48


def test_the_same_wait_reads_the_same_in_the_point_and_the_table(
    signed_in: Callable[[str], TestClient],
) -> None:
    html = signed_in("maya").get("/people/alice?period=30d").text
    assert html.count("3.1 days") >= 2  # the talking point and the PR table
    assert "74.4" not in html  # the same wait in hours


def test_no_usual_is_drawn_or_said_on_too_little_history(
    session: Session, settings: Settings, world: World
) -> None:
    """The world's data begins 80 days ago: at 90 days there is nothing before the period."""
    page = page_for(session, settings, world, world.alice, period="90d")
    flow = next(c for c in page.charts if c.key == "pr_flow")
    assert flow.title == "Pull request flow against the team's median"
    legend = [t["name"] for t in (flow.figure or {}).get("data", [])]
    assert "Their usual" not in legend and "Team median" in legend, legend
    assert all("usual" not in p.text for p in page.talking_points)
    assert any(p.rule == "long_pickup" for p in page.talking_points)  # the team still compares


def test_review_load_since_a_recent_1on1_is_counted_over_two_weeks(
    session: Session, settings: Settings, world: World
) -> None:
    """A 1:1 held two days ago must not hide who carries the team's reviews."""
    erin = f.make_person(session, "erin")
    f.make_member(session, world.platform, erin)
    session.add(OneOnOne(person_id=world.bob.id or 0, held_at=NOW - timedelta(days=2)))
    for number in range(600, 612):
        pull = f.make_pull(
            session, world.repo, "carol", number=number, ready_at=NOW - timedelta(days=9)
        )
        f.make_review(session, pull, "bob", at=NOW - timedelta(days=8))
    session.commit()
    viewer = Viewer(person_id=world.maya.id or 0, login="maya")
    page = person_page(session, viewer, "bob", None, NOW, settings)
    assert page.period.key == "since_1on1" and page.period.days < 14
    text = rules(page)["review_load"]
    assert text.startswith("In the last 2 weeks, Bob gave ")
    assert "the team median of" in text and "usual" not in text
