"""Resuming a nudge cut between Slack's post and its record: Slack's history says if it went out.

Every post carries message metadata naming its delivery row (event type `gemba_nudge`). A row
left "sending" for longer than STALE_AFTER (a send takes seconds; the scheduler runs every ten
minutes) is taken over by exactly one run, which reads the row's channel in
`conversations.history`: a message found there is recorded as sent (nothing is posted again);
none found means Slack never accepted it, and the nudge is posted now, so nothing is lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import update
from sqlmodel import Session

from app.core.models import NudgeDelivery
from app.core.models.base import as_utc

STALE_AFTER = timedelta(minutes=10)
EVENT_TYPE = "gemba_nudge"
HISTORY_PAGES = 5  # of 200 messages, newest first: days of a DM's or a team channel's talk


def metadata(delivery_id: int) -> dict[str, Any]:
    """What each post carries so its delivery can be found in the channel later."""
    return {"event_type": EVENT_TYPE, "event_payload": {"delivery": delivery_id}}


def take_over(db: Session, row: NudgeDelivery, now: datetime) -> bool:
    """Whether this run may resolve the row: it is stale, and this run won it from any other."""
    claimed = as_utc(row.created_at)
    if row.status != "sending" or row.channel is None or now - claimed < STALE_AFTER:
        return False
    won = db.exec(
        update(NudgeDelivery)
        .where(
            NudgeDelivery.id == row.id,
            NudgeDelivery.status == "sending",
            NudgeDelivery.created_at == row.created_at,
        )
        .values(created_at=now)
    )
    db.commit()
    db.refresh(row)
    return bool(won.rowcount)


def find_posted(client: WebClient, row: NudgeDelivery) -> dict | None:
    """The message Slack holds for this delivery among the channel's newest 1,000, or None."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=row.channel or "",
            limit=200,
            include_all_metadata=True,
            cursor=cursor,
        )
        for message in page["messages"]:
            found = message.get("metadata") or {}
            payload = found.get("event_payload") or {}
            if found.get("event_type") == EVENT_TYPE and payload.get("delivery") == row.id:
                return message
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return None
    return None
