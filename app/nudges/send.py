"""Sending due nudges exactly once per (kind, recipient, item, stretch), like the digest does.

The delivery row is claimed ("sending") and committed before the Slack call and marked "sent"
right after it: a rerun or a second scheduler skips what is claimed, a Slack error leaves the row
"failed" for the next run, and a process killed between the claim and the mark leaves it
"sending". Such a row is resolved by `app.nudges.resume` once it is stale: recorded as sent if
Slack's history holds its message (each post carries metadata naming its row), else posted, so a
cut sends no duplicate and loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.agreements import agreements_of
from app.core.models import NudgeDelivery, NudgeOptOut, Person, PullRequest, Team
from app.core.settings import Settings, parse_hours
from app.nudges import resume
from app.nudges.hours import local_day, next_working_time
from app.nudges.prompt import prompt_blocks
from app.nudges.recipients import slack_user
from dashboards.reports.nudges_ci import ci_flaky
from dashboards.reports.nudges_due import DueNudge, first_review_at, prompts, review_waiting
from dashboards.reports.nudges_flags import flag_answered
from dashboards.reports.nudges_team import team_daily


@dataclass
class NudgeReport:
    sent: list[DueNudge] = field(default_factory=list)
    would_send: list[DueNudge] = field(default_factory=list)
    waiting: list[tuple[DueNudge, str]] = field(default_factory=list)  # with why
    failed: list[tuple[DueNudge, str]] = field(default_factory=list)
    uncertain: list[DueNudge] = field(default_factory=list)
    resumed: list[DueNudge] = field(default_factory=list)  # had gone out before a cut: recorded
    updated: int = 0


def opted_out(db: Session, person_id: int, kind: str) -> bool:
    return (
        db.exec(
            select(NudgeOptOut).where(
                NudgeOptOut.person_id == person_id, col(NudgeOptOut.kind).in_([kind, "*"])
            )
        ).first()
        is not None
    )


def _sent_today(db: Session, recipient: str, day: str, kind: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(NudgeDelivery)
        .where(
            NudgeDelivery.recipient == recipient,
            NudgeDelivery.day == day,
            col(NudgeDelivery.status).in_(["sending", "sent", "updated"]),
        )
    )
    return db.exec(query.where(NudgeDelivery.kind == kind) if kind else query).one()


def _channel(db: Session, nudge: DueNudge, team: Team, client: WebClient, now: datetime):
    """(Slack channel, person id) for the nudge, or (None, why) when it cannot be sent."""
    if nudge.recipient.startswith("#"):
        return (team.slack_channel, None) if team.slack_channel else (None, "no team channel")
    person = db.exec(select(Person).where(Person.login == nudge.recipient)).first()
    if person is None or person.id is None:
        return None, "not in the people file"
    if opted_out(db, person.id, nudge.kind):
        return None, "switched off"
    user = slack_user(db, person, client, now)
    if user is None:
        return None, "no Slack member"
    return client.conversations_open(users=user)["channel"]["id"], person.id


def _key(nudge: DueNudge) -> tuple:
    return (
        NudgeDelivery.kind == nudge.kind,
        NudgeDelivery.recipient == nudge.recipient,
        NudgeDelivery.item == nudge.item,
        NudgeDelivery.stretch == nudge.stretch,
    )


def _claim(
    db: Session, nudge: DueNudge, day: str, person_id: int | None, channel: str, now: datetime
) -> NudgeDelivery | None:
    """The claimed row, committed; None when another run has it (sending, sent or updated)."""
    row = NudgeDelivery(
        kind=nudge.kind,
        recipient=nudge.recipient,
        person_id=person_id,
        item=nudge.item,
        stretch=nudge.stretch,
        day=day,
        text=nudge.text,
        channel=channel,
        created_at=now,  # when claimed: a claim older than resume.STALE_AFTER was cut short
    )
    db.add(row)
    try:
        db.commit()
        return row
    except IntegrityError:
        db.rollback()
    taken = db.exec(
        update(NudgeDelivery)
        .where(*_key(nudge), NudgeDelivery.status == "failed")
        .values(status="sending", channel=channel, created_at=now)
    )
    db.commit()
    return db.exec(select(NudgeDelivery).where(*_key(nudge))).one() if taken.rowcount else None


def send_nudges(
    engine: Engine,
    client: WebClient,
    now: datetime,
    settings: Settings,
    *,
    dry_run: bool = False,
) -> NudgeReport:
    """Send every due nudge that may go out now; update in place those whose PR was reviewed."""
    report = NudgeReport()
    with Session(engine, expire_on_commit=False) as db:
        due = [*review_waiting(db, now, settings), *ci_flaky(db, now)]
        due += prompts(db, now, settings)
        due += flag_answered(db, now, settings.base_url)
        due += team_daily(db, now, settings)
        for nudge in due:
            _send_one(db, nudge, client, now, settings, report, dry_run)
        if not dry_run:
            _settle_undue(db, client, now, {_ident(n) for n in due}, report)
            report.updated = update_reviewed(db, client)
    return report


def _ident(nudge: DueNudge) -> tuple[str, str, str, str]:
    return (nudge.kind, nudge.recipient, nudge.item, nudge.stretch)


def _settle_undue(db: Session, client: WebClient, now: datetime, due: set, report) -> None:
    """Cut sends whose nudge is no longer due (the PR was reviewed meanwhile): recorded if
    Slack has them, else given up as failed (a failed one goes out if it is due again)."""
    stuck = db.exec(select(NudgeDelivery).where(NudgeDelivery.status == "sending")).all()
    for row in stuck:
        if (row.kind, row.recipient, row.item, row.stretch) in due:
            continue
        if not resume.take_over(db, row, now):
            continue
        nudge = DueNudge(row.kind, row.recipient, 0, row.item, row.stretch, row.text)
        try:
            found = resume.find_posted(client, row)
        except SlackApiError:
            report.uncertain.append(nudge)
            continue
        if found is not None:
            mark_sent(db, row, row.channel or "", found["ts"], now)
            report.resumed.append(nudge)
            continue
        row.status, row.error = "failed", "no longer due when its cut send was checked"
        db.add(row)
        db.commit()


def _send_one(db, nudge, client, now, settings, report, dry_run) -> None:
    team = db.get(Team, nudge.team_id)
    workdays = frozenset(settings.workdays)
    # the person's own hours, else the team's agreement (nudge_hours), else the setting
    own = None
    if not nudge.recipient.startswith("#"):
        own = db.exec(select(Person.nudge_hours).where(Person.login == nudge.recipient)).first()
    stored = own or agreements_of(db, team.id).get("nudge_hours")
    hours = parse_hours(stored or settings.nudges_working_hours)
    # the team's note has its own hour (the digest hour); every other nudge waits for work
    if nudge.kind != "team_daily" and next_working_time(now, team.timezone, workdays, hours) > now:
        report.waiting.append((nudge, "outside working hours"))
        return
    day = local_day(now, team.timezone)
    existing = db.exec(select(NudgeDelivery).where(*_key(nudge))).first()
    if existing is not None and existing.status == "sending":
        if not dry_run:
            _resume(db, existing, nudge, client, now, report)
        return
    if existing is not None and existing.status != "failed":
        return
    if not nudge.recipient.startswith("#") and (
        _sent_today(db, nudge.recipient, day) >= settings.nudges_daily_dm_cap
    ):
        report.waiting.append((nudge, "daily cap reached"))
        return
    if nudge.kind == "prompt" and _sent_today(db, nudge.recipient, day, "prompt"):
        report.waiting.append((nudge, "one prompt a day"))
        return
    if dry_run:
        report.would_send.append(nudge)
        return
    channel, person = _channel(db, nudge, team, client, now)
    if channel is None:
        report.waiting.append((nudge, str(person)))
        return
    row = _claim(db, nudge, day, person, channel, now)
    if row is not None:
        _post(db, row, nudge, client, now, report)


def _post(db, row: NudgeDelivery, nudge: DueNudge, client, now, report) -> None:
    """Post the claimed row's message, with metadata naming the row, and record the answer."""
    try:
        body = prompt_blocks(nudge.text, row.id or 0) if nudge.kind == "prompt" else blocks(nudge)
        posted = client.chat_postMessage(
            channel=row.channel,
            text=nudge.text,
            blocks=body,
            metadata=resume.metadata(row.id or 0),
        )
    except SlackApiError as error:
        row.status, row.error = "failed", str(error.response.get("error") or error)[:500]
        db.add(row)
        db.commit()
        report.failed.append((nudge, row.error))
        return
    mark_sent(db, row, posted["channel"], posted["ts"], now)
    report.sent.append(nudge)


