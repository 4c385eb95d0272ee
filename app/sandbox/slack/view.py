"""The stand-in's view: the messages it got, drawn roughly as Slack draws their Block Kit.

Served at `/messages` by the stand-in and written beside the demo's JSON, so what went out can
be read as people would see it (sections with mrkdwn, buttons, a message edited in place).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

STYLE = """
body { font: 15px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       background: #f8f8f8; color: #1d1c1d; }
main { max-width: 760px; margin: 0 auto; padding: 16px; }
h1 { font-size: 18px; } h2 { font-size: 15px; color: #616061; margin: 24px 0 8px; }
.message { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px;
           margin: 8px 0; }
.who { font-weight: 700; } .who small { font-weight: 400; color: #616061; margin-left: 6px; }
.section { margin: 4px 0; white-space: pre-wrap; }
.actions { margin-top: 8px; display: flex; gap: 8px; flex-wrap: wrap; }
.button { border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px; font-weight: 700;
          font-size: 13px; color: #1d1c1d; text-decoration: none; background: #fff; }
.edited { color: #616061; font-size: 12px; }
code { background: #f0f0f0; border: 1px solid #e0e0e0; border-radius: 3px; padding: 0 3px; }
"""


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, <url|label> (escaped first)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*([^*\n]+)\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"<i>\1</i>", out)
    return re.sub(r"~([^~\n]+)~", r"<s>\1</s>", out)


def _block(block: dict[str, Any]) -> str:
    if block.get("type") == "section":
        return f'<div class="section">{mrkdwn(str(block.get("text", {}).get("text", "")))}</div>'
    if block.get("type") == "actions":
        buttons = []
        for element in block.get("elements", []):
            label = html.escape(str(element.get("text", {}).get("text", "")))
            url = element.get("url")
            link = f' href="{html.escape(url)}"' if url else ""
            buttons.append(f'<a class="button"{link}>{label}</a>')
        return f'<div class="actions">{"".join(buttons)}</div>'
    return ""


def _message(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    body = "".join(_block(b) for b in blocks) if blocks else ""
    body = body or f'<div class="section">{mrkdwn(str(message.get("text", "")))}</div>'
    edited = ' <span class="edited">(edited)</span>' if message.get("edits") else ""
    return (
        f'<div class="message"><div class="who">Gemba Walk<small>APP</small>{edited}</div>'
        f"{body}</div>"
    )


def render(messages: Iterable[dict[str, Any]], title: str = "What went out to Slack") -> str:
    """A page of the messages, grouped by channel in the order they first got one."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        by_channel.setdefault(str(message.get("channel", "")), []).append(message)
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if not by_channel:
        parts.append("<p>Nothing went out.</p>")
    for channel, found in by_channel.items():
        where = "Direct message" if channel.startswith("D") else "Channel"
        parts.append(f"<h2>{where} {html.escape(channel)}</h2>")
        parts += [_message(m) for m in found]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>"
    )
