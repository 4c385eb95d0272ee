"""Sending the week's digests exactly once per (recipient, week), and knowing which are due.

Each recipient is handled in its own short transactions: the delivery row is claimed
(pending/failed -> sending) and committed before the SMTP call, and marked sent and committed
right after it, so a failure later in the run never undoes what already went out, and a rerun
skips it. A row left in "sending" (the process died during the SMTP call) is reported as
uncertain and only resent when asked, with the same Message-ID so mail servers can drop a copy.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.db import session_scope
from app.core.models import DigestDelivery, Person, Team, TeamMember
from app.core.models.base import as_utc, utcnow
from app.core.settings import Settings
from dashboards.digest import mailer
from dashboards.digest.build import developer_digest, manager_digest, render
from dashboards.digest.data import DigestData
from dashboards.digest.scope import CACHE, timezone_of
from dashboards.digest.week import resolve_week, week_of
from dashboards.item_flags import FlagLookup

RETRIES = 3
BACKOFF_SECONDS = 2.0


@dataclass(frozen=True)
class Due:
    """One recipient and the week their digest covers."""

    person_id: int
    login: str
    week: str


@dataclass
class SendReport:
    sent: list[Due] = field(default_factory=list)
    already_sent: list[Due] = field(default_factory=list)
    pending: list[tuple[Due, str]] = field(default_factory=list)  # with the last error
    uncertain: list[Due] = field(default_factory=list)
    would_send: list[tuple[Due, str]] = field(default_factory=list)  # dry run: with subject

    @property
    def ok(self) -> bool:
        return not self.pending and not self.uncertain


def has_reports(session: Session, person_id: int) -> bool:
    """A manager of at least one team with a member other than themself."""
    return (
        session.exec(
            select(TeamMember.person_id)
            .join(Team, col(Team.id) == col(TeamMember.team_id))
            .where(Team.manager_id == person_id, TeamMember.person_id != person_id)
            .limit(1)
        ).first()
        is not None
    )


def recipients(session: Session) -> list[Person]:
    """Managers with reports and opted-in developers, with an address, not unsubscribed."""
    managers = select(Team.manager_id).where(col(Team.manager_id).is_not(None))
    people = session.exec(
        select(Person)
        .where(
            col(Person.is_bot).is_(False),
            col(Person.digest_unsubscribed).is_(False),
            col(Person.email).is_not(None),
            (col(Person.id).in_(managers)) | (col(Person.digest_opt_in).is_(True)),
        )
        .order_by(col(Person.login))
    ).all()
    return [p for p in people if p.digest_opt_in or has_reports(session, p.id or 0)]


def digest_for(
    session: Session,
    person: Person,
    week: str | None,
    settings: Settings,
    now: datetime,
    *,
    flags: FlagLookup | None = None,
) -> DigestData | None:
    """A manager's digest when they have reports, else a developer's own digest; with
    `flags` (app.flags.lookup.lookup), open flags beside its lines."""
    assert person.id is not None
    if has_reports(session, person.id):
        return manager_digest(session, person, week, settings, now, flags=flags)
    return developer_digest(session, person, week, settings, now, flags=flags)


def ensure_unsubscribe_token(session: Session, person: Person) -> None:
    if not person.unsubscribe_token:
        person.unsubscribe_token = secrets.token_urlsafe(32)
        session.add(person)
        session.flush()


def due_digests(session: Session, now: datetime, settings: Settings) -> list[Due]:
    """Recipients whose Monday `digest_hour` has passed in their team's time zone this week
    and whose digest of the week before has not gone out yet."""
    due: list[Due] = []
    for person in recipients(session):
        assert person.id is not None
        tz = timezone_of(session, person, settings.default_timezone)
        current = week_of(now, tz)
        if now < current.start.replace(hour=settings.digest_hour):
            continue
        week = current.previous().label
        if not _is_sent(session, person.id, week):
            due.append(Due(person.id, person.login, week))
    return due


def _delivery(session: Session, person_id: int, week: str) -> DigestDelivery | None:
    return session.exec(
        select(DigestDelivery).where(
            DigestDelivery.person_id == person_id, DigestDelivery.week == week
        )
    ).first()


def _is_sent(session: Session, person_id: int, week: str) -> bool:
    row = _delivery(session, person_id, week)
    return row is not None and row.status == "sent"


def message_id(week: str, person_id: int, settings: Settings) -> str:
    """Stable per (recipient, week): a resent copy carries the same id and can be dropped."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "gemba.local"
    return f"<gemba-digest.{week}.{person_id}@{domain}>"


def all_due(session: Session, week: str | None, now: datetime, settings: Settings) -> list[Due]:
    """Every recipient with the week they get: `week` if given, else their last full week."""
    chosen: list[Due] = []
    for person in recipients(session):
        assert person.id is not None
        tz = timezone_of(session, person, settings.default_timezone)
        label = resolve_week(week, now, tz, allow_current=False).label
        chosen.append(Due(person.id, person.login, label))
    return chosen


Progress = Callable[[str, Due, str], None]


def send_digests(
    engine: Engine,
    settings: Settings,
    due: list[Due],
    *,
    now: datetime,
    dry_run: bool = False,
    resend_uncertain: bool = False,
    retries: int = RETRIES,
    backoff_seconds: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
    flags: FlagLookup | None = None,
) -> SendReport:
    """Send each due digest once. Stops trying after `retries` failed attempts on one message
    (the server is down): that one and the rest stay pending for the next run. `flags`: the
    lookup that puts open flags beside each line (app.flags.lookup.lookup)."""
    report = SendReport()
    notify = progress or (lambda _event, _due, _detail: None)
    cache: dict[tuple[object, ...], object] = {}  # rows read once for the whole run
    for index, item in enumerate(due):
        prepared = _prepare(
            engine, settings, item, now, dry_run, resend_uncertain, report, cache, flags
        )
        if prepared is None:
            continue
        if dry_run:
            report.would_send.append((item, str(prepared["Subject"])))
            notify("would send", item, str(prepared["Subject"]))
            continue
        error = _send_with_retries(
            engine, settings, item, prepared, retries, backoff_seconds, sleep, notify
        )
        if error is None:
            report.sent.append(item)
            notify("sent", item, str(prepared["To"]))
            continue
        report.pending.append((item, error))
        for rest in due[index + 1 :]:
            report.pending.append((rest, f"not tried: server failing ({error})"))
        break
    return report


