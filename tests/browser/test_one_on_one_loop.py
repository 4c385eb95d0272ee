"""The 1:1 loop in one run, in Debian's chromium, as a developer and their manager side by side:
the developer adds an agenda item, the manager's preparation stays as it was, the developer
raises a flag, the manager answers it, the developer reads the answer, the manager marks the
1:1 held, and "since the last 1:1" moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.test_pages_in_browser import CHROMIUM, open_as
from tests.dashboards.world import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

AGENDA_ITEM = "Can we talk about review load?"
FLAG = "Staging deploys block merges every Monday"
ANSWER = "I booked the platform team for Tuesday; we will fix the Monday queue first."


def _talking_points(page: object) -> list[str]:
    return page.locator("li.talking-point > p").all_inner_texts()  # type: ignore[attr-defined]


def _period_label(page: object) -> str:
    return str(page.locator("p.period-label").inner_text())  # type: ignore[attr-defined]


def test_the_whole_loop_as_developer_and_manager(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    person = base + "/people/alice"
    developer, developer_errors = open_as(browser, base, world.tokens["alice"])
    manager, manager_errors = open_as(browser, base, world.tokens["maya"])
    manager.goto(person)  # type: ignore[attr-defined]
    prepared, label = _talking_points(manager), _period_label(manager)
    assert prepared, "the manager has something to prepare"
    assert label.startswith("Since the last 1:1 (none yet: 2 weeks)")

    # 1. The developer adds an item to the shared agenda, the day before, as it invites.
    developer.goto(person)  # type: ignore[attr-defined]
    developer.fill("#agenda-body", AGENDA_ITEM)  # type: ignore[attr-defined]
    developer.click("form:has(#agenda-body) button[type=submit]")  # type: ignore[attr-defined]
    developer.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert AGENDA_ITEM in developer.locator("ul.agenda-next").inner_text()  # type: ignore[attr-defined]

    # 2. The manager's talking points and period are unchanged; the item is for the next 1:1.
    manager.reload()  # type: ignore[attr-defined]
    assert _talking_points(manager) == prepared
    assert _period_label(manager) == label
    assert AGENDA_ITEM in manager.locator("ul.agenda-next").inner_text()  # type: ignore[attr-defined]

    # 3. The developer raises a flag from their page.
    developer.goto(person)  # type: ignore[attr-defined]
    developer.fill("#flag-summary", FLAG)  # type: ignore[attr-defined]
    developer.select_option("#flag-category", "slow_build")  # type: ignore[attr-defined]
    developer.click("form.raise-flag button[type=submit]")  # type: ignore[attr-defined]
    developer.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    # 4. The manager answers it from the person page.
    manager.goto(person)  # type: ignore[attr-defined]
    manager.reload()  # type: ignore[attr-defined]  # a fresh load, not a jump within the page
    raised = manager.locator("li.flag", has_text=FLAG)  # type: ignore[attr-defined]
    assert raised.count() == 1
    raised.locator("textarea[name=note]").fill(ANSWER)
    raised.locator("button", has_text="Answer").click()
    manager.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    # 5. The developer sees the answer on their own page.
    developer.goto(person)  # type: ignore[attr-defined]
    own = developer.locator("li.flag", has_text=FLAG)  # type: ignore[attr-defined]
    assert ANSWER in own.inner_text()
    assert "answered" in own.inner_text()

    # 6. The manager marks the 1:1 held, yesterday (the form offers today).
    manager.goto(person)  # type: ignore[attr-defined]
    today = manager.locator("#held-on").get_attribute("value")  # type: ignore[attr-defined]
    assert today
    yesterday = date.fromisoformat(today) - timedelta(days=1)
    manager.fill("#held-on", yesterday.isoformat())  # type: ignore[attr-defined]
    manager.click("form.held button[type=submit]")  # type: ignore[attr-defined]
    manager.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    # 7. The period moves: it starts at the 1:1, on the manager's page and the developer's.
    moved = f"Since the last 1:1 ({yesterday:%d %b}): {yesterday:%d %b %Y} to"
    assert _period_label(manager).startswith(moved)
    assert "Last 1:1 held" in manager.locator("section.one-on-one").inner_text()  # type: ignore[attr-defined]
    # added after the 1:1 held yesterday, the agenda item is still for the next one
    assert AGENDA_ITEM in manager.locator("ul.agenda-next").inner_text()  # type: ignore[attr-defined]
    developer.goto(person)  # type: ignore[attr-defined]
    assert _period_label(developer).startswith(moved)
    assert developer.locator("form.held").count() == 0  # type: ignore[attr-defined]
    assert developer_errors == [] and manager_errors == []
    developer.context.close()  # type: ignore[attr-defined]
    manager.context.close()  # type: ignore[attr-defined]
