"""Digests go out through a real SMTP server (STARTTLS + AUTH), once per recipient and week."""

from __future__ import annotations

from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import DigestDelivery
from app.core.settings import Settings
from dashboards.digest.delivery import all_due, claim, send_digests
from tests.dashboards.digest.org import NOW, SECRET, WEEK, build_org
from tests.dashboards.digest.smtp_server import SmtpServer, authenticate, free_port


def _due(session: Session, settings: Settings) -> list:
    return all_due(session, WEEK, NOW, settings)


def _parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_each_recipient_gets_one_multipart_email_over_starttls_with_auth(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    org = build_org(session)
    due = _due(session, mail_settings)
    # managers with reports (alice, dave) and bob who opted in; frank's team is empty
    assert sorted(d.login for d in due) == ["alice", "bob", "dave"]

    report = send_digests(engine, mail_settings, due, now=NOW)

    assert report.ok and len(report.sent) == 3
    assert all(r.tls and r.authenticated for r in smtp.received)
    by_rcpt = {r.rcpt_tos[0]: r for r in smtp.received}
    assert set(by_rcpt) == {"alice@example.test", "bob@example.test", "dave@example.test"}
    alice = by_rcpt["alice@example.test"]
    assert alice.mail_from == "gemba@example.test"
    message = alice.message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == f"Gemba Walk {WEEK}: Payments"
    assert message["To"] == "Alice <alice@example.test>"
    session.refresh(org.people["alice"])
    token = org.people["alice"].unsubscribe_token
    assert token
    unsubscribe = f"https://gemba.example.test/api/v1/unsubscribe/{token}"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    parts = _parts(message)
    for body in parts.values():
        assert unsubscribe in body
        assert "https://gemba.example.test/teams/Payments" in body
        assert f"https://gemba.example.test/api/v1/digest/preview?week={WEEK}" in body
        assert SECRET not in body
    html = parts["text/html"]
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "<link" not in html.lower() and "<style" not in html.lower()  # styles are inline
    rows = session.exec(select(DigestDelivery)).all()
    assert {(r.person_id, r.week, r.status) for r in rows} == {
        (org.people[login].id, WEEK, "sent") for login in ("alice", "bob", "dave")
    }
    assert all(r.message_id and r.sent_at for r in rows)


def test_a_rerun_sends_nothing_twice(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    build_org(session)
    first = send_digests(engine, mail_settings, _due(session, mail_settings), now=NOW)
    second = send_digests(engine, mail_settings, _due(session, mail_settings), now=NOW)
    assert len(first.sent) == 3
    assert second.sent == [] and len(second.already_sent) == 3 and second.ok
    assert len(smtp.received) == 3


def test_server_stopped_halfway_loses_nothing_and_sends_nothing_twice(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    build_org(session)
    due = _due(session, mail_settings)
    waits: list[float] = []

    def stop_after_first(event: str, _item: object, _detail: str) -> None:
        if event == "sent" and len(smtp.received) == 1:
            smtp.stop()

    report = send_digests(
        engine,
        mail_settings,
        due,
        now=NOW,
        retries=2,
        backoff_seconds=0.5,
        sleep=waits.append,
        progress=stop_after_first,
    )

    assert [d.login for d in report.sent] == [due[0].login]
    assert [d.login for d, _ in report.pending] == [d.login for d in due[1:]]
    assert "ConnectionRefused" in report.pending[0][1] or "refused" in report.pending[0][1]
    assert waits == [0.5, 1.0]  # backoff doubles between retries
    assert not report.ok
    statuses = {r.person_id: r.status for r in session.exec(select(DigestDelivery))}
    assert sorted(statuses.values()) == ["failed", "sent"]  # the third was never claimed

    smtp.start()  # the server returns
    again = send_digests(engine, mail_settings, _due(session, mail_settings), now=NOW)
    assert again.ok
    assert [d.login for d in again.already_sent] == [due[0].login]
    assert sorted(d.login for d in again.sent) == sorted(d.login for d in due[1:])
    recipients = sorted(r.rcpt_tos[0] for r in smtp.received)
    assert recipients == sorted(f"{d.login}@example.test" for d in due)  # each exactly once


def test_a_retry_after_the_server_returns_finishes_the_run(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    build_org(session)
    due = _due(session, mail_settings)
    smtp.stop()
    report = send_digests(
        engine, mail_settings, due, now=NOW, retries=3, sleep=lambda _s: smtp.start()
    )
    assert report.ok and len(report.sent) == 3 and len(smtp.received) == 3
    attempts = {r.attempts for r in session.exec(select(DigestDelivery))}
    assert attempts == {1, 2}  # the first message needed a second attempt, the rest one


def test_dry_run_sends_and_records_nothing(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    build_org(session)
    report = send_digests(
        engine, mail_settings, _due(session, mail_settings), now=NOW, dry_run=True
    )
    assert all(s.startswith(f"Gemba Walk {WEEK}") for _, s in report.would_send)
    assert len(report.would_send) == 3
    assert smtp.received == []
    assert session.exec(select(DigestDelivery)).all() == []


def test_a_send_cut_off_midway_is_uncertain_until_resent_with_the_same_id(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    org = build_org(session)
    alice = org.people["alice"]
    session.add(DigestDelivery(person_id=alice.id, week=WEEK, status="sending"))  # process died
    session.commit()
    due = [d for d in _due(session, mail_settings) if d.login == "alice"]
    report = send_digests(engine, mail_settings, due, now=NOW)
    assert [d.login for d in report.uncertain] == ["alice"] and not report.ok
    assert smtp.received == []
    again = send_digests(engine, mail_settings, due, now=NOW, resend_uncertain=True)
    assert again.ok and [d.login for d in again.sent] == ["alice"]
    assert (
        smtp.received[0].message["Message-ID"] == f"<gemba-digest.{WEEK}.{alice.id}@example.test>"
    )


def test_implicit_tls_with_auth(
    engine: Engine, session: Session, mail_settings: Settings, smtp: SmtpServer
) -> None:
    build_org(session)
    port = free_port()
    controller = Controller(
        smtp.recorder,
        hostname="127.0.0.1",
        port=port,
        ssl_context=smtp.context,
        authenticator=authenticate,
        auth_require_tls=False,  # the whole connection is TLS already
    )
    controller.start()
    try:
        tls = mail_settings.model_copy(
            update={"smtp_port": port, "smtp_ssl": True, "smtp_starttls": False}
        )
        report = send_digests(engine, tls, _due(session, tls), now=NOW)
    finally:
        controller.stop()
    assert report.ok and len(smtp.received) == 3
    assert all(r.authenticated for r in smtp.received)


def test_of_two_runs_racing_for_a_row_only_one_claims_it(
    engine: Engine, session: Session, mail_settings: Settings
) -> None:
    build_org(session)
    item = next(d for d in _due(session, mail_settings) if d.login == "bob")
    session.add(DigestDelivery(person_id=item.person_id, week=item.week))
    session.commit()
    assert claim(engine, item) is True
    assert claim(engine, item) is False  # the other run sees it taken
    assert claim(engine, item, resend_uncertain=True) is True  # only when told to
