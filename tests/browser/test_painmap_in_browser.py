"""The pain map in a browser: the repository page draws it first, the colour switches, a click
on a box opens the path panel with its evidence links, and the console stays clean."""

from __future__ import annotations

from tests.browser.test_pages_in_browser import open_as
from tests.dashboards.world import World


def test_switch_colour_click_a_box_and_read_the_evidence(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    response = page.goto(base + "/repos/acme/shop?period=90d")  # type: ignore[attr-defined]
    assert response.status == 200
    first = page.locator("figure.chart").first  # type: ignore[attr-defined]
    assert first.get_attribute("id") == "chart-painmap"
    page.get_by_role("link", name="Review wait").click()  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert "color=review" in page.url  # type: ignore[attr-defined]
    scale = page.locator("[data-figure=fig-painmap] .colorbar .cbtitle")  # type: ignore[attr-defined]
    assert "median hours to first review" in scale.text_content()
    boxes = page.locator("[data-figure=fig-painmap] g.slice")  # type: ignore[attr-defined]
    assert boxes.count() > 1
    boxes.last.click()  # the last drawn box lies on top: a file, not covered by another
    panel = page.locator("#painmap-panel")  # type: ignore[attr-defined]
    panel.locator("h4").first.wait_for()
    assert panel.is_visible()
    headings = panel.locator("h4").all_text_contents()
    assert [h.split(" (")[0] for h in headings] == [
        "Pull requests",
        "Failed and flaky runs",
        "Flags",
        "Commits",
    ]
    links = panel.locator("a[href]")
    assert links.count() > 0
    assert errors == []
