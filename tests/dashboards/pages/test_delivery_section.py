"""The delivery section of the team and repository pages, its JSON twin and the data under its
charts, over real rows: alice's PR #412 ships in a deploy, is reverted (#420), the next deploy
restores it, an incident follows that one, and a third deploy ships nothing new."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import world as f
from tests.dashboards.html import parse
from tests.dashboards.world import NOW, SHIPPED_SHA, World, delivery_story

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}
SHIP = SHIPPED_SHA


@pytest.fixture
def delivered(session: Session, world: World) -> World:
    delivery_story(session, world, NOW)
    return world


def test_team_page_shows_the_four_keys_and_each_failure_walked_back(
    delivered: World, signed_in: SignIn
) -> None:
    html = signed_in("maya").get("/teams/platform?period=30d").text
    [section] = parse(html).find_all("section", id="delivery")
    text = section.full_text()
    assert "acme/shop" in text and "GitHub Deployments to production" in text
    assert "3 deployments" in text
    assert "2 of 3 deployments caused a failure (67 %)" in text
    rows = {
        row.attrs["data-kind"]: row for row in section.find_all("tr") if "data-kind" in row.attrs
    }
    revert = rows["revert"]
    links = {a.attrs.get("class", "link"): a.attrs["href"] for a in revert.find_all("a")}
    assert links["deployment"] == f"https://github.com/acme/shop/commit/{SHIP}"
    assert links["pull"] == "https://github.com/acme/shop/pull/412"  # the reverted PR first
    assert "Revert #420" in revert.full_text()
    incident = rows["incident"]
    [link] = incident.find_all("a", class_="incident")
    assert link.attrs["href"] == "https://github.com/acme/shop/issues/500"
    assert "3 hours" in incident.full_text() or "3.0 h" in incident.full_text()
    charts = {fig.attrs["id"] for fig in section.find_all("figure")}
    assert {"chart-delivery_frequency", "chart-delivery_lead_time"} <= charts
    outside = [fig.attrs["id"] for fig in parse(html).find_all("figure")]
    assert outside.count("chart-delivery_frequency") == 1  # not also among the other charts


def test_the_json_twin_and_the_chart_data_list_the_items(
    delivered: World, signed_in: SignIn
) -> None:
    client = signed_in("maya")
    twin = client.get("/teams/platform?period=30d", headers=JSON).json()
    delivery = twin["delivery"]
    assert delivery["deployments"] == 3 and delivery["failed_deployments"] == 2
    assert delivery["sources"] == [
        {"repo": "acme/shop", "source": "deployments", "label": "GitHub Deployments to production"}
    ]
    kinds = [row["kind"] for row in delivery["failures"]]
    assert kinds == ["incident", "revert"]  # newest first
    assert delivery["failures"][1]["deployment"]["key"] == "acme/shop#deployment:1"
    data = client.get("/data/team/platform/delivery_frequency.csv?period=30d").text
    shipped = list(csv.DictReader(io.StringIO(data)))
    assert [row["deployment"] for row in shipped] == [
        f"acme/shop#deployment:{n}" for n in (1, 2, 3)
    ]
    assert shipped[0]["pull_requests"] == "acme/shop#412"
    lead = client.get("/data/team/platform/delivery_lead_time.json?period=30d").json()
    row = next(r for r in lead["rows"] if r["pull_request"] == "acme/shop#412")
    assert row["deployment"] == "acme/shop#deployment:1"
    assert row["waiting_for_deploy_hours"] == pytest.approx(12.0)
    restore = client.get("/data/team/platform/delivery_restore.json?period=30d").json()
    assert sorted(r["restore_hours"] for r in restore["rows"]) == [3, 12]


def test_repository_page_has_the_section_and_says_how_to_collect_without_data(
    delivered: World, signed_in: SignIn, session: Session
) -> None:
    client = signed_in("maya")
    twin = client.get("/repos/acme/shop?period=30d", headers=JSON).json()
    assert twin["delivery"]["deployments"] == 3
    assert json.dumps(twin["delivery"]["failures"]).count("acme/shop#deployment:1") >= 1
    f.make_repo(session, "acme/quiet")
    session.commit()
    quiet = client.get("/repos/acme/quiet?period=30d").text
    [section] = parse(quiet).find_all("section", id="delivery")
    assert "gemba collect github --only delivery" in section.full_text()


def test_a_pr_row_on_the_person_page_says_when_it_was_deployed(
    delivered: World, signed_in: SignIn
) -> None:
    client = signed_in("alice")
    twin = client.get("/people/alice?period=30d", headers=JSON).json()
    shipped = twin["deployed_at"]
    assert shipped["pull:acme/shop#412"]["deployed_at"] == (NOW - timedelta(days=4)).isoformat()
    assert "pull:acme/shop#420" in shipped
    doc = parse(client.get("/people/alice?period=30d").text)
    row = next(tr for tr in doc.find_all("tr") if "acme/shop#412" in tr.full_text())
    [cell] = row.find_all("td", class_="deployed-at")
    assert (NOW - timedelta(days=4)).strftime("%d %b %H:%M") in cell.full_text()
    quiet = next(tr for tr in doc.find_all("tr") if "acme/shop#301" in tr.full_text())
    assert (
        quiet.find_all("td", class_="deployed-at")[0].full_text() == "\u2013"
    )  # an en dash: not deployed yet
