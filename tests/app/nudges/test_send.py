"""review_waiting nudges through slack_sdk against the stand-in: boundary, hours, cap, opt-out,
update in place and exactly-once across a kill between the post and the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.core.agreements import AgreementError, check_value, parse_assignment, set_agreements
from app.core.models import NudgeDelivery, NudgeOptOut
from app.core.people import import_people
from app.core.people_file import PeopleError
from app.core.settings import Settings
from app.nudges import send
from app.nudges.slack import web_client
from tests import world as rows

MONDAY_10_UTC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def org(session: Session):
    ada = rows.make_person(session, "ada", slack_user_id="U0ADA0001")
    bob = rows.make_person(session, "bob", slack_user_id="U0BOB0001")
    team = rows.make_team(
        session, "Payments", manager=None, members=[ada, bob], slack_channel="C0PAYMENTS1"
    )
    repo = rows.make_repo(session)
    session.commit()
    return {"ada": ada, "bob": bob, "team": team, "repo": repo}


def _pull(session, org, *, hours_ago: float, now=MONDAY_10_UTC, reviewers=("bob",), number=1):
    pull = rows.make_pull(
        session,
        org["repo"],
        "ada",
        number=number,
        ready_at=now - timedelta(hours=hours_ago),
        requested_reviewers=list(reviewers),
    )
    session.commit()
    return pull


def _send(engine, slack, settings, now=MONDAY_10_UTC, **kw):
    quiet = settings.model_copy(update={"digest_hour": 23})  # no team_daily note in these
    return send.send_nudges(engine, web_client("xoxb-sandbox", slack.url), now, quiet, **kw)


def _posts(slack):
    return [m for m in slack.workspace.messages]


def test_the_agreement_is_the_boundary(engine, session, slack, settings, org):
    set_agreements(session, org["team"].id, {"first_review_hours": 8}, by="test")
    session.commit()
    _pull(session, org, hours_ago=8)  # exactly at the line is not past it
    assert _send(engine, slack, settings).sent == []
    report = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=1))
    assert [n.recipient for n in report.sent] == ["bob"]
    [message] = _posts(slack)
    assert message["channel"].startswith("D") and "PR #1" in message["text"]


def test_without_an_agreement_24_hours_and_the_team_channel_when_nobody_was_asked(
    engine, session, slack, settings, org
):
    _pull(session, org, hours_ago=23.5, reviewers=())
    assert _send(engine, slack, settings).sent == []
    assert [
        n.recipient
        for n in _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(hours=1)).sent
    ] == ["#Payments"]
    assert _posts(slack)[0]["channel"] == "C0PAYMENTS1"


def test_a_weekend_and_a_time_zone_wait_for_the_next_working_hour(
    engine, session, slack, settings, org
):
    org["team"].timezone = "America/New_York"
    session.add(org["team"])
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    _pull(session, org, hours_ago=30, now=saturday)
    assert _send(engine, slack, settings, now=saturday).waiting[0][1] == "outside working hours"
    # 12:30 UTC is 08:30 in New York (summer time from 8 March), working hours in London
    before_nine = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)
    assert _send(engine, slack, settings, now=before_nine).sent == []
    assert len(_send(engine, slack, settings, now=before_nine + timedelta(minutes=30)).sent) == 1


def test_at_most_the_daily_cap_of_dms_then_the_next_day(engine, session, slack, settings, org):
    for number in range(1, 6):
        _pull(session, org, hours_ago=30, number=number)
    assert len(_send(engine, slack, settings).sent) == 3
    assert len(_send(engine, slack, settings).sent) == 0
    assert len(_send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(days=1)).sent) == 2


def test_a_person_who_switched_nudges_off_gets_none(engine, session, slack, settings, org):
    session.add(NudgeOptOut(person_id=org["bob"].id, kind="review_waiting"))
    session.commit()
    _pull(session, org, hours_ago=30)
    assert _send(engine, slack, settings).waiting[0][1] == "switched off"
    assert _posts(slack) == []


def test_the_nudge_is_updated_in_place_when_the_review_lands(engine, session, slack, settings, org):
    pull = _pull(session, org, hours_ago=30)
    _send(engine, slack, settings)
    rows.make_review(session, pull, "bob", at=MONDAY_10_UTC + timedelta(minutes=5))
    session.commit()
    assert _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=10)).updated == 1
    waiting, prompt = _posts(slack)  # the reviewer's nudge, then the author's prompt
    assert "has its first review now" in waiting["text"] and len(waiting["edits"]) == 1
    assert "Did this get in your way?" in prompt["blocks"][0]["text"]["text"]
    assert _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=20)).updated == 0


def test_a_slack_5xx_is_retried_next_run_and_sent_once(engine, session, slack, settings, org):
    _pull(session, org, hours_ago=30)
    slack.workspace.inject("chat.postMessage", 500, times=3)
    assert len(_send(engine, slack, settings).failed) == 1
    assert len(_send(engine, slack, settings).sent) == 1
    assert len(_send(engine, slack, settings).sent) == 0
    assert len(_posts(slack)) == 1


def _killed(*args, **kwargs):
    raise SystemExit("killed")


def _cut(engine, slack, settings, monkeypatch, where=None) -> None:
    """A first run killed in Slack's post (before Slack has it) or, by default, right after it."""
    if where is None:
        monkeypatch.setattr(send, "mark_sent", _killed)
    else:
        monkeypatch.setattr(where, "chat_postMessage", _killed)
    with pytest.raises(SystemExit):
        _send(engine, slack, settings)
    monkeypatch.undo()