def _resume(db, row: NudgeDelivery, nudge: DueNudge, client, now, report) -> None:
    """A row left "sending": recorded if Slack has its message, else posted (once, one run)."""
    if not resume.take_over(db, row, now):
        report.uncertain.append(nudge)  # another run is sending it, or it cannot be checked
        return
    try:
        found = resume.find_posted(client, row)
    except SlackApiError as error:  # e.g. missing_scope: stays uncertain, never posted twice
        report.uncertain.append(nudge)
        row.error = str(error.response.get("error") or error)[:500]
        db.add(row)
        db.commit()
        return
    if found is None:
        _post(db, row, nudge, client, now, report)
        return
    mark_sent(db, row, row.channel or "", found["ts"], now)
    report.resumed.append(nudge)


def mark_sent(db: Session, row: NudgeDelivery, channel: str, ts: str, now: datetime) -> None:
    row.status, row.channel, row.ts, row.sent_at = "sent", channel, ts, now
    db.add(row)
    db.commit()


def blocks(nudge: DueNudge) -> list[dict]:
    """The message as Block Kit: the ask, and a button to the item."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": nudge.text}}
    if not nudge.url:
        return [section]
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": nudge.url}
    return [section, {"type": "actions", "elements": [button]}]


def update_reviewed(db: Session, client: WebClient) -> int:
    """Edit sent review_waiting messages in place once their PR has its first review."""
    rows = db.exec(
        select(NudgeDelivery).where(
            NudgeDelivery.kind == "review_waiting", NudgeDelivery.status == "sent"
        )
    ).all()
    done = 0
    for row in rows:
        pull = db.get(PullRequest, int(row.item.removeprefix("pr:")))
        if pull is None or first_review_at(db, pull) is None or not row.channel or not row.ts:
            continue
        text = f"~{row.text}~ PR #{pull.number} has its first review now. Thank you!"
        client.chat_update(channel=row.channel, ts=row.ts, text=text)
        row.status = "updated"
        db.add(row)
        db.commit()
        done += 1
    return done
