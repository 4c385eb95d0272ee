"""The organisation page: who may open it, teams in a fixed order, anonymous flags only from
three up, reviews across teams, the JSON twin and each chart's CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import world as f
from tests.dashboards.world import NOW, World
from tests.signed_in import sign_in


@pytest.fixture
def org(session: Session, world: World) -> dict[str, str]:
    """Vera directs Maya (platform) and Dan (payments) through a team of managers, "leads";
    a third team, "apps", sorts first by name and last by id; an admin token as well."""
    vera = f.make_person(session, "vera", name="Vera Director")
    f.make_team(session, "leads", manager=vera, members=[world.maya, world.dan])
    erin = f.make_person(session, "erin")
    zoe = f.make_person(session, "zoe")
    f.make_team(session, "apps", manager=world.dan, members=[erin, zoe])
    # Carol (payments) waits on a review from Bob (platform): a crossing of team lines.
    ready = NOW - timedelta(days=3)
    f.make_pull(
        session,
        world.repo,
        "carol",
        number=900,
        ready_at=ready,
        first_review_at=ready + timedelta(hours=30),
        reviewer="bob",
        merged_at=ready + timedelta(hours=40),
    )
    # ... and now waits on a review requested from Bob.
    f.make_pull(
        session,
        world.repo,
        "carol",
        number=901,
        ready_at=NOW - timedelta(days=2),
        requested_reviewers=["bob"],
    )
    # Two anonymous tooling flags in payments (under k = 3), three in platform.
    for team, count in ((world.other, 2), (world.platform, 3)):
        for i in range(count):
            f.make_flag(
                session,
                None,
                summary=f"secret {team.name} {i}",
                category="tooling",
                created_at=NOW - timedelta(days=2),
                team=team,
            )
    tokens = {"vera": f.make_token(session, vera)}
    tokens["admin"] = f.make_token(session, erin, is_admin=True)
    session.commit()
    return tokens | world.tokens


@pytest.fixture
def as_login(app_client: TestClient, org: dict[str, str]) -> Callable[[str], TestClient]:
    def signed(login: str) -> TestClient:
        sign_in(app_client, org[login])
        return app_client

    return signed


def _twin(client: TestClient, path: str) -> dict:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def test_director_sees_every_team_below_in_alphabetical_order(as_login) -> None:
    page = _twin(as_login("vera"), "/org")
    assert [t["name"] for t in page["teams"]] == ["apps", "payments", "platform"]
    assert page["groups"] == [
        {"name": "leads", "manager": "Vera Director", "teams": ["apps", "payments", "platform"]}
    ]
    html = as_login("vera").get("/org")
    assert html.status_code == 200
    assert html.text.index('data-team="apps"') < html.text.index('data-team="platform"')


def test_anonymous_flags_are_counted_only_from_three(as_login) -> None:
    teams = {t["name"]: t for t in _twin(as_login("vera"), "/org")["teams"]}
    assert teams["platform"]["anonymous_flags"] == {"tooling": 3}
    assert teams["payments"]["anonymous_flags"] == {}
    assert teams["platform"]["flags"] == {"slow_build": 1}  # the named one; the process flag is
    # anonymous and alone in its category
    text = as_login("vera").get("/org?format=json").text
    assert "secret" not in text  # never a summary


def test_reviews_across_teams_are_by_team(as_login) -> None:
    page = _twin(as_login("vera"), "/org")
    crossing = [c for c in page["cross_team"] if c["author_team"] == "payments"]
    assert crossing and crossing[0]["reviewer_team"] == "platform"
    assert crossing[0]["pulls"] >= 2 and crossing[0]["waiting_now"] == 1
    assert "bob" not in str(page["cross_team"])
    points = next(t for t in page["teams"] if t["name"] == "payments")["talking_points"]
    assert any("waits on reviews from platform" in p["text"] for p in points)


def test_manager_of_one_team_sees_only_their_part(as_login) -> None:
    client = as_login("maya")
    assert [t["name"] for t in _twin(client, "/org")["teams"]] == ["platform"]
    assert [t["name"] for t in _twin(client, "/org/platform")["teams"]] == ["platform"]
    assert client.get("/org/payments", headers={"Accept": "application/json"}).status_code == 404
    assert client.get("/org/leads", headers={"Accept": "application/json"}).status_code == 404


def test_director_opens_a_part(as_login) -> None:
    page = _twin(as_login("vera"), "/org/payments")
    assert [t["name"] for t in page["teams"]] == ["payments"]


def test_developer_is_refused_and_admin_sees_all(as_login) -> None:
    refused = as_login("alice").get("/org", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    page = _twin(as_login("admin"), "/org")
    assert [t["name"] for t in page["teams"]] == ["apps", "payments", "platform"]


def test_every_chart_has_csv_with_teams_in_page_order(as_login) -> None:
    client = as_login("vera")
    page = _twin(client, "/org")
    keys = [c["key"] for c in page["charts"]]
    assert "review_phases" in keys and "cross_team" in keys
    hours = next(c for c in page["charts"] if c["key"] == "hours_lost")
    response = client.get(hours["csv_url"])
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["team"] for r in rows] == ["apps", "payments", "platform"]
    assert float(rows[1]["waiting_for_a_first_review_hours"]) >= 30.0


def test_readings_are_kept_for_minutes_on_the_same_data_and_flags_stay_live(
    session: Session, world: World, org: dict[str, str], app_client: TestClient
) -> None:
    """The costly readings serve the next views of the same data for up to ten minutes; a
    flag shows at once, a collect's new rows and the minutes passing give new readings."""
    sign_in(app_client, org["vera"])

    def payments() -> dict:
        page = _twin(app_client, "/org")
        return next(t for t in page["teams"] if t["name"] == "payments") | {"as_of": page["as_of"]}

    first = payments()
    assert first["waiting_now"] == 1
    pull = f.make_pull(
        session,
        world.repo,
        "carol",
        number=902,
        ready_at=NOW - timedelta(days=1),
        requested_reviewers=["bob"],
    )
    f.make_flag(
        session, world.carol, summary="slow CI", category="ci", created_at=NOW, team=world.other
    )
    session.commit()
    second = payments()
    assert second["waiting_now"] == 2, "a new pull request is new data: read again"
    assert second["flags"].get("ci") == 1
    pull.state, pull.closed_at = "closed", NOW  # an edit in place: the data version stays
    session.add(pull)
    f.make_flag(
        session, world.carol, summary="flaky", category="tooling", created_at=NOW, team=world.other
    )
    session.commit()
    third = payments()
    assert third["waiting_now"] == 2, "the same data within ten minutes: the kept readings"
    assert third["flags"].get("tooling") == 1, "flags are read on every view"
    app_client.app.state.clock = lambda: NOW + timedelta(minutes=10)  # type: ignore[attr-defined]
    later = payments()
    assert later["waiting_now"] == 1 and later["as_of"] != first["as_of"]


def test_the_exceptions_csv_counts_exceptions_under_each_rules_name(
    as_login, session: Session, world: World
) -> None:
    """A column per rule, counted in exceptions: `first_review_hours_exceptions`, never a
    bare `flaky_percent` that reads as a percentage."""
    from app.core.agreements import set_agreements

    set_agreements(session, world.platform.id or 0, {"first_review_hours": 24}, by="maya")
    session.commit()
    client = as_login("vera")
    chart = next(
        c for c in _twin(client, "/org?period=30d")["charts"] if c["key"] == "agreement_exceptions"
    )
    rows = list(csv.DictReader(io.StringIO(client.get(chart["csv_url"]).text)))
    platform = next(r for r in rows if r["team"] == "platform")
    assert int(platform["first_review_hours_exceptions"]) >= 1, rows
    assert all(k == "team" or k.endswith("_exceptions") for k in platform), platform
