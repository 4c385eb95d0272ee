"""ci_flaky: a failed run on a PR, in a job that flaked in the repository within 14 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.nudges import send
from app.nudges.slack import web_client
from tests import world as rows

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=5)


@pytest.fixture
def repo(session: Session):
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    rows.make_team(session, "Payments", manager=None, members=[ada])
    repo = rows.make_repo(session)
    rows.make_pull(
        session,
        repo,
        "ada",
        number=5,
        ready_at=NOW - timedelta(hours=2),
        first_review_at=NOW - timedelta(hours=1),
    )
    session.commit()
    return repo


def _flaked(session, repo, days_ago: float) -> None:
    """`tests / unit` failed then passed on one commit `days_ago` days ago."""
    rows.make_run(
        session,
        repo,
        actor="bob",
        head_sha="a" * 40,
        created_at=NOW - timedelta(days=days_ago),
        attempts=[("failure", MIN), ("success", MIN)],
    )


def _failed_on_pr(session, repo, job: str = "unit") -> None:
    rows.make_run(
        session,
        repo,
        actor="ada",
        head_sha="b" * 40,
        pull_number=5,
        job=job,
        created_at=NOW - timedelta(hours=1),
        attempts=[("failure", MIN)],
    )
    session.commit()


def _sent(engine, slack, settings):
    report = send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), NOW, settings)
    return [(n.kind, n.recipient) for n in report.sent]


def test_a_failure_in_a_flaky_job_tells_the_author_with_the_rerun(
    engine, session, slack, settings, repo
):
    _flaked(session, repo, days_ago=13)
    _failed_on_pr(session, repo)
    assert _sent(engine, slack, settings) == [("ci_flaky", "ada"), ("prompt", "ada")]
    told = slack.workspace.messages[0]["text"]
    assert "tests / unit" in told and "gh run rerun" in told and "acme/shop" in told


@pytest.mark.parametrize(("days_ago", "job"), [(15, "unit"), (3, "lint")], ids=["old", "other"])
def test_no_nudge_when_the_job_did_not_flake_in_the_last_14_days(
    engine, session, slack, settings, repo, days_ago, job
):
    _flaked(session, repo, days_ago=days_ago)
    _failed_on_pr(session, repo, job=job)
    assert _sent(engine, slack, settings) == []
