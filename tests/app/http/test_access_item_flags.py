"""Flags beside items, walked with every role: no private flag leaks, no anonymous author shows.

The route walk (test_access_routes.py) fills path parameters only, so the API answers that
list files, PRs and workflows (`?repo=`) are walked here, with the access world's flags tied to
acme/pay's PR #3 (Bob's), file a.py and workflow "ci", both anonymous flags included:
Payments' (three members) may be shown one by one to Payments and its managers, Search's (one
member) to nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import FrictionFlag, Repository
from app.core.settings import Settings
from app.http.main import create_app
from tests import world as f
from tests.app.http.access_world import ANON_PAYMENTS, ANON_SEARCH, ROLES, World, build_world
from tests.app.http.test_access_routes import _anonymous_author_shown, forbidden_markers

REPO = "acme/pay"
ANSWERS = [
    f"/api/v1/pulls?repo={REPO}",
    f"/api/v1/reviews/flow?repo={REPO}",
    f"/api/v1/hotspots?repo={REPO}",
    f"/api/v1/ownership?repo={REPO}",
    f"/api/v1/ci/health?repo={REPO}",
    f"/api/v1/ci/flaky?repo={REPO}",
    f"/repos/{REPO}?format=json&period=30d",
    "/people/bob?format=json&period=30d",
    "/teams/Payments?format=json&period=30d",
]


@pytest.fixture
def walked(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World]]:
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        repo = session.exec(select(Repository).where(Repository.name == REPO)).one()
        f.make_commit(session, repo, email="bob.mail@example.com", at=now, files={"a.py": 5})
        f.make_run(
            session,
            repo,
            actor="bob",
            head_sha="f" * 40,
            created_at=now - timedelta(days=2),
            attempts=[("failure", timedelta(minutes=9)), ("success", timedelta(minutes=8))],
            pull_number=3,
            workflow="ci",
        )
        for key in ("anon_payments", "anon_search"):
            flag = session.exec(
                select(FrictionFlag).where(FrictionFlag.public_id == world.flag_ids[key])
            ).one()
            flag.repo, flag.pull_number, flag.path = REPO, 3, "a.py"
            session.add(flag)
        session.commit()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, world


def _get(client: TestClient, world: World, role: str, path: str) -> Any:
    headers = {"Authorization": f"Bearer {world.secrets[role]}"}
    return client.get(path, headers=headers, follow_redirects=False)


def test_flags_beside_items_leak_nothing_to_any_role(
    walked: tuple[TestClient, World],
) -> None:
    client, world = walked
    problems = []
    for path in ANSWERS:
        for role, login in ROLES.items():
            response = _get(client, world, role, path)
            where = f"{role} GET {path} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            leaked = [m for m in forbidden_markers(world, login) if m in response.text]
            if leaked:
                problems.append(f"{where}: leaked {sorted(leaked)}")
            if _anonymous_author_shown(response.text):
                problems.append(f"{where}: anonymous flag shown with its author")
    assert problems == [], "\n".join(problems)


def _beside_pr_3(client: TestClient, world: World, role: str) -> list[dict[str, Any]]:
    response = _get(client, world, role, f"/api/v1/pulls?repo={REPO}")
    assert response.status_code == 200
    [pr] = [p for p in response.json()["pulls"] if p["number"] == 3]
    return pr["flags"]["items"]  # type: ignore[no-any-return]


def test_each_role_sees_beside_the_pr_what_the_rules_allow(
    walked: tuple[TestClient, World],
) -> None:
    """Alice (Payments' manager) gets the Payments anonymous flag, with no author; Dana above
    her too; Search's anonymous flag is shown to nobody; the admin sees every named flag."""
    client, world = walked
    for role in ("manager", "skip_level"):
        shown = {flag["summary"]: flag for flag in _beside_pr_3(client, world, role)}
        assert shown[ANON_PAYMENTS]["author"] is None, role
        assert shown[ANON_PAYMENTS]["anonymous"] is True
        assert ANON_SEARCH not in shown
        assert shown["NAMED-bob-flag-private"]["author"] == "bob"
    person = {flag["summary"] for flag in _beside_pr_3(client, world, "person")}
    assert person == {"NAMED-bob-flag-private", ANON_PAYMENTS}  # Bob is in Payments
    admin = {flag["summary"] for flag in _beside_pr_3(client, world, "admin")}
    assert {f"NAMED-{login}-flag-private" for login in ("bob", "carol", "tom", "alice")} <= admin
    assert ANON_SEARCH not in admin
