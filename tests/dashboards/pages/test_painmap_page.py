"""The repository page's pain map stays small: at most PAGE_BOXES boxes, a figure that keeps
the page under 300 KB even for a repository of thousands of deep, long-named files."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from dashboards.pages.painmap import PAGE_BOXES, color_links, figure
from dashboards.reports.painmap import COLORS
from dashboards.signals.painmap import FileFacts, PullFacts, build_tree

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


def test_the_hover_says_how_long_a_quiet_owner_has_been_gone() -> None:
    files = [
        FileFacts(path="pay/ledger.py", loc=50, owner="Kai", owner_gone_days=100),
        FileFacts(path="pay/api.py", loc=20, owner="Ann"),
    ]
    nodes = build_tree(files, root="acme/pay", pulls={}, pulls_of={}, flags_of={}, max_boxes=50)
    for node in nodes:
        node["ci_pain_runs"] = 0
    built, _summary = figure(nodes, "knowledge_risk", "share of lines")
    trace = built["data"][0]
    owners = dict(zip(trace["labels"], (c[3] for c in trace["customdata"]), strict=True))
    assert owners["ledger.py"] == "Kai (quiet 100 days)"
    assert owners["api.py"] == "Ann" and owners["pay"] == "-"
