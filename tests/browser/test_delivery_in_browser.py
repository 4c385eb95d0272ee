"""The team page's delivery section in chromium: its charts draw, and a failure's links open the
deployment, the reverted PR and the incident on GitHub."""

from __future__ import annotations

import pytest

from tests.browser.test_pages_in_browser import CHROMIUM, charts_render, open_as
from tests.dashboards.world import SHIPPED_SHA, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def test_the_team_page_shows_delivery_with_a_linked_failure(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    opened: list[str] = []

    def answer(route: object) -> None:
        opened.append(route.request.url)  # type: ignore[attr-defined]
        route.fulfill(status=200, content_type="text/html", body="<title>GitHub</title>")  # type: ignore[attr-defined]

    page.route("https://github.com/**", answer)  # type: ignore[attr-defined]
    page.goto(base + "/teams/platform?period=30d")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    section = page.locator("section#delivery")  # type: ignore[attr-defined]
    assert section.is_visible()
    assert "GitHub Deployments to production" in section.inner_text()
    plots = section.locator("div.plot")
    assert plots.count() >= 4
    assert section.locator("div.plot svg.main-svg").count() >= plots.count()
    revert = section.locator("tr[data-kind=revert]")
    assert revert.count() == 1
    deployment = revert.locator("a.deployment")
    assert deployment.get_attribute("href") == f"https://github.com/acme/shop/commit/{SHIPPED_SHA}"
    incident = section.locator("tr[data-kind=incident] a.incident")
    assert incident.get_attribute("href") == "https://github.com/acme/shop/issues/500"
    count, drawn = charts_render(page)
    assert drawn == count
    revert.locator("a.pull").first.click()  # the reverted PR, on GitHub
    page.wait_for_url("https://github.com/acme/shop/pull/412")  # type: ignore[attr-defined]
    assert opened == ["https://github.com/acme/shop/pull/412"]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]
