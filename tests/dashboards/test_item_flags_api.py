"""Friction flags beside the files, PRs and workflows of every JSON API answer that lists them.

The world (tests/dashboards/world.py): Maya manages platform (Alice, Bob), Dan manages
payments (Carol alone). Flags here are tied to acme/shop's items; which of them each viewer
gets follows app.flags.rules' rules, the same as the pages'.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.access import Viewer
from app.core.settings import get_settings
from app.flags import lookup as item_flags
from dashboards.item_flags import PageItems
from tests import world as f
from tests.dashboards.html import parse
from tests.dashboards.test_item_flags import _flag  # the pages' tests tie flags the same way
from tests.dashboards.world import NOW, World, flaky_again

SignIn = Callable[[str], TestClient]
REPO = "acme/shop"
HOT = "src/checkout.py"  # changed with src/totals.py in ten commits (world.py)
LEGACY = "src/legacy.py"  # only Zed, who has left, knew it
CAROLS_PR = 303  # one of Carol's merged PRs (world.py numbers them from 301)


@pytest.fixture
def flagged(session: Session, world: World) -> World:
    """Named and anonymous flags on one file, PR and workflow of each kind."""
    f.make_pull(session, world.repo, "alice", number=450, ready_at=NOW - timedelta(days=1))
    for name, days_ago, lines in (("zed", 200, 400), ("alice", 2, 1)):
        email = f"{name}@example.com"
        at = NOW - timedelta(days=days_ago)
        f.make_commit(session, world.repo, email=email, name=name, at=at, files={LEGACY: lines})
    platform, payments = world.platform, world.other
    _flag(session, world.alice, platform, "Checkout is a <maze>", path=HOT, category="docs")
    _flag(session, world.bob, platform, "Totals and checkout always move together", path=HOT)
    _flag(session, world.alice, platform, "Only Zed knew legacy", path=LEGACY)
    _flag(session, world.alice, platform, "412 waited days", pull_number=412)
    _flag(session, None, platform, "Platform whisper about 412", pull_number=412)
    _flag(session, world.alice, platform, "450 needs eyes", pull_number=450)
    _flag(session, None, payments, "Payments whisper about 450", pull_number=450)
    _flag(session, world.alice, platform, "Alice on Carol's PR", pull_number=CAROLS_PR)
    _flag(session, world.carol, payments, "Carol on her own PR", pull_number=CAROLS_PR)
    answered = _flag(session, world.bob, platform, "tests workflow times out", workflow="tests")
    answered.status = "answered"
    session.add(answered)
    session.commit()
    return world


@pytest.fixture
def api(app_client: TestClient, flagged: World) -> Iterator[Callable[[str, str], Any]]:
    """GET an API path as one of the world's people (bearer token), 200 expected."""

    def get(login: str, path: str) -> Any:
        response = app_client.get(
            f"/api/v1{path}", headers={"Authorization": f"Bearer {flagged.tokens[login]}"}
        )
        assert response.status_code == 200, response.text
        return response.json()

    yield get


def _summaries(flags: dict[str, Any]) -> list[str]:
    return [flag["summary"] for flag in flags["items"]]