def _statuses(engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(NudgeDelivery.status)))


def test_a_kill_between_the_post_and_the_record_never_posts_twice_and_is_recorded(
    engine, session, slack, settings, org, monkeypatch
):
    _pull(session, org, hours_ago=30)
    _cut(engine, slack, settings, monkeypatch)
    # a run in the next minutes may be the killed one's twin: it leaves the row alone
    again = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=5))
    assert again.sent == [] and len(again.uncertain) == 1 and _statuses(engine) == ["sending"]
    later = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=11))
    assert later.sent == [] and [n.recipient for n in later.resumed] == ["bob"]
    [message] = _posts(slack)  # Slack's history had it: recorded, not posted again
    assert message["metadata"]["event_type"] == "gemba_nudge"
    with Session(engine) as db:
        row = db.exec(select(NudgeDelivery)).one()
        assert (row.status, row.ts, row.channel) == ("sent", message["ts"], message["channel"])
    assert _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=30)).resumed == []


def test_a_kill_before_slack_accepted_the_post_loses_nothing(
    engine, session, slack, settings, org, monkeypatch
):
    _pull(session, org, hours_ago=30)
    _cut(engine, slack, settings, monkeypatch, send.WebClient)
    assert _posts(slack) == [] and _statuses(engine) == ["sending"]
    later = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=11))
    assert [n.recipient for n in later.sent] == ["bob"] and len(_posts(slack)) == 1
    assert _statuses(engine) == ["sent"]


def test_two_runs_resuming_at_once_post_once(engine, session, slack, settings, org, monkeypatch):
    _pull(session, org, hours_ago=30)
    _cut(engine, slack, settings, monkeypatch, send.WebClient)
    with Session(engine) as first, Session(engine) as second:
        stale = MONDAY_10_UTC + timedelta(minutes=11)
        row_a = first.exec(select(NudgeDelivery)).one()
        row_b = second.exec(select(NudgeDelivery)).one()
        assert send.resume.take_over(first, row_a, stale)
        assert not send.resume.take_over(second, row_b, stale)


def test_a_channel_the_bot_may_not_read_stays_uncertain_and_is_never_posted_twice(
    engine, session, slack, settings, org, monkeypatch
):
    _pull(session, org, hours_ago=30)
    _cut(engine, slack, settings, monkeypatch)
    slack.workspace.inject("conversations.history", 500)
    no_retries = web_client("xoxb-sandbox", slack.url, retries=0)
    stale = MONDAY_10_UTC + timedelta(minutes=11)
    later = send.send_nudges(
        engine, no_retries, stale, settings.model_copy(update={"digest_hour": 23})
    )
    assert len(later.uncertain) == 1 and len(_posts(slack)) == 1
    resumed = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=22)).resumed
    assert len(resumed) == 1 and len(_posts(slack)) == 1


def test_a_dry_run_sends_and_stores_nothing(engine, session, slack, settings, org):
    _pull(session, org, hours_ago=30)
    assert len(_send(engine, slack, settings, dry_run=True).would_send) == 1
    assert _posts(slack) == []
    with Session(engine) as db:
        assert db.exec(select(NudgeDelivery)).all() == []


def test_prompts_at_most_one_a_day_and_only_after_a_wait_past_the_agreement(
    engine, session, slack, settings, org
):
    for number, waited in [(1, 30), (2, 40), (3, 23)]:
        pull = _pull(session, org, hours_ago=waited + 1, number=number)
        rows.make_review(session, pull, "bob", at=MONDAY_10_UTC - timedelta(hours=1))
    session.commit()
    report = _send(engine, slack, settings)
    assert [n.kind for n in report.sent] == ["prompt"]  # PR 3 waited 23 h: no prompt
    assert [why for _, why in report.waiting] == ["one prompt a day"]
    tomorrow = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(days=1))
    assert len(tomorrow.sent) == 1 and tomorrow.waiting == []


