"""CI on the person page counts the same builds, for the same person, as the CI API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from dashboards.exports import column_name
from tests import world as f
from tests.dashboards.world import NOW, World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}


def _page_hours(client: TestClient, login: str) -> dict[str, float]:
    """The person page's "This period" hours waited on CI and on flaky builds (30 days)."""
    twin = client.get(f"/people/{login}?period=30d", headers=JSON).json()
    chart = next(c for c in twin["charts"] if c["key"] == "ci_waiting")
    this_period = column_name("This period", "hours")
    return {row["wait"]: row[this_period] for row in chart["rows"]}


def _api_hours(client: TestClient, login: str) -> dict[str, float]:
    window = {"since": (NOW - timedelta(days=30)).isoformat(), "until": NOW.isoformat()}
    answer = client.get("/api/v1/ci/lost", params={**window, "person": login}).json()
    person = answer["person"]
    return {
        "Waiting on CI": person["waited_on_ci_hours"],
        "Waiting on flaky builds": person["waited_on_flaky_hours"],
    }


def test_person_page_ci_hours_equal_the_api_for_the_same_period(
    session: Session, world: World, signed_in: SignIn
) -> None:
    """A colleague's push to Alice's PR is Alice's wait on both (the PR author's build), and
    Bob's own push without a PR stays Bob's."""
    pushed_by_bob = f.make_run(
        session,
        world.repo,
        actor="bob",
        head_sha=world.slow_pull.head_sha or "",
        created_at=NOW - timedelta(days=5),
        attempts=[("failure", timedelta(minutes=30)), ("success", timedelta(minutes=25))],
        pull_number=world.slow_pull.number,
    )
    f.make_run(
        session,
        world.repo,
        actor="bob",
        head_sha="b0" * 20,
        created_at=NOW - timedelta(days=3),
        attempts=[("success", timedelta(minutes=40))],
    )
    session.commit()
    assert pushed_by_bob.actor_login == "bob"
    client = signed_in("maya")  # their manager reads both
    for login in ("alice", "bob"):
        page, api = _page_hours(client, login), _api_hours(client, login)
        assert page == api, login
    alice = _api_hours(client, "alice")
    # her own flaky run (38 min pending) and Bob's push to her PR (55 min)
    assert alice["Waiting on CI"] == round((38 + 55) / 60, 2)
    assert _api_hours(client, "bob")["Waiting on CI"] == round((3 * 15 + 40) / 60, 2)
