"""The repository page's pain map stays small: at most PAGE_BOXES boxes, a figure that keeps
the page under 300 KB even for a repository of thousands of deep, long-named files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from dashboards.pages.painmap import PAGE_BOXES, color_links, figure
from dashboards.reports.painmap import COLORS
from dashboards.signals.painmap import FileFacts, PullFacts, build_tree
from tests.dashboards.world import NOW

LONG = "services/payments-platform"
JSON = {"accept": "application/json"}
SignIn = Callable[[str], TestClient]


def test_a_large_repository_draws_at_most_page_boxes_in_under_250_kb() -> None:
    files = [
        FileFacts(
            path=f"{LONG}/module_{i % 40:02d}/sub_{i % 7}/file_with_long_name_{i}.py",
            loc=10 + i % 500,
            commit_ids=frozenset({i, i + 1}),
            hotspot_score=(i % 100) / 100,
            added_by={"person:1": 10, "person:2": i % 9},
            owner="Someone Long-Named",
            top_coupled=f"{LONG}/module_00/sub_0/file_with_long_name_{i + 1}.py",
        )
        for i in range(5000)
    ]
    pulls = {n: PullFacts(n, float(n)) for n in range(1, 50)}
    nodes = build_tree(
        files,
        root="acme/payments",
        pulls=pulls,
        pulls_of={f.path: {1 + i % 49} for i, f in enumerate(files)},
        flags_of={},
        max_boxes=PAGE_BOXES,
    )
    assert len(nodes) <= PAGE_BOXES
    root = nodes[0]
    assert root["loc"] == sum(f.loc for f in files)
    for color in COLORS:
        metric, unit = COLORS[color]
        for node in nodes:
            node["ci_pain_runs"] = 0
        built, _summary = figure(nodes, metric, unit)
        assert len(json.dumps(built)) < 250_000
        assert built["data"][0]["marker"]["colorbar"]["title"]["text"] == unit


def test_colour_links_keep_the_period_and_mark_the_chosen_one() -> None:
    links = color_links("/repos/acme/shop", {"period": "30d"}, "review")
    assert [link.key for link in links] == list(COLORS)
    chosen = [link for link in links if link.current]
    assert [link.url for link in chosen] == ["/repos/acme/shop?period=30d&color=review"]


def _painmap(page: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in page["charts"] if c["key"] == "painmap")


def test_team_and_person_pages_draw_their_maps(signed_in: SignIn) -> None:
    client = signed_in("maya")  # alice's and the platform team's manager
    team = client.get("/teams/platform", headers=JSON)
    chart = _painmap(team.json())
    assert chart["figure"] is not None and chart["figure"]["data"][0]["type"] == "treemap"
    root, repo = chart["rows"][0], chart["rows"][1]
    assert (root["id"], root["name"]) == ("team:platform", "platform")
    assert repo["id"] == "acme/shop" and repo["parent"] == "team:platform"

    person = _painmap(client.get("/people/alice?period=30d", headers=JSON).json())
    rows = {r["path"]: r for r in person["rows"]}
    files = {p for p, r in rows.items() if r["kind"] == "file"}
    assert files == {"src/checkout.py", "src/totals.py"}  # the files alice changed, nothing else
    assert person["rows"][0]["name"] == "files worked in"
    assert rows["src/checkout.py"]["commits"] == 10
    named = {str(v) for r in person["rows"] for k, v in r.items() if k != "owner"}
    assert not any("alice" in v.lower() for v in named)


def test_the_title_names_the_colour_as_its_link_does(signed_in: SignIn) -> None:
    client = signed_in("maya")
    titles = {
        color: _painmap(client.get(f"/repos/acme/shop?color={color}", headers=JSON).json())["title"]
        for color in ("ci", "review")
    }
    assert titles == {
        "ci": "Pain map: CI pain over the code",
        "review": "Pain map: review wait over the code",
    }


def test_the_hover_names_owner_bus_factor_coupling_commits_prs_flaky_runs_and_flags() -> None:
    files = [
        FileFacts(
            path="pay/ledger.py",
            loc=50,
            commit_ids=frozenset({1, 2, 3}),
            added_by={"person:1": 50},
            owner="Kai",
            owner_gone_days=100,
            top_coupled="pay/api.py",
        ),
        FileFacts(path="pay/api.py", loc=20, commit_ids=frozenset({3}), owner="Ann"),
    ]
    pulls = {7: PullFacts(7, 30.0, flaky_runs=frozenset({70, 71}), flags=frozenset({"f1"}))}
    nodes = build_tree(
        files,
        root="acme/pay",
        pulls=pulls,
        pulls_of={"pay/ledger.py": {7}},
        flags_of={"pay/ledger.py": {"f2"}},
        max_boxes=50,
    )
    for node in nodes:
        node["ci_pain_runs"] = 0
    built, _summary = figure(nodes, "knowledge_risk", "share of lines")
    trace = built["data"][0]
    template = trace["hovertemplate"]
    fields = ["owner", "bus factor", "top coupled file", "commits", "PRs", "flaky runs", "flags"]
    shown = {field: f"%{{customdata[{i}]}}" for i, field in enumerate(fields, start=3)}
    for field, value in shown.items():
        assert f"{field}: {value}" in template
    hover = dict(zip(trace["labels"], trace["customdata"], strict=True))
    assert hover["ledger.py"][3:10] == ["Kai (quiet 100 days)", 1, "pay/api.py", 3, 1, 2, 2]
    assert hover["api.py"][3] == "Ann" and hover["pay"][3] == "-"


def test_the_path_panel_asks_for_the_period_the_map_was_drawn_for(
    signed_in: SignIn, app_client: TestClient
) -> None:
    client = signed_in("maya")
    app_client.app.state.clock = lambda: NOW + timedelta(seconds=37, microseconds=512)  # type: ignore[attr-defined]
    html = client.get("/repos/acme/shop?period=30d").text
    found = re.search(r'id="painmap-panel"[^>]*data-since="([^"]+)" data-until="([^"]+)"', html)
    assert found, "the panel carries the map's period"
    since, until = (datetime.fromisoformat(v) for v in found.groups())
    assert until == NOW and since == NOW - timedelta(days=30)  # the map's minute, no seconds
    period = {"since": found[1], "until": found[2]}
    panel = client.get("/api/v1/painmap/path", params={"repo": "acme/shop", "path": "", **period})
    assert panel.status_code == 200
    page = client.get("/repos/acme/shop?period=30d", headers=JSON).json()
    assert page["period"]["end"] != found[2]  # the page's period keeps its seconds
    assert page["painmap_window"] == [found[1], found[2]]  # the JSON twin says the same