def _prepare(
    engine: Engine,
    settings: Settings,
    item: Due,
    now: datetime,
    dry_run: bool,
    resend_uncertain: bool,
    report: SendReport,
    cache: dict[tuple[object, ...], object],
    flags: FlagLookup | None,
) -> EmailMessage | None:
    """Build the message and claim its delivery row, or None when there is nothing to send."""
    with session_scope(engine) as session:
        session.info[CACHE] = cache
        person = session.get(Person, item.person_id)
        if person is None:
            return None
        row = _delivery(session, item.person_id, item.week)
        if row is not None and row.status == "sent":
            report.already_sent.append(item)
            return None
        if row is not None and row.status == "sending" and not resend_uncertain:
            report.uncertain.append(item)
            return None
        if not dry_run:
            ensure_unsubscribe_token(session, person)
        data = digest_for(session, person, item.week, settings, now, flags=flags)
        if data is None or not data.recipient_email:
            return None
        message = render(data, sender=settings.smtp_from)
        message.replace_header("Message-ID", message_id(item.week, item.person_id, settings))
    if dry_run:
        return message
    if row is None:
        _insert_row(engine, item)
    if not claim(engine, item, resend_uncertain=resend_uncertain):
        report.uncertain.append(item)
        return None
    return message


def _insert_row(engine: Engine, item: Due) -> None:
    """A pending row for (recipient, week); another run inserting it first is fine."""
    try:
        with session_scope(engine) as session:
            session.add(DigestDelivery(person_id=item.person_id, week=item.week))
    except IntegrityError:
        pass  # the unique (person, week) row exists: claiming it decides who sends


def claim(engine: Engine, item: Due, *, resend_uncertain: bool = False) -> bool:
    """pending/failed (or, when told, an uncertain sending) -> sending, committed. One
    conditional UPDATE, so of two runs racing for a row only one gets it."""
    claimable = ["pending", "failed"] + (["sending"] if resend_uncertain else [])
    with session_scope(engine) as session:
        result = session.exec(  # type: ignore[call-overload]
            update(DigestDelivery)
            .where(
                col(DigestDelivery.person_id) == item.person_id,
                col(DigestDelivery.week) == item.week,
                col(DigestDelivery.status).in_(claimable),
            )
            .values(status="sending")
        )
        return bool(result.rowcount == 1)


def _send_with_retries(
    engine: Engine,
    settings: Settings,
    item: Due,
    message: EmailMessage,
    retries: int,
    backoff_seconds: float,
    sleep: Callable[[float], None],
    notify: Progress,
) -> str | None:
    """None once sent (and recorded), else the last error (recorded as failed)."""
    error = ""
    for attempt in range(retries + 1):
        if attempt:
            delay = backoff_seconds * 2 ** (attempt - 1)
            notify("retrying", item, f"in {delay:g} s after: {error}")
            sleep(delay)
        try:
            mailer.send(message, settings)
        except mailer.SendError as failure:
            error = str(failure)
            continue
        _record(engine, item, attempt + 1, status="sent", message_id=str(message["Message-ID"]))
        return None
    _record(engine, item, retries + 1, status="failed", error=error)
    return error


def _record(
    engine: Engine,
    item: Due,
    attempts: int,
    *,
    status: str,
    message_id: str | None = None,
    error: str | None = None,
) -> None:
    with session_scope(engine) as session:
        row = _delivery(session, item.person_id, item.week)
        assert row is not None
        row.status = status
        row.attempts += attempts
        if status == "sent":
            row.sent_at = utcnow()
            row.message_id = message_id
            row.last_error = None
        else:
            row.last_error = (error or "")[:2000]
        session.add(row)


def send_due(engine: Engine, settings: Settings, now: datetime, **options: object) -> SendReport:
    """What a scheduler calls every few minutes: send every digest that is due now."""
    with session_scope(engine) as session:
        due = due_digests(session, now, settings)
    return send_digests(engine, settings, due, now=now, **options)  # type: ignore[arg-type]


def unsubscribe(session: Session, token: str) -> Person | None:
    """Stop the weekly email for whoever holds this link's token (None: no such token)."""
    if not token:
        return None
    person = session.exec(select(Person).where(Person.unsubscribe_token == token)).first()
    if person is None:
        return None
    person.digest_unsubscribed = True
    session.add(person)
    session.flush()
    return person


def delivery_rows(session: Session, week: str | None = None) -> list[dict[str, object]]:
    """The delivery record, newest week first, for `gemba digest status`."""
    query = (
        select(DigestDelivery, Person.login)
        .join(Person, col(Person.id) == col(DigestDelivery.person_id))
        .order_by(col(DigestDelivery.week).desc(), col(Person.login))
    )
    if week is not None:
        query = query.where(DigestDelivery.week == week)
    return [
        {
            "week": row.week,
            "login": login,
            "status": row.status,
            "attempts": row.attempts,
            "sent_at": as_utc(row.sent_at),
            "message_id": row.message_id,
            "last_error": row.last_error,
        }
        for row, login in session.exec(query)
    ]
