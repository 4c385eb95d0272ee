"""The five Web API methods, answering the shapes of Slack's own description (ok/error bodies)."""

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


def _blocks(args: dict[str, Any]) -> list[Any] | None:
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError as exc:
            raise SlackError("invalid_blocks") from exc
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


def chat_post_message(ws: Workspace, args: dict[str, Any]) -> Answer:
    channel, text, blocks = _message_body(ws, args)
    with ws.lock:
        message = {"channel": channel, "ts": ws.next_ts(), "text": text, "blocks": blocks}
        message["edits"] = []
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
    "conversations.open": conversations_open,
    "users.lookupByEmail": users_lookup_by_email,
}
