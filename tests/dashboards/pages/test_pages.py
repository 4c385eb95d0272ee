"""The pages over HTTP: HTML read with a parser, JSON twins, access rules, data links, notes."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import plotly
import plotly.graph_objects as go
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.models import OneOnOneNote, PageView
from app.core.settings import Settings
from dashboards.pages.parts import to_jsonable
from dashboards.pages.person import person_page
from tests.dashboards.html import parse
from tests.dashboards.world import NOW, World
from tests.signed_in import sign_in

SignIn = Callable[[str], TestClient]
JSON = {"accept": "application/json"}
PAGES = ["/", "/people/alice", "/teams/platform", "/repos/acme/shop"]


def test_person_page_puts_talking_points_first_with_evidence_links(signed_in: SignIn) -> None:
    response = signed_in("maya").get("/people/alice?period=30d")
    assert response.status_code == 200
    doc = parse(response.text)
    points = doc.find_all("li", class_="talking-point")
    assert points[0].attrs["data-rule"] == "long_pickup"
    assert "PR #412 waited 3.1 days for a first review" in points[0].full_text()
    links = [a.attrs["href"] for a in points[0].find_all("a")]
    assert links == ["https://github.com/acme/shop/pull/412"]
    # The title is escaped, not interpreted.
    assert "Speed up &lt;checkout&gt; totals" in response.text
    assert "<checkout>" not in response.text


def test_person_page_and_its_json_twin_speak_to_the_reader(signed_in: SignIn) -> None:
    """A manager reads "Alice's PRs"; Alice reads "your PRs", in HTML and JSON alike."""
    for login, expected, heading, chart in (
        ("maya", "Alice's usual", "Their pull requests", "Reviews they carried for others"),
        ("alice", "your usual", "Your pull requests", "Reviews you carried for others"),
    ):
        client = signed_in(login)
        twin = client.get("/people/alice?period=30d", headers=JSON).json()
        texts = [p["text"] for p in twin["talking_points"]]
        pickup = next(p["text"] for p in twin["talking_points"] if p["rule"] == "long_pickup")
        assert expected in pickup, login
        doc = parse(client.get("/people/alice?period=30d").text)
        shown = [
            li.find_all("p")[0].full_text() for li in doc.find_all("li", class_="talking-point")
        ]
        assert shown == texts
        headings = [h.full_text() for h in doc.find_all("h2")]
        assert any(h.startswith(heading) for h in headings), headings
        assert chart in [c["title"] for c in twin["charts"]]
        if login == "maya":
            assert not any(re.search(r"\byou", t, re.IGNORECASE) for t in texts), texts


def test_every_chart_has_a_summary_and_csv_and_json_links(signed_in: SignIn) -> None:
    client = signed_in("maya")
    for path in PAGES[1:]:
        doc = parse(client.get(path).text)
        charts = doc.find_all("figure", class_="chart")
        assert charts, path
        for chart in charts:
            hrefs = [a.attrs["href"] for a in chart.find_all("a")]
            assert any(".csv" in h for h in hrefs) and any(".json" in h for h in hrefs)
            plot = chart.find_all("div", class_="plot")
            if plot:
                summary_id = plot[0].attrs["aria-describedby"]
                assert chart.find_all("p", id=summary_id)[0].full_text().strip()
            else:
                assert chart.find_all("p", class_="empty")[0].full_text().strip()


def test_plotly_is_loaded_once_from_the_package_with_a_long_cache(signed_in: SignIn) -> None:
    client = signed_in("maya")
    doc = parse(client.get("/teams/platform").text)
    scripts = [s.attrs["src"] for s in doc.find_all("script") if "src" in s.attrs]
    plotly_scripts = [s for s in scripts if "plotly" in s]
    assert plotly_scripts == [f"/static/plotly-{plotly.__version__}.min.js"]
    js = client.get(plotly_scripts[0])
    assert js.status_code == 200
    assert "immutable" in js.headers["cache-control"]
    assert len(js.content) > 1_000_000
    assert client.get("/static/app.css").status_code == 200


def test_figures_are_valid_plotly_with_units_and_colour_blind_safe_palette(
    signed_in: SignIn,
) -> None:
    client = signed_in("maya")
    for path in PAGES[1:]:
        page = client.get(path, headers=JSON).json()
        for chart in page["charts"]:
            if chart["figure"] is None:
                continue
            figure = go.Figure(chart["figure"])  # raises on anything plotly.js would not accept
            title = figure.layout.xaxis.title.text or ""
            assert figure.layout.colorway[0] == "#0072B2"
            if chart["figure"]["data"][0]["type"] != "treemap":
                assert title or figure.layout.yaxis.title.text


@pytest.mark.parametrize("path", PAGES)
def test_json_twin_matches_the_html_page(signed_in: SignIn, path: str) -> None:
    client = signed_in("maya")
    twin = client.get(path, headers=JSON)
    assert twin.headers["content-type"].startswith("application/json")
    html = client.get(path)
    doc = parse(html.text)
    alternate = doc.find_all("link", rel="alternate")[0].attrs["href"]
    assert client.get(alternate).json() == twin.json()
    for chart in twin.json().get("charts", []):
        assert chart["title"] in html.text


def test_json_twin_is_the_page_builder_output(
    signed_in: SignIn, session: Session, settings: Settings, world: World
) -> None:
    twin = signed_in("maya").get("/people/alice?period=2w", headers=JSON).json()
    viewer = Viewer(person_id=world.maya.id or 0, login="maya")
    built = person_page(session, viewer, "alice", "2w", NOW, settings)
    assert twin == json.loads(json.dumps(to_jsonable(built)))


def test_a_person_cannot_open_a_colleagues_page_or_its_data(signed_in: SignIn) -> None:
    client = signed_in("alice")
    assert client.get("/people/alice").status_code == 200
    for path in (
        "/people/bob",
        "/people/carol",
        "/people/nobody",
        "/data/person/bob/pr_flow.csv",
        "/data/person/bob/pr_flow.json",
        "/teams/payments",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "bob" not in response.text.lower()


def test_managers_views_are_logged_for_the_person(
    signed_in: SignIn, session: Session, world: World
) -> None:
    signed_in("maya").get("/people/alice")
    signed_in("alice").get("/people/alice")
    views = session.exec(select(PageView).where(PageView.person_id == world.alice.id)).all()
    assert [(v.viewer_id, v.what) for v in views] == [(world.maya.id, "person_page")]


def test_signed_out_browsers_go_to_sign_in_and_api_clients_get_401(
    app_client: TestClient,
) -> None:
    app_client.cookies.clear()
    response = app_client.get("/people/alice", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fpeople%2Falice"
    assert app_client.get("/people/alice", headers=JSON).status_code == 401


def test_chart_data_as_csv_and_json_hold_the_same_rows(signed_in: SignIn) -> None:
    client = signed_in("maya")
    page = client.get("/teams/platform", headers=JSON).json()
    with_data = [c for c in page["charts"] if c["rows"]]
    assert {c["key"] for c in with_data} >= {"review_flow", "reviewer_load", "ci_health", "flags"}
    for chart in with_data:
        as_json = client.get(chart["json_url"]).json()
        assert as_json["rows"] == chart["rows"]
        rows = list(csv.DictReader(io.StringIO(client.get(chart["csv_url"]).text)))
        assert len(rows) == len(chart["rows"])
        assert list(rows[0]) == chart["columns"]
    assert client.get("/data/team/platform/nope.csv").status_code == 404


def test_reviewer_load_names_are_shown_to_the_manager_only(signed_in: SignIn) -> None:
    def load(login: str) -> list[dict[str, object]]:
        page = signed_in(login).get("/teams/platform?period=90d", headers=JSON).json()
        return next(c for c in page["charts"] if c["key"] == "reviewer_load")["rows"]

    assert [row["reviewer"] for row in load("maya")] == ["alice", "bob"]  # by name
    assert all("reviewer" not in row for row in load("alice"))


def test_period_and_filters_travel_in_the_url(signed_in: SignIn) -> None:
    client = signed_in("maya")
    page = client.get("/?team=platform&period=90d", headers=JSON).json()
    assert [p["login"] for p in page["people"]] == ["alice", "bob"]
    assert all("period=90d" in p["url"] for p in page["people"])
    team = client.get("/teams/platform?repository=acme/shop&period=30d", headers=JSON).json()
    assert team["repository"] == "acme/shop"
    assert "repository=acme%2Fshop" in team["charts"][0]["csv_url"]
    bad = client.get("/people/alice?period=forever")
    assert bad.status_code == 422
    assert "period" in bad.text


def test_home_links_open_each_page_on_the_default_it_shows_when_opened_directly(
    signed_in: SignIn,
) -> None:
    """No period chosen on the home page: a link carries none, so it opens the same page as
    typing the address (30 days for teams and repositories, since the last 1:1 for people)."""
    client = signed_in("maya")
    home = client.get("/", headers=JSON).json()
    assert home["period"] is None
    links = [p["url"] for p in home["people"]]
    links += [link["url"] for link in home["teams"] + home["repositories"]]
    assert links and all("period=" not in url for url in links), links
    for url, bare, default in (
        (home["teams"][0]["url"], "/teams/platform", "30d"),
        (home["repositories"][0]["url"], "/repos/acme/shop", "30d"),
        (home["people"][0]["url"], "/people/alice", "since_1on1"),
    ):
        via_home = client.get(url, headers=JSON).json()["period"]
        direct = client.get(bare, headers=JSON).json()["period"]
        assert via_home["key"] == direct["key"] == default
    form = parse(client.get("/").text).find_all("select", name="period")[0]
    selected = [o for o in form.find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == [""]
    assert "30 days for teams and repositories" in selected[0].full_text()
    chosen = client.get("/?period=2w", headers=JSON).json()
    urls = [p["url"] for p in chosen["people"]] + [t["url"] for t in chosen["teams"]]
    assert all(u.endswith("period=2w") for u in urls), urls
    one_on_one = client.get("/?period=since_1on1", headers=JSON).json()
    assert all("period=since_1on1" in p["url"] for p in one_on_one["people"])
    assert all("period" not in t["url"] for t in one_on_one["teams"])  # not a team period


def test_notes_need_csrf_and_private_notes_stay_private(
    signed_in: SignIn, session: Session, world: World
) -> None:
    client = signed_in("maya")
    page = parse(client.get("/people/alice").text)
    token = page.find_all("input", name="csrf_token")[0].attrs["value"]
    refused = client.post("/people/alice/notes", data={"body": "no token"})
    assert refused.status_code == 403
    ok = client.post(
        "/people/alice/notes",
        data={"body": "Ask about <b>deploys</b>", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    client.post(
        "/people/alice/notes",
        data={"body": "Pairing on billing", "shared": "true", "csrf_token": token},
    )
    manager_view = client.get("/people/alice", headers=JSON).json()
    assert [n["body"] for n in manager_view["private_notes"]] == ["Ask about <b>deploys</b>"]
    assert "Ask about &lt;b&gt;deploys&lt;/b&gt;" in client.get("/people/alice").text

    alice = signed_in("alice")
    own = alice.get("/people/alice", headers=JSON).json()
    assert own["private_notes"] is None
    assert [n["body"] for n in own["agenda"]] == ["Pairing on billing"]
    assert "Ask about" not in alice.get("/people/alice").text
    alice_token = parse(alice.get("/people/alice").text).find_all("input", name="csrf_token")[0]
    added = alice.post(
        "/people/alice/notes",
        data={
            "body": "Conference budget",
            "shared": "true",
            "csrf_token": alice_token.attrs["value"],
        },
    )
    assert added.status_code == 200
    empty = alice.post(
        "/people/alice/notes",
        data={"body": "  ", "shared": "true", "csrf_token": alice_token.attrs["value"]},
    )
    assert empty.status_code == 422
    notes = session.exec(select(OneOnOneNote).where(OneOnOneNote.person_id == world.alice.id))
    assert sorted(n.body for n in notes) == [
        "Ask about <b>deploys</b>",
        "Conference budget",
        "Pairing on billing",
    ]


def test_team_only_mode_hides_individual_pages_and_names(settings: Settings, world: World) -> None:
    from app.http.main import create_app

    app = create_app(settings.model_copy(update={"team_only_mode": True}))
    app.state.clock = lambda: NOW
    with TestClient(app) as client:
        sign_in(client, world.tokens["maya"])
        assert client.get("/people/alice").status_code == 404
        team = client.get("/teams/platform?period=90d", headers=JSON).json()
        load = next(c for c in team["charts"] if c["key"] == "reviewer_load")
        assert load["rows"] and all("reviewer" not in row for row in load["rows"])
        home = client.get("/", headers=JSON).json()
        assert [p["login"] for p in home["people"]] == ["maya"]


def test_flag_links_on_the_person_page_open_the_flag(signed_in: SignIn) -> None:
    client = signed_in("alice")
    flags = client.get("/people/alice", headers=JSON).json()["flags"]
    assert flags
    for flag in flags:
        assert client.get(flag["url"]).status_code == 200, flag["url"]


def test_ticking_a_note_with_an_id_past_64_bits_is_refused_not_a_crash(
    signed_in: SignIn,
) -> None:
    client = signed_in("maya")
    token = parse(client.get("/people/alice").text).find_all("input", name="csrf_token")[0]
    response = client.post(
        f"/people/alice/notes/{2**70}/done", data={"csrf_token": token.attrs["value"]}
    )
    assert response.status_code == 422
