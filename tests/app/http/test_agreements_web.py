"""The team page's working agreements: targets against the period before, the ledger, the
manager's form (CSRF), a developer who reads but cannot set, and exceptions marked expected."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import Settings
from app.http.main import create_app
from tests.dashboards.reports.test_agreements import NOW, PEOPLE, collected  # noqa: F401
from tests.signed_in import bearer_headers, sign_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def browsers(
    engine: Engine,
    session: Session,
    collected: Settings,  # noqa: F811
) -> Iterator[dict[str, TestClient]]:
    headers = bearer_headers(engine, PEOPLE, ("ann", "bob", "mia"))
    app = create_app(collected)
    app.state.clock = lambda: NOW
    clients = {}
    with TestClient(app) as first:
        for login, header in headers.items():
            client = TestClient(app) if clients else first
            sign_in(client, header["Authorization"].removeprefix("Bearer "))
            clients[login] = client
        yield clients


def _token(client: TestClient) -> str:
    found = CSRF.search(client.get("/teams/core", headers=PAGE).text)
    assert found is not None
    return found.group(1)


def _set(client: TestClient, **values: str) -> int:
    form = {"csrf_token": _token(client), **values}
    return client.post("/teams/core/agreements", data=form, follow_redirects=False).status_code


def _panel(client: TestClient) -> dict:
    agreements: dict = client.get("/teams/core", headers=JSON).json()["agreements"]
    return agreements


def test_the_manager_sets_a_target_and_the_page_counts_its_exceptions(
    browsers: dict[str, TestClient],
) -> None:
    mia = browsers["mia"]
    assert 'action="/teams/core/agreements"' in mia.get("/teams/core", headers=PAGE).text
    assert _set(mia, first_review_hours="24", exclude_labels="release") == 303
    panel = _panel(mia)
    [row] = [r for r in panel["rows"] if r["name"] == "first_review_hours"]
    assert (row["limit"], row["this_period"], row["previous_period"]) == (24, 5, 0)
    items = {r["item"] for r in panel["ledger"]}
    assert items == {f"acme/api#{n}" for n in (2, 5, 7, 15, 16)}
    [waiting] = [r for r in panel["ledger"] if r["item"] == "acme/api#2"]
    assert waiting["text"] == "#2 waited 24.0 hours for a first review; the team agreed on 24"
    assert waiting["person"] == "ann" and waiting["may_mark_expected"]
    html = mia.get("/teams/core", headers=PAGE).text
    assert "waited 24.0 hours for a first review; the team agreed on 24" in html
    assert 'data-rule="first_review_hours"' in html  # the backtest hook of static/app.js


def test_a_bad_number_is_a_clear_422_and_nothing_is_stored(
    browsers: dict[str, TestClient],
) -> None:
    mia = browsers["mia"]
    response = mia.post(
        "/teams/core/agreements",
        data={"csrf_token": _token(mia), "pr_size_lines": "lots"},
        headers=JSON,
    )
    assert response.status_code == 422 and "takes a number of lines" in response.text
    assert _set(mia, pr_size_lines="-3") == 422
    assert all(r["limit"] is None for r in _panel(mia)["rows"])


def test_a_developer_sees_the_targets_but_cannot_set_them(
    browsers: dict[str, TestClient],
) -> None:
    assert _set(browsers["mia"], review_hours="10") == 303
    ann = browsers["ann"]
    html = ann.get("/teams/core", headers=PAGE).text
    assert "review_hours" in html and 'action="/teams/core/agreements"' not in html
    assert [r["name"] for r in _panel(ann)["rows"]] == ["review_hours"]
    assert _set(ann, review_hours="1000") == 403
    assert _panel(ann)["rows"][0]["limit"] == 10
    without_token = browsers["mia"].post(
        "/teams/core/agreements", data={"review_hours": "1"}, follow_redirects=False
    )
    assert without_token.status_code == 403


def test_the_author_marks_an_exception_expected_and_it_leaves_the_count(
    browsers: dict[str, TestClient],
) -> None:
    assert _set(browsers["mia"], review_hours="10") == 303
    bob, ann = browsers["bob"], browsers["ann"]
    form = {"rule": "review_hours", "item": "acme/api#9", "reason": "big schema change"}
    refused = bob.post(
        "/teams/core/agreements/expected",
        data={"csrf_token": _token(bob), **form},
        follow_redirects=False,
    )
    assert refused.status_code == 403  # not his PR, not his team's manager
    marked = ann.post(
        "/teams/core/agreements/expected",
        data={"csrf_token": _token(ann), **form},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    panel = _panel(ann)
    assert panel["rows"][0]["this_period"] == 0
    [row] = panel["ledger"]
    assert row["expected"] and row["expected_reason"] == "big schema change"
    assert "big schema change" in ann.get("/teams/core", headers=PAGE).text
