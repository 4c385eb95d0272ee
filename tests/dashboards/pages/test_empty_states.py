"""Empty states on the team and repository pages say what is true, and name a collector only
for data of a kind that was never collected (for a repository page: for that repository)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import world as f
from tests.dashboards.world import World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}


def _empties(page: dict[str, object]) -> dict[str, str]:
    charts = page["charts"]
    assert isinstance(charts, list)
    return {c["key"]: c["empty"] for c in charts if c["figure"] is None}


def test_a_team_without_activity_is_told_so_not_told_to_collect(
    signed_in: SignIn, session: Session, world: World
) -> None:
    erin = f.make_person(session, "erin")
    f.make_team(session, "newcomers", manager=world.maya, members=[erin])
    session.commit()
    page = signed_in("maya").get("/teams/newcomers", headers=JSON).json()
    empties = _empties(page)
    assert empties["review_flow"] == "No pull requests in the last 30 days; see the last 90 days."
    assert empties["waiting_now"] == "Nothing is waiting for a review right now."
    assert empties["reviewer_load"] == "No reviews in the last 30 days; see the last 90 days."
    assert all("gemba collect" not in text for text in empties.values()), empties


def test_a_repository_never_collected_by_git_still_names_the_collector(
    signed_in: SignIn, session: Session, world: World
) -> None:
    f.make_repo(session, "acme/new")
    session.commit()
    client = signed_in("maya")
    fresh = _empties(client.get("/repos/acme/new", headers=JSON).json())
    assert "gemba collect git PATH" in fresh["hotspots"]
    shop = client.get("/repos/acme/shop?period=30d", headers=JSON).json()
    assert all("gemba collect" not in text for text in _empties(shop).values())
