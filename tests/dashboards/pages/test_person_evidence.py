"""The person page's evidence kept for minutes on the same data: new rows and the minutes
passing give new readings, flags stay live, and the page says when the numbers were read."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import world as f
from tests.dashboards.world import NOW, World
from tests.signed_in import sign_in

JSON = {"Accept": "application/json"}


def _alice(client: TestClient) -> dict:
    response = client.get("/people/alice?period=30d", headers=JSON)
    assert response.status_code == 200, response.text
    page = response.json()
    return {
        "pulls": {p["number"]: p["title"] for p in page["pulls"]},
        "flags": {f["summary"] for f in page["flags"]},
        "as_of": page["as_of"],
    }


def test_readings_are_kept_for_minutes_on_the_same_data_and_flags_stay_live(
    session: Session, world: World, app_client: TestClient
) -> None:
    sign_in(app_client, world.tokens["maya"])
    first = _alice(app_client)
    pull = f.make_pull(
        session,
        world.repo,
        "alice",
        number=950,
        ready_at=NOW - timedelta(days=1),
        requested_reviewers=["bob"],
        title="Kept or not",
    )
    f.make_flag(session, world.alice, summary="slow CI", category="ci", created_at=NOW)
    session.commit()
    second = _alice(app_client)
    assert second["pulls"][950] == "Kept or not", "a new pull request is new data: read again"
    assert "slow CI" in second["flags"] and len(second["pulls"]) == len(first["pulls"]) + 1
    pull.title = "Renamed in place"  # an edit in place: the data version stays
    session.add(pull)
    f.make_flag(session, world.alice, summary="flaky tests", category="tooling", created_at=NOW)
    session.commit()
    third = _alice(app_client)
    assert third["pulls"][950] == "Kept or not", "the same data within ten minutes: kept"
    assert "flaky tests" in third["flags"], "flags are read on every view"
    assert third["as_of"] == first["as_of"] or third["as_of"] == second["as_of"]
    app_client.app.state.clock = lambda: NOW + timedelta(minutes=10)  # type: ignore[attr-defined]
    later = _alice(app_client)
    assert later["pulls"][950] == "Renamed in place" and later["as_of"] != third["as_of"]
    html = app_client.get("/people/alice?period=30d")
    assert "Numbers as of" in html.text and "flags, agreements and notes as of now" in html.text
