"""The stand-in's answers validate against Slack's own Web API description (shared/realdata)."""

from __future__ import annotations

import json
from functools import cache

import jsonschema
import pytest
from slack_sdk.errors import SlackApiError

from app.nudges.slack import web_client
from tests.paths import realdata


@cache
def _spec() -> dict:
    return json.loads(realdata("slack", "slack_web_openapi_v2.json").read_text())


def _check(method: str, body: dict, *, ok: bool) -> None:
    spec = _spec()
    responses = next(iter(spec["paths"][f"/{method}"].values()))["responses"]
    schema = dict(responses["200" if ok else "default"]["schema"], definitions=spec["definitions"])
    jsonschema.Draft4Validator(schema).validate(body)


def test_every_success_answer_matches_slacks_description(slack):
    client = web_client("xoxb-sandbox", slack.url)
    user = client.users_lookupByEmail(email="ada@example.com")
    # objs_user is a one-item tuple in the 2021 description; check the non-enterprise user.
    user_schema = dict(_spec()["definitions"]["objs_user"]["items"][0])
    jsonschema.Draft4Validator(dict(user_schema, definitions=_spec()["definitions"])).validate(
        user["user"]
    )
    dm = client.conversations_open(users=user["user"]["id"])
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    posted = client.chat_postMessage(channel=dm["channel"]["id"], text="hi", blocks=blocks)
    updated = client.chat_update(channel=dm["channel"]["id"], ts=posted["ts"], text="done")
    # the 2021 description predates message metadata, so the history is read without it here
    history = client.conversations_history(channel=dm["channel"]["id"])
    for method, answer in [
        ("auth.test", client.auth_test()),
        ("users.lookupByEmail", user),
        ("conversations.open", dm),
        ("chat.postMessage", posted),
        ("chat.update", updated),
        ("conversations.history", history),
    ]:
        _check(method, answer.data, ok=True)


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("chat.postMessage", lambda c: c.chat_postMessage(channel="C0NOWHERE01", text="x")),
        ("chat.update", lambda c: c.chat_update(channel="C0PAYMENTS1", ts="1.000001", text="x")),
        ("users.lookupByEmail", lambda c: c.users_lookupByEmail(email="no@example.com")),
        ("conversations.open", lambda c: c.conversations_open(users="U0NOBODY1")),
        ("conversations.history", lambda c: c.conversations_history(channel="C0NOWHERE01")),
        ("auth.test", lambda c: c.auth_test()),
    ],
)
def test_every_error_answer_matches_slacks_description(slack, method, call):
    token = "xoxb-wrong" if method == "auth.test" else "xoxb-sandbox"
    with pytest.raises(SlackApiError) as caught:
        call(web_client(token, slack.url))
    _check(method, caught.value.response.data, ok=False)
