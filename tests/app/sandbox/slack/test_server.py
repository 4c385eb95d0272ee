"""slack_sdk, unchanged, against the stand-in over real HTTP: answers, errors, limits, faults."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.nudges.slack import web_client


def test_auth_test_names_the_bot(slack):
    answer = web_client("xoxb-sandbox", slack.url).auth_test()
    assert answer["ok"] is True
    assert answer["user_id"] == "U0GEMBABOT"


def test_a_wrong_token_gets_slacks_invalid_auth(slack):
    with pytest.raises(SlackApiError) as caught:
        WebClient(token="xoxb-wrong", base_url=slack.url).auth_test()
    assert caught.value.response.data == {"ok": False, "error": "invalid_auth"}


def test_a_dm_is_opened_posted_and_updated_in_place(slack):
    client = web_client("xoxb-sandbox", slack.url)
    user = client.users_lookupByEmail(email="Ada@example.com")["user"]["id"]
    dm = client.conversations_open(users=user)["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "PR #4 waits"}}]
    posted = client.chat_postMessage(channel=dm, text="PR #4 waits", blocks=blocks)
    client.chat_update(channel=dm, ts=posted["ts"], text="PR #4 was reviewed")
    [message] = slack.workspace.messages
    assert (message["channel"], message["text"]) == (dm, "PR #4 was reviewed")
    assert message["edits"] == [{"text": "PR #4 waits", "blocks": blocks}]
    assert [r["method"] for r in slack.requests] == [
        "users.lookupByEmail",
        "conversations.open",
        "chat.postMessage",
        "chat.update",
    ]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.chat_postMessage(channel="C0NOWHERE01", text="x"), "channel_not_found"),
        (lambda c: c.chat_postMessage(channel="C0PAYMENTS1", text=""), "no_text"),
        (
            lambda c: c.chat_update(channel="C0PAYMENTS1", ts="1.000001", text="x"),
            "message_not_found",
        ),
        (lambda c: c.users_lookupByEmail(email="nobody@example.com"), "users_not_found"),
        (lambda c: c.conversations_open(users="U0NOBODY1"), "user_not_found"),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_slacks_error_shapes(slack, call, error):
    with pytest.raises(SlackApiError) as caught:
        call(web_client("xoxb-sandbox", slack.url))
    assert caught.value.response.status_code == 200
    assert caught.value.response.data == {"ok": False, "error": error}


def test_a_429_is_waited_out_for_its_retry_after_and_sent_once(slack):
    slack.workspace.inject("chat.postMessage", 429, retry_after=1)
    started = time.monotonic()
    web_client("xoxb-sandbox", slack.url).chat_postMessage(channel="C0PAYMENTS1", text="hi")
    assert time.monotonic() - started >= 1
    assert len(slack.workspace.messages) == 1
    assert [r["method"] for r in slack.requests] == ["chat.postMessage"] * 2


def test_a_429_without_retries_reaches_the_caller_with_its_retry_after(slack):
    slack.workspace.inject("chat.postMessage", 429, retry_after=30)
    with pytest.raises(SlackApiError) as caught:
        WebClient(token="xoxb-sandbox", base_url=slack.url).chat_postMessage(
            channel="C0PAYMENTS1", text="hi"
        )
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "30"
    assert slack.workspace.messages == []


def test_a_server_error_that_lasts_reaches_the_caller_and_posts_nothing(slack):
    slack.workspace.inject("chat.postMessage", 503, times=5)
    with pytest.raises(SlackApiError) as caught:
        web_client("xoxb-sandbox", slack.url, retries=2).chat_postMessage(
            channel="C0PAYMENTS1", text="hi"
        )
    assert caught.value.response.status_code == 503
    assert slack.workspace.messages == []
    assert len(slack.requests) == 3


def test_history_pages_newest_first_and_shows_metadata_only_when_asked(slack):
    client = web_client("xoxb-sandbox", slack.url)
    for n in range(3):
        meta = {"event_type": "gemba_nudge", "event_payload": {"delivery": n}}
        client.chat_postMessage(channel="C0PAYMENTS1", text=f"m{n}", metadata=meta)
    first = client.conversations_history(channel="C0PAYMENTS1", limit=2, include_all_metadata=True)
    assert [m["text"] for m in first["messages"]] == ["m2", "m1"] and first["has_more"]
    assert first["messages"][0]["metadata"]["event_payload"] == {"delivery": 2}
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C0PAYMENTS1", limit=2, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["m0"] and not rest["has_more"]
    assert "metadata" not in rest["messages"][0]
