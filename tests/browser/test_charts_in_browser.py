"""Charts on a phone and a laptop: every page at 390 and 1280 px, as a manager, a developer
and a director (home, person, team with its agreements and delivery, repository with its pain
map, flags, a flag, the organisation, sign-in and error pages), without sideways scrolling,
crowded labels, fractional counts, legends for nothing, or console errors."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_org_in_browser import org_served as director_served
from tests.browser.test_pages_in_browser import new_page, open_as
from tests.dashboards.world import World

__all__ = ["director_served"]  # a fixture: test_org_in_browser's world with Vera, a director

WIDTHS = [390, 1280]
PAGES = [
    "/",
    "/people/alice?period=30d",
    "/people/alice?period=90d",
    "/teams/platform?period=90d",
    "/teams/platform?period=2w",
    "/repos/acme/shop?period=90d",
    "/people/alice",  # since the last 1:1: agenda, flags and the raise form
    "/teams/platform",  # agreements (the manager's form, the developer's targets)
    "/teams/platform?period=30d",  # delivery
    "/repos/acme/shop",  # the pain map
    "/flags",
    "flag page",  # the first flag /people/alice links, found on the page
]
MANAGER_PAGES = ["/org", "/org/platform"]
DIRECTOR_PAGES = ["/org", "/org/platform", "/org/payments"]
ERROR_PAGES = {"maya": ["/org/payments", "/no/such/page"], "alice": ["/org", "/people/bob"]}

# Pairs of tick labels on one axis of one chart whose boxes overlap (1 px of slack).
OVERLAPS = """() => {
  const out = [];
  document.querySelectorAll("div.plot").forEach(plot => {
    for (const selector of [".xtick text", ".ytick text", ".y2tick text"]) {
      const boxes = [...plot.querySelectorAll(selector)]
        .map(t => t.getBoundingClientRect()).filter(r => r.width > 0);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], b = boxes[j];
          if (a.left < b.right - 1 && b.left < a.right - 1 &&
              a.top < b.bottom - 1 && b.top < a.bottom - 1) {
            out.push(plot.dataset.figure + " " + selector);
          }
        }
      }
    }
  });
  return out;
}"""

# Per chart: its legend entries, the traces it drew, its width, axis titles and tick labels.
CHARTS = """() => [...document.querySelectorAll("div.plot")].map(plot => ({
  key: plot.dataset.figure,
  legend: plot.querySelectorAll(".legend .traces").length,
  traces: (plot.data || []).length,
  width: plot.getBoundingClientRect().width,
  layout: plot.layout ? {
    x: plot.layout.xaxis && plot.layout.xaxis.title && plot.layout.xaxis.title.text,
    y: plot.layout.yaxis && plot.layout.yaxis.title && plot.layout.yaxis.title.text,
  } : null,
  xticks: [...plot.querySelectorAll(".xtick text")].map(t => t.textContent),
  yticks: [...plot.querySelectorAll(".ytick text")].map(t => t.textContent),
}))"""


@pytest.mark.parametrize("login", ["maya", "alice"])
def test_every_page_fits_phone_and_laptop(
    served: tuple[str, World], browser: object, login: str
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens[login])
    page.goto(base + "/people/alice")  # type: ignore[attr-defined]
    flag = page.locator("#flags a[href^='/flags/']").first.get_attribute("href")  # type: ignore[attr-defined]
    paths = [flag if p == "flag page" else p for p in PAGES]
    paths += MANAGER_PAGES if login == "maya" else []
    checked = sum(_fits(page, base + path, width, login) for width in WIDTHS for path in paths)
    assert checked > 0
    assert errors == []
    for width in WIDTHS:  # error pages keep the header and fit too
        for path in ERROR_PAGES[login]:
            _fits(page, base + path, width, login, status=(403, 404))
    assert [e for e in errors if "403" not in e and "404" not in e] == []
    page.context.close()  # type: ignore[attr-defined]


def test_the_organisation_and_sign_in_pages_fit_phone_and_laptop(
    director_served: tuple[str, World, str], browser: object
) -> None:
    base, _, token = director_served
    page, errors = new_page(browser)
    for width in WIDTHS:
        _fits(page, base + "/signin", width, "nobody")
    page.context.close()  # type: ignore[attr-defined]
    page, more = open_as(browser, base, token)
    checked = sum(_fits(page, base + p, w, "vera") for w in WIDTHS for p in DIRECTOR_PAGES)
    assert checked > 0
    assert errors == [] and more == []
    page.context.close()  # type: ignore[attr-defined]


def _fits(page: object, url: str, width: int, login: str, status: tuple[int, ...] = (200,)) -> int:
    """Open `url` at `width` px: no sideways scroll, no overlapping ticks, every chart within
    the screen, drawn, with a legend only for what it drew and whole counts. Charts checked."""
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    response = page.goto(url)  # type: ignore[attr-defined]
    where = f"{url} at {width} px as {login}"
    assert response.status in status, where
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert page.locator("header.top a.brand").count() == 1, where  # type: ignore[attr-defined]
    scroll = page.evaluate("document.scrollingElement.scrollWidth")  # type: ignore[attr-defined]
    assert scroll <= page.evaluate("innerWidth"), where  # type: ignore[attr-defined]
    assert page.evaluate(OVERLAPS) == [], where  # type: ignore[attr-defined]
    charts = page.evaluate(CHARTS)  # type: ignore[attr-defined]
    for chart in charts:
        assert chart["width"] <= width, (where, chart["key"])
        assert chart["traces"] > 0, (where, chart["key"])  # else an empty state
        assert chart["legend"] in (0, chart["traces"]), (where, chart["key"])
        _counts_are_whole(chart, where)
    return len(charts)


def _counts_are_whole(chart: dict[str, object], where: str) -> None:
    """On an axis of counts, every tick label is a whole number."""
    layout = chart["layout"] or {}
    assert isinstance(layout, dict)
    for axis in ("x", "y"):
        title = str(layout.get(axis) or "")
        if "(count)" not in title and "Lines changed" not in title:
            continue
        ticks = chart[f"{axis}ticks"]
        assert isinstance(ticks, list)
        for tick in ticks:
            assert re.fullmatch(r"[\d,]+", tick.replace("\u2212", "-")), (where, chart, tick)


def test_an_empty_chart_is_a_sentence_not_an_axis(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    page, errors = open_as(browser, base, world.tokens["maya"])
    page.set_viewport_size({"width": 390, "height": 900})  # type: ignore[attr-defined]
    page.goto(base + "/teams/platform?period=2w")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    charts = page.locator("figure.chart")  # type: ignore[attr-defined]
    for i in range(charts.count()):
        chart = charts.nth(i)
        has_plot = chart.locator("div.plot").count() == 1
        has_empty = chart.locator("p.empty").count() == 1
        assert has_plot != has_empty, chart.get_attribute("id")
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]
