"""Chart data downloads: no cell a spreadsheet would run, whole counts, units in the
headers, and file names that say whose data and which days."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import world as f
from tests.dashboards.world import NOW, World

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_AUTHOR = '=HYPERLINK("http://x","y")'
HOSTILE_PATHS = ["=cmd|' /C calc'!A0.py", "+sum.py", "-rf.py", "@import.py", "\tlead.py"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_hostile_paths_and_author_names_open_as_text(
    signed_in: SignIn, session: Session, world: World
) -> None:
    for day in (2, 3, 4):
        f.make_commit(
            session,
            world.repo,
            email="mallory@example.com",
            name=HOSTILE_AUTHOR,
            at=NOW - timedelta(days=day),
            files={path: 40 for path in HOSTILE_PATHS},
        )
    session.commit()
    client = signed_in("maya")
    page = client.get("/repos/acme/shop?period=30d", headers=JSON).json()
    hotspots = next(c for c in page["charts"] if c["key"] == "hotspots")
    assert {row["path"] for row in hotspots["rows"]} >= set(HOSTILE_PATHS)
    assert HOSTILE_AUTHOR in {row["top_author"] for row in hotspots["rows"]}
    checked = 0
    for chart in page["charts"]:
        if not chart["rows"]:
            continue
        cells = _cells(client.get(chart["csv_url"]).text)
        raw = [c for c in cells if c.startswith(FORMULA_STARTS) and not _is_number(c)]
        assert raw == [], chart["key"]
        checked += len(cells)
    assert checked
    cells = _cells(client.get(hotspots["csv_url"]).text)
    assert "'" + HOSTILE_AUTHOR in cells
    assert {"'" + path for path in HOSTILE_PATHS} <= set(cells)
    # The JSON keeps the text as it is: only spreadsheets run formulas.
    assert HOSTILE_AUTHOR in client.get(hotspots["json_url"]).text.replace("\\", "")


def _is_number(cell: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", cell) is not None


def test_counts_are_whole_numbers_and_measures_are_rounded(signed_in: SignIn) -> None:
    client = signed_in("maya")
    for path in ("/teams/platform?period=90d", "/people/alice?period=90d", "/repos/acme/shop"):
        page = client.get(path, headers=JSON).json()
        for chart in page["charts"]:
            if not chart["rows"]:
                continue
            text = client.get(chart["csv_url"]).text
            assert not re.search(r"\d\.\d{4,}", text), (chart["key"], text)
            assert not re.search(r"(^|,)\d+\.0(,|\r?$)", text, re.MULTILINE), (chart["key"], text)
    team = client.get("/teams/platform?period=90d", headers=JSON).json()
    flags = next(c for c in team["charts"] if c["key"] == "flags")
    counts = [v for row in flags["rows"] for k, v in row.items() if k != "week"]
    assert counts and all(isinstance(v, int) for v in counts)


def test_headers_carry_units(signed_in: SignIn) -> None:
    client = signed_in("maya")
    person = client.get("/people/alice?period=30d", headers=JSON).json()
    flow = next(c for c in person["charts"] if c["key"] == "pr_flow")
    assert flow["columns"] == [
        "phase",
        "this_period_hours",
        "their_usual_hours",
        "team_median_hours",
    ]
    team = client.get("/teams/platform?period=30d", headers=JSON).json()
    lost = next(c for c in team["charts"] if c["key"] == "hours_lost")
    assert all(c == "week" or c.endswith("_hours") for c in lost["columns"]), lost["columns"]
    header = client.get(lost["csv_url"]).text.splitlines()[0]
    assert header == ",".join(lost["columns"])


def test_file_names_say_whose_data_and_which_days(signed_in: SignIn) -> None:
    client = signed_in("maya")
    days = f"{(NOW - timedelta(days=30)):%Y-%m-%d}_{NOW:%Y-%m-%d}"
    cases = [
        ("/data/person/alice/pr_flow.csv?period=30d", f"person-alice-pr-flow-{days}.csv"),
        ("/data/team/platform/flags.csv?period=30d", f"team-platform-flags-{days}.csv"),
        (
            "/data/team/platform/flags.json?period=30d&repository=acme/shop",
            f"team-platform-acme-shop-flags-{days}.json",
        ),
        ("/data/repo/acme/shop/hotspots.csv?period=30d", f"repo-acme-shop-hotspots-{days}.csv"),
    ]
    for url, name in cases:
        answer = client.get(url)
        assert answer.status_code == 200, url
        kind = "inline" if name.endswith(".json") else "attachment"
        assert answer.headers["content-disposition"] == f'{kind}; filename="{name}"'
    as_json = client.get(cases[2][0]).json()
    assert as_json["period"]["start"].startswith(days[:10])