def _row(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [row for row in rows if all(row.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def _join_platform(session: Session, world: World) -> None:
    """Erin joins platform: three members, so its anonymous flags may be shown one by one."""
    erin = f.make_person(session, "erin")
    f.make_member(session, world.platform, erin)
    session.commit()


def test_files_carry_their_flags_in_every_file_signal(api: Any) -> None:
    hot = _row(api("maya", f"/hotspots?repo={REPO}")["items"], path=HOT)
    assert hot["flags"]["open"] == 2
    assert (hot["flags"]["acknowledged"], hot["flags"]["answered"]) == (0, 0)
    first = hot["flags"]["items"][1]
    assert first["summary"] == "Checkout is a <maze>"  # stored as given; JSON escapes nothing
    assert (first["category"], first["status"], first["anonymous"]) == ("docs", "open", False)
    assert first["author"] == "alice"
    assert first["url"] == f"/flags/{first['id']}"  # the flag's page, never the API's JSON
    assert api("maya", f"/friction/{first['id']}")["id"] == first["id"]
    owned = _row(api("maya", f"/ownership?repo={REPO}")["items"], path=HOT)
    assert owned["flags"] == hot["flags"]
    pair = api("maya", f"/coupling?repo={REPO}")["items"][0]
    assert {pair["path"], pair["coupled_path"]} == {HOT, "src/totals.py"}
    by_path = {pair["path"]: pair["flags"], pair["coupled_path"]: pair["coupled_flags"]}
    assert by_path[HOT] == hot["flags"]
    assert by_path["src/totals.py"] == {"open": 0, "acknowledged": 0, "answered": 0, "items": []}
    risk = _row(api("maya", f"/knowledge-risk?repo={REPO}")["items"], path=LEGACY)
    assert _summaries(risk["flags"]) == ["Only Zed knew legacy"]


def test_prs_carry_their_flags_in_pulls_and_review_flow(api: Any) -> None:
    pulls = api("maya", f"/pulls?repo={REPO}")["pulls"]
    assert _summaries(_row(pulls, number=412)["flags"]) == ["412 waited days"]
    assert _row(pulls, number=301)["flags"]["items"] == []
    flow = api("maya", f"/reviews/flow?repo={REPO}")["waiting"]
    waiting = _row(flow["on_reviewer"], number=450)
    assert _summaries(waiting["flags"]) == ["450 needs eyes"]  # not the payments whisper
    assert _row(flow["unreviewed"], number=450)["flags"] == waiting["flags"]


def test_workflows_carry_their_flags_in_ci_health_and_flaky(api: Any) -> None:
    health = _row(api("maya", f"/ci/health?repo={REPO}")["workflows"], workflow="tests")
    assert health["flags"]["answered"] == 1 and health["flags"]["open"] == 0
    assert _summaries(health["flags"]) == ["tests workflow times out"]
    flaky = api("maya", f"/ci/flaky?repo={REPO}")
    assert flaky["workflows"] and flaky["jobs"]
    for row in flaky["workflows"] + flaky["jobs"]:
        assert row["flags"] == health["flags"]


def test_a_small_teams_anonymous_flag_is_listed_to_nobody(
    api: Any, session: Session, flagged: World
) -> None:
    """Platform has two members: its anonymous flag is not an item for Maya either, until
    Erin joins; Payments' (one member) is shown one by one to nobody, not even an admin."""
    assert _summaries(_row(api("maya", f"/pulls?repo={REPO}")["pulls"], number=412)["flags"]) == [
        "412 waited days"
    ]
    _join_platform(session, flagged)
    beside_412 = _row(api("maya", f"/pulls?repo={REPO}")["pulls"], number=412)["flags"]
    assert _summaries(beside_412) == ["Platform whisper about 412", "412 waited days"]
    whisper = beside_412["items"][0]
    assert whisper["anonymous"] is True and whisper["author"] is None
    root = f.make_person(session, "root")
    flagged.tokens["root"] = f.make_token(session, root, is_admin=True)
    session.commit()
    beside_450 = _row(api("root", f"/pulls?repo={REPO}")["pulls"], number=450)["flags"]
    assert _summaries(beside_450) == ["450 needs eyes"]  # not even an admin gets the whisper


def test_another_teams_viewer_does_not_see_the_flags(api: Any) -> None:
    """Carol sees her own PR, and only her own flag beside it; not Alice's from platform."""
    carols = _row(api("carol", f"/pulls?repo={REPO}")["pulls"], number=CAROLS_PR)
    assert _summaries(carols["flags"]) == ["Carol on her own PR"]
    dan = _row(api("dan", f"/hotspots?repo={REPO}")["items"], path=HOT)
    assert dan["flags"]["items"] == []
    health = _row(api("carol", f"/ci/health?repo={REPO}")["workflows"], workflow="tests")
    assert health["flags"] == {"open": 0, "acknowledged": 0, "answered": 0, "items": []}


def _statements(client: TestClient, token: str, path: str) -> int:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize(
    "path",
    [
        f"/pulls?repo={REPO}",
        f"/reviews/flow?repo={REPO}",
        f"/hotspots?repo={REPO}",
        f"/coupling?repo={REPO}",
        f"/ci/health?repo={REPO}",
        f"/ci/flaky?repo={REPO}",
    ],
)
def test_flagging_more_items_adds_no_database_statement(
    app_client: TestClient, flagged: World, session: Session, path: str
) -> None:
    """Every item of an answer is looked up at once: more flagged rows cost no statement."""
    token = flagged.tokens["maya"]
    _statements(app_client, token, path)  # caches filled by a first answer are not counted
    before = _statements(app_client, token, path)
    for number in range(301, 330):
        _flag(session, flagged.alice, flagged.platform, f"About {number}", pull_number=number)
    for name in ("src/totals.py", "src/other.py"):
        _flag(session, flagged.bob, flagged.platform, f"About {name}", path=name)
    _flag(session, flagged.bob, flagged.platform, "Build again", workflow="tests")
    session.commit()
    assert _statements(app_client, token, path) == before


def test_many_items_are_looked_up_in_slices_with_the_same_answer(
    session: Session, flagged: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ITEMS_PER_LOOKUP PRs the lookup is sliced (bound-parameter limits), same flags."""
    maya = Viewer(person_id=flagged.maya.id or 0, login="maya")
    items = PageItems(
        pulls={(REPO, n) for n in range(300, 460)}, paths={(REPO, HOT)}, workflows={(REPO, "tests")}
    )
    whole = item_flags.flags_by_item(session, maya, items)
    monkeypatch.setattr(item_flags, "ITEMS_PER_LOOKUP", 7)
    assert item_flags.flags_by_item(session, maya, items) == whole
    assert set(whole) == {
        f"pull:{REPO}#412",
        f"pull:{REPO}#450",
        f"pull:{REPO}#{CAROLS_PR}",  # Alice's flag, on a PR Maya's own answers would not list
        f"path:{REPO}:{HOT}",
        f"workflow:{REPO}:tests",
    }


def test_talking_point_evidence_carries_its_open_flags(
    signed_in: SignIn, flagged: World, session: Session
) -> None:
    """Alice's page, read by Maya: beside the PR and the run behind each point, the open flags
    tied to them (answered ones are done with; nothing Maya may not see)."""
    _flag(session, flagged.bob, flagged.platform, "tests hang on Mondays", workflow="tests")
    session.commit()
    flaky_again(session, flagged, NOW)
    page = signed_in("maya").get("/people/alice?period=30d", headers={"accept": "application/json"})
    evidence = {e["label"]: e for point in page.json()["talking_points"] for e in point["evidence"]}
    pr = evidence[f"{REPO}#412"]
    assert pr["items"] == [{"kind": "pull", "repo": REPO, "name": 412}]
    assert [f["summary"] for f in pr["flags"]] == ["412 waited days"]
    [run] = [
        e
        for e in evidence.values()
        if e["kind"] == "run" and str(flagged.flaky_run.id) in (e.get("url") or "")
    ]
    assert [f["summary"] for f in run["flags"]] == ["tests hang on Mondays"]  # not the answered
    html = parse(signed_in("maya").get("/people/alice?period=30d").text)
    [first] = html.find_all("ul", class_="evidence")[:1]
    assert "412 waited days" in first.full_text()


def test_gemba_pulls_shows_open_flags_as_an_admin_would(
    flagged: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal reads the database itself: named flags with their authors, and no anonymous
    flag of a team too small to show one (platform has two members)."""
    monkeypatch.setenv("GEMBA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        as_json = CliRunner().invoke(cli, ["pulls", "--repo", REPO, "--json"])
        table = CliRunner().invoke(cli, ["pulls", "--repo", REPO])
    finally:
        get_settings.cache_clear()
    assert as_json.exit_code == 0, as_json.output
    pulls = {p["number"]: p for p in json.loads(as_json.stdout)}
    assert _summaries(pulls[412]["flags"]) == ["412 waited days"]
    assert pulls[412]["flags"]["items"][0]["url"].startswith("/flags/")
    assert _summaries(pulls[CAROLS_PR]["flags"]) == ["Carol on her own PR", "Alice on Carol's PR"]
    assert pulls[301]["flags"]["items"] == []
    assert "flags" in table.stdout.splitlines()[0]
    [row_412] = [line for line in table.stdout.splitlines() if line.startswith("#412 ")]
    assert row_412.split()[-1] == "1"
