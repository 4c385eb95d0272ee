"""The manager's digest carries the week's exceptions to each team's agreements: counts per
rule and the items, expected ones marked and left out of the counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.agreements import mark_expected, set_agreements
from app.core.models import Person, Team
from app.core.settings import Settings
from dashboards.digest.build import manager_digest, render_parts
from dashboards.digest.delivery import all_due, send_digests
from tests.dashboards.digest.smtp_server import SmtpServer, mail_fields
from tests.dashboards.reports.test_agreements import MONDAY, NOW, collected  # noqa: F401

WEEK = "2026-W45"  # Monday 2 November 2026, the scenario's first week


def test_the_weeks_exceptions_per_team_with_counts_and_items(
    session: Session,
    collected: Settings,  # noqa: F811
) -> None:
    core = session.exec(select(Team).where(Team.name == "core")).one()
    assert core.id is not None
    set_agreements(session, core.id, {"review_hours": 10, "pr_size_lines": 400}, by="mia")
    mark_expected(session, core.id, "pr_size_lines", "acme/api#11", "generated code", by="mia")
    mia = session.exec(select(Person).where(Person.login == "mia")).one()
    data = manager_digest(session, mia, WEEK, collected, NOW)
    assert data is not None and data.start == MONDAY
    [week] = data.agreements
    assert (week.team, week.counts) == ("core", {"review_hours": 1})
    assert week.url.endswith("/teams/core#agreements")
    texts = [line.text for line in week.lines]
    assert "#9 took 10.0 hours from its first review to approval; the team agreed on 10" in texts
    [size] = [line for line in week.lines if line.rule == "pr_size_lines"]
    assert size.expected and size.expected_reason == "generated code"
    text, html = render_parts(data)
    assert "Team core: review_hours 1" in text
    assert "(expected: generated code)" in text and "generated code" in html
    later = manager_digest(session, mia, "2026-W47", collected, NOW)
    assert later is not None and later.agreements == []


def test_the_sent_email_lists_the_weeks_exceptions_for_the_team(
    engine: Engine,
    session: Session,
    collected: Settings,  # noqa: F811
    smtp: SmtpServer,
    certificate: tuple[Path, Path],
) -> None:
    core = session.exec(select(Team).where(Team.name == "core")).one()
    assert core.id is not None
    set_agreements(session, core.id, {"review_hours": 10, "pr_size_lines": 400}, by="mia")
    mia = session.exec(select(Person).where(Person.login == "mia")).one()
    mia.email = "mia@example.test"
    session.add(mia)
    session.commit()
    mail = collected.model_copy(update=mail_fields(smtp, certificate[0]))
    due = all_due(session, WEEK, NOW, mail)
    assert [d.login for d in due] == ["mia"]
    assert send_digests(engine, mail, due, now=NOW).ok
    [received] = smtp.received
    assert received.tls and received.authenticated
    parts = {p.get_content_type(): p.get_content() for p in received.message.iter_parts()}
    for body in parts.values():
        assert "review_hours 1" in body and "pr_size_lines 1" in body
        assert "https://gemba.example.test/teams/core#agreements" in body
    plain = parts["text/plain"]
    assert "#9 took 10.0 hours from its first review to approval; the team agreed on 10" in plain
    assert "#11 changed 401 lines; the team agreed on 400" in plain
