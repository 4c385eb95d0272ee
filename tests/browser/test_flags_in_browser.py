"""The flag loop in a real browser: a developer raises a flag from their own page, the manager
acknowledges and answers it from "flags to answer" and again from the person page, and the
developer reads both answers, with who and when, on the flag's page."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_pages_in_browser import CHROMIUM, open_as
from tests.dashboards.world import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

SUMMARY = "Waiting two days for a first review on 412"


def raise_on_own_page(browser: object, base: str, token: str) -> tuple[object, list[str], object]:
    """Alice's browser on her own page: (page, its console errors, the "Raise a flag" form)."""
    page, errors = open_as(browser, base, token)
    page.goto(base + "/people/alice")  # type: ignore[attr-defined]
    return page, errors, page.locator("form.raise-flag")  # type: ignore[attr-defined]


def test_raise_answer_and_the_author_reads_the_thread(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    alice, alice_errors, form = raise_on_own_page(browser, base, world.tokens["alice"])
    form.get_by_label("What hurts").fill(SUMMARY)  # type: ignore[attr-defined]
    form.get_by_label("Kind").select_option("review_wait")  # type: ignore[attr-defined]
    form.get_by_label("Repository").select_option(world.repo.name)  # type: ignore[attr-defined]
    form.get_by_label("Pull request number").fill("412")  # type: ignore[attr-defined]
    form.get_by_role("button", name="Raise flag").click()  # type: ignore[attr-defined]
    alice.wait_for_url(re.compile(r"/people/alice#flags$"))  # type: ignore[attr-defined]
    mine = alice.locator("#flags li.flag", has_text=SUMMARY)  # type: ignore[attr-defined]
    assert mine.count() == 1 and "open" in mine.inner_text()

    maya, maya_errors = open_as(browser, base, world.tokens["maya"])
    maya.goto(base + "/flags")  # type: ignore[attr-defined]
    waiting = maya.locator("li.flag", has_text=SUMMARY)  # type: ignore[attr-defined]
    waiting.get_by_role("button", name="Acknowledge").click()
    maya.wait_for_url(base + "/flags")  # type: ignore[attr-defined]
    waiting = maya.locator("li.flag", has_text=SUMMARY)  # type: ignore[attr-defined]
    assert "acknowledged" in waiting.inner_text()
    waiting.get_by_label("Your answer").fill("I will review it this afternoon.")
    waiting.get_by_role("button", name="Answer").click()
    maya.wait_for_url(base + "/flags")  # type: ignore[attr-defined]
    assert maya.locator("li.flag", has_text=SUMMARY).count() == 0  # type: ignore[attr-defined]

    maya.goto(base + "/people/alice")  # type: ignore[attr-defined]
    link = maya.locator("#flags a", has_text=SUMMARY)  # type: ignore[attr-defined]
    link.click()
    maya.wait_for_url(re.compile(r"/flags/[a-z2-7]{13}$"))  # type: ignore[attr-defined]
    maya.get_by_label("Your answer").fill("Reviewed and approved.")  # type: ignore[attr-defined]
    maya.get_by_role("button", name="Answer").click()  # type: ignore[attr-defined]
    flag_url = maya.url  # type: ignore[attr-defined]

    alice.goto(base + "/people/alice")  # type: ignore[attr-defined]
    mine = alice.locator("#flags li.flag", has_text=SUMMARY)  # type: ignore[attr-defined]
    assert "answered" in mine.inner_text() and "Reviewed and approved." in mine.inner_text()
    mine.get_by_role("link", name=SUMMARY).click()
    alice.wait_for_url(flag_url)  # type: ignore[attr-defined]
    answers = alice.locator("ol.flag-thread li")  # type: ignore[attr-defined]
    assert answers.count() == 2
    assert "I will review it this afternoon." in answers.nth(0).inner_text()
    assert "Reviewed and approved." in answers.nth(1).inner_text()
    assert "maya" in answers.nth(0).inner_text() and "UTC" in answers.nth(1).inner_text()
    assert alice.get_by_role("button", name="Answer").count() == 0  # type: ignore[attr-defined]
    assert alice_errors == [] and maya_errors == []
    for page in (alice, maya):
        page.context.close()  # type: ignore[attr-defined]


def test_an_anonymous_flag_shows_on_its_authors_page_only(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    alice, _, form = raise_on_own_page(browser, base, world.tokens["alice"])
    form.get_by_label("What hurts").fill("Standups run 40 minutes")  # type: ignore[attr-defined]
    form.get_by_label(re.compile("Raise it anonymously")).check()  # type: ignore[attr-defined]
    form.get_by_role("button", name="Raise flag").click()  # type: ignore[attr-defined]
    alice.wait_for_url(re.compile(r"/people/alice#flags$"))  # type: ignore[attr-defined]
    section = alice.locator("#flags")  # type: ignore[attr-defined]
    assert "Flags you raised anonymously" in section.inner_text()
    assert "Standups run 40 minutes" in section.inner_text()
    maya, _ = open_as(browser, base, world.tokens["maya"])
    maya.goto(base + "/people/alice")  # type: ignore[attr-defined]
    assert "Standups run 40 minutes" not in maya.content()  # type: ignore[attr-defined]
    for page in (alice, maya):
        page.context.close()  # type: ignore[attr-defined]
