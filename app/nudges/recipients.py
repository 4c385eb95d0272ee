"""Who a nudge goes to in Slack: the people file's member id, else `users.lookupByEmail`, cached.

A lookup's answer is kept on the person (the id, or the time of a miss), so each run asks Slack
about a person at most once a week and a miss shows in `gemba people unknown`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, select

from app.core.models import Person

RECHECK_AFTER = timedelta(days=7)


def slack_user(db: Session, person: Person, client: WebClient, now: datetime) -> str | None:
    """The person's Slack member id, or None (no email, no such member, or a recent miss)."""
    if person.slack_user_id:
        return person.slack_user_id
    if not person.email or (
        person.slack_checked_at is not None and now - person.slack_checked_at < RECHECK_AFTER
    ):
        return None
    try:
        found = client.users_lookupByEmail(email=person.email)["user"]["id"]
    except SlackApiError as error:
        if error.response.get("error") != "users_not_found":
            raise
        found = None
    person.slack_user_id, person.slack_checked_at = found, now
    db.add(person)
    db.commit()
    return found


def slack_misses(db: Session) -> list[Person]:
    """People Slack did not know by their email at the last lookup (for `gemba people unknown`)."""
    query = select(Person).where(
        Person.slack_user_id.is_(None),  # type: ignore[union-attr]
        Person.slack_checked_at.is_not(None),  # type: ignore[union-attr]
    )
    return list(db.exec(query.order_by(Person.login)))
