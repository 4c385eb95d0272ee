"""Every nudge kind as the Slack stand-in's view draws it, in chromium.

One small organisation gets each kind through the real sender (review_waiting, then edited in
place once reviewed; ci_flaky; prompt; flag_answered; team_daily). With DOC_IMAGES=<folder>
set, the view is also saved there as nudges.png for docs/nudges.md.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from app.nudges.send import send_nudges
from app.nudges.slack import web_client
from tests import world as rows
from tests.app.nudges.test_flag_answered import answered_flag
from tests.app.sandbox.slack.conftest import slack
from tests.browser.test_pages_in_browser import CHROMIUM, new_page

__all__ = ["slack"]
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, in working hours
MIN = timedelta(minutes=5)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium at /usr/bin/chromium"),
]


def _organisation(session: Session) -> list:
    """Ada's PR #4 waits on bob; #5 failed in a job that flaked; her flag was answered."""
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    bob = rows.make_person(session, "bob", slack_user_id="U0BOB0001")
    mia = rows.make_person(session, "mia")
    team = rows.make_team(
        session, "Payments", manager=mia, members=[ada, bob], slack_channel="C0PAYMENTS1"
    )
    repo = rows.make_repo(session, "acme/pay")
    waiting = rows.make_pull(
        session,
        repo,
        "ada",
        number=4,
        ready_at=NOW - timedelta(hours=30),
        requested_reviewers=["bob"],
        title="Retry card payments",
    )
    rows.make_pull(session, repo, "ada", number=5, ready_at=NOW - timedelta(hours=3))
    for sha, pull, attempts in [("a", None, ["failure", "success"]), ("b", 5, ["failure"])]:
        rows.make_run(
            session,
            repo,
            actor="ada",
            head_sha=sha * 40,
            pull_number=pull,
            created_at=NOW - timedelta(hours=1 if pull else 30),
            attempts=[(a, MIN) for a in attempts],
        )
    answered_flag(session, ada, team, "The staging database resets every night", MIN, mia)
    session.commit()
    return [waiting]


def test_each_nudge_kind_as_slack_would_show_it(engine, session, slack, settings, browser):
    pulls = _organisation(session)
    client = web_client("xoxb-sandbox", slack.url)
    report = send_nudges(engine, client, NOW, settings)
    assert {n.kind for n in report.sent} == {
        "review_waiting",
        "ci_flaky",
        "prompt",
        "flag_answered",
        "team_daily",
    }
    rows.make_review(session, pulls[0], "bob", at=NOW + MIN)
    session.commit()
    assert send_nudges(engine, client, NOW + 2 * MIN, settings).updated == 1
    page, errors = new_page(browser)
    page.goto(slack.view_url)
    assert page.locator(".message").count() == len(report.sent)
    for label in ("Open", "Yes, flag it", "Yes, anonymously", "No"):
        assert page.locator(".button", has_text=label).first.is_visible()
    assert page.locator("b", has_text="Did this get in your way?").count() == 1
    assert page.locator("code", has_text="gh run rerun").count() == 1
    assert page.locator(".message", has_text="(edited)").locator("s").count() == 1
    assert "Good morning, Payments" in page.inner_text("main") and errors == []
    folder = os.environ.get("DOC_IMAGES")
    if folder:
        page.screenshot(path=str(Path(folder) / "nudges.png"), full_page=True)
