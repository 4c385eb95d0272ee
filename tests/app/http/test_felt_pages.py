"""What people said when asked in Slack, on the pages: the person's own counts for them and their
manager only (named answers), and the team's share with anonymous answers only from three up."""

from __future__ import annotations

import html

from sqlmodel import Session, select

from app.core.models import NudgeDelivery, Person
from tests import world as rows
from tests.app.http.test_slack_interactions import _click, client, prompted, slack

__all__ = ["client", "prompted", "slack"]


def _prompt(engine, login: str, item: str) -> int:
    """One more prompt that went out to `login` (as the sender records it)."""
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.login == login)).one()
        row = NudgeDelivery(
            kind="prompt",
            recipient=login,
            person_id=person.id,
            item=item,
            stretch="2026-03-01",
            day="2026-03-02",
            text="Your PR waited long.",
            status="sent",
        )
        db.add(row)
        db.commit()
        return row.id


def _get(engine, client, login: str, path: str):
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.login == login)).one()
        token = rows.make_token(db, person, is_admin=login == "root")
        db.commit()
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def _text(engine, client, login: str, path: str) -> str:
    return html.unescape(_get(engine, client, login, path).text)


def test_the_team_page_shows_its_share_with_anonymous_answers_from_three_up(
    engine, prompted, client
):
    _click(client, "prompt_yes", prompted.id)
    _click(client, "prompt_no", _prompt(engine, "ada", "pr:1"))
    for n in range(2):
        _click(client, "prompt_anonymous", _prompt(engine, "bob", f"pr:{n + 2}"), user="U0BOB0001")
    page = _text(engine, client, "bob", "/teams/Payments")
    assert "1 of the team's 2 long waits (50 %) got in the way" in page
    _click(client, "prompt_anonymous", _prompt(engine, "bob", "pr:9"), user="U0BOB0001")
    page = _text(engine, client, "mia", "/teams/Payments")
    assert "4 of the team's 5 long waits (80 %) got in the way" in page
    _click(client, "prompt_no", _prompt(engine, "ada", "run:77"))
    page = _text(engine, client, "mia", "/teams/Payments")
    assert "5 long waits (80 %) and 0 of the team's 1 flaky failure (0 %) got in" in page
    own = _text(engine, client, "ada", "/people/ada")
    assert "1 of your 2 long waits and 0 of your 1 flaky failure got in your way" in own


def test_the_team_page_says_nothing_before_an_answer_or_with_two_anonymous_ones(
    engine, prompted, client
):
    assert 'id="team-felt"' not in _get(engine, client, "bob", "/teams/Payments").text
    for n in range(2):
        _click(client, "prompt_anonymous", _prompt(engine, "bob", f"pr:{n + 2}"), user="U0BOB0001")
    assert 'id="team-felt"' not in _get(engine, client, "bob", "/teams/Payments").text


def test_a_persons_counts_are_theirs_and_their_managers_only(engine, prompted, client, session):
    _click(client, "prompt_yes", prompted.id)
    rows.make_person(session, "root")
    session.commit()
    assert (
        "1 of your 1 long wait got in your way" in _get(engine, client, "ada", "/people/ada").text
    )
    assert "got in their way" in _get(engine, client, "mia", "/people/ada").text
    for other in ("bob", "root"):  # a teammate, an admin: the page (if any) without the counts
        response = _get(engine, client, other, "/people/ada")
        assert 'id="felt"' not in response.text and "got in" not in response.text
