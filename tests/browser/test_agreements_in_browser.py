"""Working agreements in a real browser: the manager types a target on the team page and sees
the backtest ("would have fired N times in the last 30 days") before saving it; a developer
sees the target but no form, and a POST from their browser is refused."""

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

POST_AS_PAGE = """async () => {
  const body = new URLSearchParams({
    csrf_token: document.querySelector("input[name=csrf_token]").value,
    first_review_hours: "1000",
  });
  const response = await fetch("/teams/platform/agreements", {method: "POST", body});
  return response.status;
}"""


def test_the_manager_sees_the_backtest_and_a_developer_cannot_edit(
    served: tuple[str, World], browser: object
) -> None:
    base, world = served
    maya, maya_errors = open_as(browser, base, world.tokens["maya"])
    maya.goto(base + "/teams/platform")  # type: ignore[attr-defined]
    form = maya.locator("form.agreements-form")  # type: ignore[attr-defined]
    target = form.get_by_label("first_review_hours (hours)")
    backtest = form.locator('[data-backtest-for="first_review_hours"]')
    target.fill("24")  # #412 waited 3.1 days for its first review, 8 days ago
    maya.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-backtest-for=first_review_hours]')"
        ".textContent.includes('would have fired')"
    )
    assert backtest.inner_text() == "would have fired 1 time in the last 30 days"
    target.fill("100")
    maya.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-backtest-for=first_review_hours]')"
        ".textContent.includes('fired 0 times')"
    )
    target.fill("24")
    maya.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-backtest-for=first_review_hours]')"
        ".textContent.includes('fired 1 time ')"
    )
    form.get_by_role("button", name="Save the targets").click()
    maya.wait_for_url(re.compile(r"/teams/platform#agreements$"))  # type: ignore[attr-defined]
    row = maya.locator('tr[data-agreement="first_review_hours"]')  # type: ignore[attr-defined]
    assert re.search(r"24 hours\s+1\s+0", row.inner_text())
    ledger = maya.locator("ul.ledger li", has_text="#412")  # type: ignore[attr-defined]
    assert "for a first review; the team agreed on 24" in ledger.inner_text()
    assert maya_errors == []

    alice, alice_errors = open_as(browser, base, world.tokens["alice"])
    alice.goto(base + "/teams/platform")  # type: ignore[attr-defined]
    shown = alice.locator('tr[data-agreement="first_review_hours"]')  # type: ignore[attr-defined]
    assert "24 hours" in shown.inner_text()
    assert alice.locator("form.agreements-form").count() == 0  # type: ignore[attr-defined]
    assert alice.evaluate(POST_AS_PAGE) == 403  # type: ignore[attr-defined]
    alice.reload()  # type: ignore[attr-defined]
    assert "24 hours" in shown.inner_text()  # unchanged
    assert [e for e in alice_errors if "403" not in e] == []
