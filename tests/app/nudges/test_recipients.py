"""A person's Slack member: the people file's id, else users.lookupByEmail, cached either way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.nudges.recipients import slack_misses, slack_user
from app.nudges.slack import web_client
from tests import world as rows

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _lookups(slack) -> int:
    return sum(r["method"] == "users.lookupByEmail" for r in slack.requests)


def test_the_people_file_id_is_used_without_asking_slack(session, slack):
    ada = rows.make_person(session, "ada", email="ada@example.com", slack_user_id="U0FILE001")
    assert slack_user(session, ada, web_client("xoxb-sandbox", slack.url), NOW) == "U0FILE001"
    assert _lookups(slack) == 0


def test_an_email_lookup_is_cached_and_a_miss_is_listed_then_asked_again_a_week_on(session, slack):
    client = web_client("xoxb-sandbox", slack.url)
    ada = rows.make_person(session, "ada", email="ada@example.com")
    eve = rows.make_person(session, "eve", email="eve@example.com")
    assert slack_user(session, ada, client, NOW) == "U0ADA0001"
    assert slack_user(session, ada, client, NOW) == "U0ADA0001"
    assert slack_user(session, eve, client, NOW) is None
    assert slack_user(session, eve, client, NOW + timedelta(days=6)) is None
    assert _lookups(slack) == 2
    assert [p.login for p in slack_misses(session)] == ["eve"]
    slack.workspace.add_user("U0EVE0001", "eve@example.com", "eve")
    assert slack_user(session, eve, client, NOW + timedelta(days=8)) == "U0EVE0001"
    assert slack_misses(session) == []
