"""A person's exceptions to their team's agreements as one talking point with its links."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.agreements import set_agreements
from app.core.models import Person, Team
from app.core.settings import Settings
from dashboards.pages.parts import PageNotFoundError
from dashboards.pages.person import person_page
from dashboards.signals.agreements import AgreementException
from dashboards.talking_points import PersonSignals, talking_points
from dashboards.talking_points.agreements import sentence
from tests.dashboards.reports.test_agreements import NOW, collected  # noqa: F401

AT = datetime(2026, 11, 3, 9, tzinfo=UTC)


def _waited(number: int, hours: float, **extra: object) -> AgreementException:
    return AgreementException(
        rule="first_review_hours",
        limit=24,
        value=hours,
        unit="hours",
        item=f"acme/api#{number}",
        at=AT,
        repo="acme/api",
        pull_number=number,
        url=f"https://github.example/acme/api/pull/{number}",
        person="ann",
        **extra,  # type: ignore[arg-type]
    )


def test_the_sentence_says_the_item_the_value_and_the_line() -> None:
    assert sentence(_waited(412, 31)) == (
        "#412 waited 31 hours for a first review; the team agreed on 24"
    )
    assert sentence(_waited(9, 24 + 1 / 60)).startswith("#9 waited 24.0 hours")
    assert "has waited 30 hours so far" in sentence(_waited(15, 30, ongoing=True))
    assert sentence(_waited(16, 47.9)).startswith("#16 waited 47.9 hours for")
    assert sentence(_waited(72, 155.5, ongoing=True)) == (  # as every other wait: days from 48 h
        "#72 has waited 6.5 days so far for a first review; the team agreed on 24 hours"
    )
    flaky = AgreementException(
        rule="flaky_percent",
        limit=5,
        value=12.5,
        unit="percent",
        item="acme/api:CI:2026-11-03",
        at=AT,
        repo="acme/api",
        workflow="CI",
    )
    assert sentence(flaky) == (
        "CI on acme/api was flaky in 12.5 % over the 7 days to 03 Nov; the team agreed on 5"
    )


def test_one_point_links_every_exception_and_leaves_the_expected_out() -> None:
    signals = PersonSignals(
        login="ann",
        display_name="Ann Lee",
        agreement_exceptions=[
            _waited(412, 31),
            _waited(413, 40),
            _waited(414, 50),
            _waited(415, 60, expected=True, expected_reason="release week"),
        ],
    )
    [point] = [p for p in talking_points(signals, reader_is_person=False, limit=10)]
    assert point.rule == "agreement_exceptions"
    assert "#412 waited 31 hours for a first review; the team agreed on 24" in point.text
    assert "Ann's work" in point.text and "1 more" in point.text
    assert [e.label for e in point.evidence] == ["acme/api#412", "acme/api#413", "acme/api#414"]
    assert point.evidence[0].url == "https://github.example/acme/api/pull/412"
    only_expected = PersonSignals(
        login="ann", display_name="Ann", agreement_exceptions=[_waited(1, 30, expected=True)]
    )
    assert talking_points(only_expected, reader_is_person=True) == []


def test_the_person_page_turns_their_exceptions_into_a_point(
    session: Session,
    collected: Settings,  # noqa: F811
) -> None:
    core = session.exec(select(Team).where(Team.name == "core")).one()
    assert core.id is not None
    set_agreements(session, core.id, {"pr_size_lines": 400}, by="mia")
    mia = session.exec(select(Person).where(Person.login == "mia")).one()
    viewer = Viewer(person_id=mia.id or 0, login="mia")
    page = person_page(session, viewer, "ann", "30d", NOW, collected)
    [point] = [p for p in page.talking_points if p.rule == "agreement_exceptions"]
    assert "#11 changed 401 lines; the team agreed on 400" in point.text
    assert [e.label for e in point.evidence] == ["acme/api#11"]
    bob = person_page(session, viewer, "bob", "30d", NOW, collected)
    assert not [p for p in bob.talking_points if p.rule == "agreement_exceptions"]
    ann = session.exec(select(Person).where(Person.login == "ann")).one()
    own = person_page(session, Viewer(ann.id or 0, "ann"), "ann", "30d", NOW, collected)
    [mine] = [p for p in own.talking_points if p.rule == "agreement_exceptions"]
    assert "your work" in mine.text and "#11 changed 401 lines" in mine.text
    bob_person = session.exec(select(Person).where(Person.login == "bob")).one()
    with pytest.raises(PageNotFoundError):  # a teammate never sees ann's talking points
        person_page(session, Viewer(bob_person.id or 0, "bob"), "ann", "30d", NOW, collected)
