"""The organisation page in a real browser: a director sees their teams side by side with every
chart drawn; a manager of one team sees only their part; a developer is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.core.db import make_engine, upgrade
from app.core.settings import Settings
from tests import world as f
from tests.browser.test_pages_in_browser import CHROMIUM, charts_render, open_as, serving
from tests.dashboards.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def org_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World, str]]:
    """The test world plus Vera, who directs Maya (platform) and Dan (payments)."""
    path = tmp_path_factory.mktemp("org-browser") / "gemba.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, now)
        vera = f.make_person(session, "vera", name="Vera Director")
        f.make_team(session, "leads", manager=vera, members=[world.maya, world.dan])
        token = f.make_token(session, vera)
        session.commit()
    engine.dispose()
    settings = Settings(_env_file=None, database_url=url, data_dir=path.parent)  # type: ignore[call-arg]
    with serving(settings, now) as base:
        yield base, world, token


def _teams(page: object) -> list[str]:
    headers = page.locator("table.org-table thead th[data-team]")  # type: ignore[attr-defined]
    return [h.get_attribute("data-team") for h in headers.all()]


def test_director_sees_teams_side_by_side(
    org_served: tuple[str, World, str], browser: object
) -> None:
    base, _, token = org_served
    page, errors = open_as(browser, base, token)
    response = page.goto(base + "/org")  # type: ignore[attr-defined]
    assert response.status == 200
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert _teams(page) == ["payments", "platform"]
    count, drawn = charts_render(page)
    assert count > 0 and drawn == count
    points = page.locator("article.org-team-points")  # type: ignore[attr-defined]
    assert points.count() == 2
    csv = page.locator("#chart-hours_lost a", has_text="CSV")  # type: ignore[attr-defined]
    assert csv.get_attribute("href").startswith("/data/org/hours_lost.csv")
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_manager_of_one_team_sees_only_their_part(
    org_served: tuple[str, World, str], browser: object
) -> None:
    base, world, _ = org_served
    page, errors = open_as(browser, base, world.tokens["maya"])
    assert page.goto(base + "/org").status == 200  # type: ignore[attr-defined]
    assert _teams(page) == ["platform"]
    assert page.goto(base + "/org/payments").status == 404  # type: ignore[attr-defined]
    assert errors == [] or all("404" in e for e in errors)
    page.context.close()  # type: ignore[attr-defined]


def test_developer_is_refused(org_served: tuple[str, World, str], browser: object) -> None:
    base, world, _ = org_served
    page, _ = open_as(browser, base, world.tokens["alice"])
    response = page.goto(base + "/org")  # type: ignore[attr-defined]
    assert response.status == 403
    assert "Not allowed" in page.content()  # type: ignore[attr-defined]
    assert page.locator("table.org-table").count() == 0  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
