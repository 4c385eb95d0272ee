"""POST /slack/interactions: Slack's signature checked (good, bad, stale, replayed), and a
prompt's Yes becoming a friction flag on the right PR; a No is kept as "not in my way"."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session, select

from app.core.models import FrictionFlag, NudgeDelivery, Person, PromptAnswer
from app.http.main import create_app
from app.nudges.send import send_nudges
from app.nudges.slack import web_client
from tests import world as rows
from tests.app.sandbox.slack.conftest import slack

__all__ = ["slack"]
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def prompted(engine, session: Session, slack, settings):
    """Ada's PR #7 waited 30 h for bob's review; the prompt went to her; returns its row."""
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    bob = rows.make_person(session, "bob", slack_user_id="U0BOB0001")
    mia = rows.make_person(session, "mia")
    rows.make_team(session, "Payments", manager=mia, members=[ada, bob])
    repo = rows.make_repo(session)
    rows.make_pull(
        session,
        repo,
        "ada",
        number=6,
        ready_at=NOW - timedelta(hours=3),
        first_review_at=NOW - timedelta(hours=2),
    )
    rows.make_pull(
        session,
        repo,
        "ada",
        number=7,
        ready_at=NOW - timedelta(hours=31),
        first_review_at=NOW - timedelta(hours=1),
    )
    session.commit()
    report = send_nudges(engine, web_client("xoxb-sandbox", slack.url), NOW, settings)
    assert [(n.kind, n.recipient) for n in report.sent] == [("prompt", "ada")]
    [message] = slack.workspace.messages
    assert "Did this get in your way?" in message["blocks"][0]["text"]["text"]
    with Session(engine) as db:
        return db.exec(select(NudgeDelivery)).one()


@pytest.fixture
def client(settings):
    with TestClient(
        create_app(settings.model_copy(update={"slack_signing_secret": SecretStr(SECRET)}))
    ) as c:
        yield c


def _click(client, action: str, delivery_id: int, *, user="U0ADA0001", secret=SECRET, at=None):
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action, "value": str(delivery_id)}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return client.post("/slack/interactions", content=body, headers=headers)


def _answers(engine):
    with Session(engine) as db:
        return db.exec(select(PromptAnswer)).all(), db.exec(select(FrictionFlag)).all()


def test_a_yes_becomes_a_review_wait_flag_on_that_pr_and_a_replay_changes_nothing(
    engine, prompted, client
):
    assert _click(client, "prompt_yes", prompted.id).status_code == 200
    assert _click(client, "prompt_yes", prompted.id).status_code == 200  # Slack retries
    answers, flags = _answers(engine)
    assert [a.answer for a in answers] == ["yes"]
    [flag] = flags
    assert (flag.category, flag.repo, flag.pull_number, flag.anonymous) == (
        "review_wait",
        "acme/shop",
        7,
        False,
    )
    assert answers[0].flag_id == flag.id


def test_an_anonymous_yes_raises_an_anonymous_flag_not_tied_to_the_answer(engine, prompted, client):
    assert _click(client, "prompt_anonymous", prompted.id).status_code == 200
    [answer], [flag] = _answers(engine)
    assert flag.anonymous and answer.flag_id is None


def test_a_no_is_kept_as_not_in_my_way_without_a_flag(engine, prompted, client):
    assert _click(client, "prompt_no", prompted.id).status_code == 200
    answers, flags = _answers(engine)
    assert [a.answer for a in answers] == ["no"] and flags == []


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "not-the-secret"}, {"at": time.time() - 10 * 60}],
    ids=["bad", "stale"],
)
def test_a_bad_or_stale_signature_gets_401_and_stores_nothing(engine, prompted, client, kwargs):
    assert _click(client, "prompt_yes", prompted.id, **kwargs).status_code == 401
    assert _answers(engine) == ([], [])


def test_someone_else_cannot_answer_anothers_prompt(engine, prompted, client):
    assert _click(client, "prompt_yes", prompted.id, user="U0BOB0001").status_code == 400
    assert _answers(engine) == ([], [])


def _api(engine, client, login: str, of: str = "ada"):
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.login == login)).one()
        token = rows.make_token(db, person)
        db.commit()
    return client.get(f"/api/v1/people/{of}/nudges", headers={"Authorization": f"Bearer {token}"})


def test_the_api_lists_sent_nudges_and_answers_anonymous_ones_only_to_the_person(
    engine, prompted, client
):
    _click(client, "prompt_anonymous", prompted.id)
    own = _api(engine, client, "ada").json()
    assert [n["kind"] for n in own["sent"]] == ["prompt"]
    assert [a["answer"] for a in own["answers"]] == ["anonymous"]
    manager = _api(engine, client, "mia").json()
    assert [n["kind"] for n in manager["sent"]] == ["prompt"] and manager["answers"] == []
    assert _api(engine, client, "bob").status_code == 404


def _page(engine, client, login: str, of: str = "ada") -> str:
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.login == login)).one()
        token = rows.make_token(db, person)
        db.commit()
    response = client.get(f"/people/{of}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.text


def test_the_person_page_sets_what_they_felt_beside_the_data(engine, prompted, client):
    _click(client, "prompt_yes", prompted.id)
    assert "1 of your 1 long wait got in your way" in _page(engine, client, "ada")
    assert "1 of 1 long wait got in their way (named answers)" in _page(engine, client, "mia")


def test_an_anonymous_answer_shows_only_on_the_persons_own_page(engine, prompted, client):
    _click(client, "prompt_anonymous", prompted.id)
    assert "1 of your 1 long wait got in your way" in _page(engine, client, "ada")
    assert 'id="felt"' not in _page(engine, client, "mia")


def _post_switch(engine, client, login: str, of: str, **form):
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.login == login)).one()
        token = rows.make_token(db, person)
        db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    return client.post(f"/people/{of}/nudges", data=form, headers=headers, follow_redirects=False)


def test_a_person_switches_their_own_nudges_on_their_page_and_nobody_else_can(
    engine, prompted, client
):
    assert (
        _post_switch(engine, client, "ada", "ada", switch="off", kind="prompt").status_code == 303
    )
    assert "Off: prompt." in _page(engine, client, "ada")
    assert _post_switch(engine, client, "mia", "ada", switch="on").status_code == 404
    assert _post_switch(engine, client, "ada", "ada", switch="off", kind="loud").status_code == 422
    assert _post_switch(engine, client, "ada", "ada", switch="on").status_code == 303
    assert "On." in _page(engine, client, "ada")
    assert 'id="nudges"' not in _page(engine, client, "mia")