def test_working_hours_are_a_setting_across_a_weekend_in_the_teams_zone(
    engine, session, slack, settings, org
):
    org["team"].timezone = "Asia/Tokyo"
    session.add(org["team"])
    late = settings.model_copy(update={"nudges_working_hours": "13:30-21:00", "workweek": "sun"})
    friday_noon_tokyo = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
    _pull(session, org, hours_ago=30, now=friday_noon_tokyo)
    assert _send(engine, slack, late, now=friday_noon_tokyo).waiting[0][1] == (
        "outside working hours"
    )
    sunday_13_tokyo = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)  # Saturday 23:00 in London
    assert _send(engine, slack, late, now=sunday_13_tokyo).sent == []
    opens = sunday_13_tokyo + timedelta(minutes=30)
    assert [n.recipient for n in _send(engine, slack, late, now=opens).sent] == ["bob"]


@pytest.mark.parametrize("hours", ["17:00-09:00", "9-5", "09:00"])
def test_working_hours_that_are_not_a_daytime_span_are_refused(settings, hours):
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        Settings(nudges_working_hours=hours)


def test_a_teams_nudge_hours_agreement_comes_before_the_setting(
    engine, session, slack, settings, org
):
    set_agreements(session, org["team"].id, {"nudge_hours": "10:30-18:00"}, by="test")
    session.commit()
    _pull(session, org, hours_ago=30)
    assert _send(engine, slack, settings).waiting[0][1] == "outside working hours"
    later = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=30))
    assert [n.recipient for n in later.sent] == ["bob"]
    assert parse_assignment("nudge_hours=08:00-16:00") == ("nudge_hours", "08:00-16:00")
    with pytest.raises(AgreementError, match="HH:MM-HH:MM"):
        check_value("nudge_hours", "18:00-10:00")


def test_the_agreement_counts_working_days_and_leaves_out_excluded_labels(
    engine, session, slack, settings, org
):
    agreed = {"first_review_hours": 4, "working_hours": True, "exclude_labels": ["release"]}
    set_agreements(session, org["team"].id, agreed, by="test")
    friday_22 = datetime(2026, 2, 27, 22, 0, tzinfo=UTC)
    first = _pull(session, org, hours_ago=0, now=friday_22)
    released = _pull(session, org, hours_ago=0, now=friday_22, number=2)
    released.labels = ["release"]
    session.add(released)
    session.commit()
    # 2 hours on Friday, none at the weekend: the line is passed on Monday at 02:00
    before = _send(engine, slack, settings, now=MONDAY_10_UTC - timedelta(hours=8, minutes=1))
    assert before.waiting == [] and before.sent == []
    report = _send(engine, slack, settings)
    assert [(n.recipient, n.item) for n in report.sent] == [("bob", f"pr:{first.id}")]


def test_a_cut_send_no_longer_due_is_recorded_if_slack_has_it_and_never_sent_late(
    engine, session, slack, settings, org, monkeypatch
):
    pull = _pull(session, org, hours_ago=30)
    other = _pull(session, org, hours_ago=30, number=2)
    _cut(engine, slack, settings, monkeypatch)  # PR 1's nudge went out, its record did not
    with Session(engine) as db:
        assert db.exec(select(NudgeDelivery.status)).all() == ["sending"]
    _cut(engine, slack, settings, monkeypatch, send.WebClient)  # PR 2's never reached Slack
    for reviewed in (pull, other):
        rows.make_review(session, reviewed, "bob", at=MONDAY_10_UTC + timedelta(minutes=1))
    session.commit()
    later = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(minutes=11))
    assert [n.item for n in later.resumed] == [f"pr:{pull.id}"] and later.sent[0].kind == "prompt"
    with Session(engine) as db:
        kept = {r.item: r.status for r in db.exec(select(NudgeDelivery)) if r.kind != "prompt"}
    assert kept == {f"pr:{pull.id}": "updated", f"pr:{other.id}": "failed"}
    assert not any("PR #2" in m["text"] for m in _posts(slack))  # never sent after its time


def test_a_persons_own_nudge_hours_from_the_people_file_come_first(
    engine, session, slack, settings, org
):
    team = {"name": "Payments", "members": ["ada", "bob"], "slack_channel": "C0PAYMENTS1"}
    people = [{"login": "ada"}, {"login": "bob", "nudge_hours": "12:00-16:00"}]
    import_people(session, {"teams": [team], "people": people})
    set_agreements(session, org["team"].id, {"nudge_hours": "08:00-18:00"}, by="test")
    session.commit()
    _pull(session, org, hours_ago=30)
    assert _send(engine, slack, settings).waiting[0][1] == "outside working hours"
    noon = _send(engine, slack, settings, now=MONDAY_10_UTC + timedelta(hours=2))
    assert [n.recipient for n in noon.sent] == ["bob"]
    with pytest.raises(PeopleError, match="HH:MM-HH:MM"):
        import_people(session, {"people": [{"login": "ada", "nudge_hours": "9 to 5"}]})
