"""The six Web API methods, answering the shapes of Slack's own description (ok/error bodies)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from app.sandbox.slack.workspace import BOT_ID, BOT_USER_ID, TEAM_ID, Workspace

Answer = dict[str, Any]


class SlackError(Exception):
    """An `{"ok": false, "error": code}` answer (Slack sends these with HTTP 200)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _json_arg(args: dict[str, Any], name: str, error: str) -> Any:
    """An argument sent as JSON text (form posts) or as the value itself (JSON bodies)."""
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SlackError(error) from exc
    return value


def _blocks(args: dict[str, Any]) -> list[Any] | None:
    blocks = _json_arg(args, "blocks", "invalid_blocks")
    if blocks is not None and not isinstance(blocks, list):
        raise SlackError("invalid_blocks")
    return blocks


def _message_body(ws: Workspace, args: dict[str, Any]) -> tuple[str, str, list[Any] | None]:
    channel = str(args.get("channel") or "")
    if channel not in ws.channels:
        raise SlackError("channel_not_found")
    text = str(args.get("text") or "")
    blocks = _blocks(args)
    if not text and not blocks:
        raise SlackError("no_text")
    return channel, text, blocks


def _shown(message: dict[str, Any]) -> Answer:
    shown = {"type": "message", "text": message["text"], "ts": message["ts"]}
    shown |= {"user": BOT_USER_ID, "bot_id": BOT_ID}
    if message["blocks"]:
        shown["blocks"] = message["blocks"]
    return shown


def auth_test(ws: Workspace, args: dict[str, Any]) -> Answer:
    return {
        "ok": True,
        "url": f"https://{ws.name}.slack.com/",
        "team": ws.name,
        "user": "gemba",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    }


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    """Message metadata ({event_type, event_payload}), as JSON text or an object."""
    metadata = _json_arg(args, "metadata", "invalid_metadata_format")
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
        raise SlackError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata.get("event_payload")}


def chat_post_message(ws: Workspace, args: dict[str, Any]) -> Answer:
    channel, text, blocks = _message_body(ws, args)
    metadata = _metadata(args)
    with ws.lock:
        message = {"channel": channel, "ts": ws.next_ts(), "text": text, "blocks": blocks}
        message |= {"edits": [], "metadata": metadata}
        ws.messages.append(message)
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": _shown(message)}


def chat_update(ws: Workspace, args: dict[str, Any]) -> Answer:
    channel, text, blocks = _message_body(ws, args)
    with ws.lock:
        message = ws.message(channel, str(args.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        message["edits"].append({"text": message["text"], "blocks": message["blocks"]})
        message["text"], message["blocks"] = text, blocks
    shown = {"text": text} | ({"blocks": blocks} if blocks else {})
    return {"ok": True, "channel": channel, "ts": message["ts"], "text": text, "message": shown}


def conversations_history(ws: Workspace, args: dict[str, Any]) -> Answer:
    """The channel's messages, newest first, `limit` a page (cursor: how many were served);
    metadata only with include_all_metadata, as Slack does."""
    channel = str(args.get("channel") or "")
    if channel not in ws.channels:
        raise SlackError("channel_not_found")
    try:
        limit = min(max(int(args.get("limit") or 100), 1), 999)
        start = int(args.get("cursor") or 0)
        oldest = float(args.get("oldest") or 0)
    except ValueError as exc:
        raise SlackError("invalid_ts_oldest") from exc
    with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    with ws.lock:
        found = [m for m in ws.messages if m["channel"] == channel and float(m["ts"]) >= oldest]
    found.reverse()
    page = found[start : start + limit]
    messages = []
    for message in page:
        shown = _shown(message)
        if with_metadata and message.get("metadata"):
            shown["metadata"] = message["metadata"]
        messages.append(shown)
    more = start + limit < len(found)
    answer: Answer = {"ok": True, "messages": messages, "has_more": more, "pin_count": 0}
    answer |= {"channel_actions_ts": None, "channel_actions_count": 0}
    if more:
        answer["response_metadata"] = {"next_cursor": str(start + limit)}
    return answer


def conversations_open(ws: Workspace, args: dict[str, Any]) -> Answer:
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:
        raise SlackError("method_not_supported_for_channel_type")
    if ws.user_by_id(users[0]) is None:
        raise SlackError("user_not_found")
    dm = "D" + users[0][1:].rjust(9, "0")
    with ws.lock:
        already = dm in ws.channels
        ws.channels.add(dm)
    return {"ok": True, "already_open": already, "channel": {"id": dm}}


def users_lookup_by_email(ws: Workspace, args: dict[str, Any]) -> Answer:
    user = ws.users.get(str(args.get("email") or "").lower())
    if user is None:
        raise SlackError("users_not_found")
    profile = {
        "real_name": user["name"],
        "display_name": user["name"],
        "avatar_hash": "",
        "real_name_normalized": user["name"],
        "display_name_normalized": user["name"],
        "title": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "fields": None,
        "email": user["email"],
    }
    return {
        "ok": True,
        "user": {
            "id": user["id"],
            "team_id": TEAM_ID,
            "name": user["name"],
            "profile": profile,
            "is_bot": False,
            "is_app_user": False,
            "updated": 1700000000,
        },
    }


METHODS: dict[str, Callable[[Workspace, dict[str, Any]], Answer]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "conversations.history": conversations_history,
    "conversations.open": conversations_open,
    "users.lookupByEmail": users_lookup_by_email,
}
