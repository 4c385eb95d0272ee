"""What a digest says: the team's numbers agree with the signal functions, and only the
manager's reports appear; quiet weeks say so; a manager without reports gets nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.core.models import Repository
from app.core.settings import Settings
from dashboards.digest.build import developer_digest, manager_digest, render
from dashboards.digest.week import resolve_week
from dashboards.reports.ci import ci_health, flaky_report, time_lost
from dashboards.reports.review_flow import pull_flows, waiting_now
from dashboards.signals.reviews.flow import phase_stats
from tests import world
from tests.dashboards.digest.org import NOW, SECRET, WEEK, build_org, person, pull, team


def _texts(data: object) -> str:
    message = render(data)  # type: ignore[arg-type]
    return "\n".join(str(part.get_content()) for part in message.iter_parts())


def test_manager_numbers_match_the_signals(session: Session, settings: Settings) -> None:
    org = build_org(session)
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    week = resolve_week(WEEK, NOW, data.start.tzinfo)  # Payments' week, Berlin midnights

    flows = pull_flows(
        session, settings=settings, authors=["bob", "carol"], since=week.utc_start,
        until=week.utc_end, timezone="Europe/Berlin",
    )  # fmt: skip
    merged = [f for f in flows if f.merged_at and week.utc_start <= f.merged_at < week.utc_end]
    pickup = phase_stats(merged, "pickup").median_hours
    assert pickup == 5.0
    assert data.metric("pickup_hours").this_week == pickup  # type: ignore[union-attr]
    assert data.metric("prs_merged").this_week == len(merged) == 1  # type: ignore[union-attr]
    assert data.metric("prs_merged").last_week == 0  # type: ignore[union-attr]
    assert data.metric("review_wait_hours").this_week == 5.0  # type: ignore[union-attr]

    waiting = waiting_now(session, now=NOW, settings=settings, authors=["bob", "carol"])
    assert [(w.number, w.waiting_hours) for w in data.waiting_now] == [
        (p.number, round(p.waited_hours, 1)) for p in waiting.on_reviewer
    ]
    assert [w.number for w in data.waiting_now] == [2]

    health = ci_health(session, repo="acme/payments", since=week.utc_start, until=week.utc_end)
    stats = [s for h in health for s in h.weeks]
    assert len(stats) == 1 and stats[0].success_rate is not None
    assert data.metric("ci_success_pct").this_week == round(100 * stats[0].success_rate, 1)
    assert data.metric("ci_success_pct").this_week == 66.7  # type: ignore[union-attr]
    flaky = flaky_report(session, repo="acme/payments", since=week.utc_start, until=week.utc_end)
    assert flaky.flaky_rate == 0.5
    assert data.metric("flaky_pct").this_week == 50.0  # type: ignore[union-attr]
    lost = time_lost(session, repo="acme/payments", since=week.utc_start, until=week.utc_end)
    assert data.metric("flaky_lost_hours").this_week == round(  # type: ignore[union-attr]
        lost.waited.total_seconds() / 3600, 1
    )

    assert data.metric("flags_new").this_week == 2  # type: ignore[union-attr]
    assert data.metric("flags_answered").this_week == 1  # type: ignore[union-attr]
    assert data.metric("flags_new").last_week == 1  # type: ignore[union-attr]
    assert data.flags_open_now == 2

    assert [(f.repo, f.path) for f in data.hotspots] == [("acme/payments", "pay/ledger.py")]
    assert "new in the top 10" in data.hotspots[0].reason
    assert [f.path for f in data.knowledge_risk] == ["pay/legacy.py"]
    assert "olga" not in data.knowledge_risk[0].reason  # no names of people outside the team


def test_no_other_teams_data_appears(session: Session, settings: Settings) -> None:
    org = build_org(session)
    alice = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    dave = manager_digest(session, org.people["dave"], WEEK, settings, NOW)
    assert alice is not None and dave is not None
    assert alice.teams == ["Payments"] and dave.teams == ["Search"]
    text = _texts(alice)
    assert SECRET not in text and "erin" not in text.lower()
    assert SECRET in _texts(dave)  # the marker is really there, in its own team's digest
    assert dave.metric("flags_new").this_week == 3  # type: ignore[union-attr]
    assert dave.metric("ci_success_pct").this_week == 0.0  # type: ignore[union-attr]


def test_a_manager_without_reports_gets_no_digest(session: Session, settings: Settings) -> None:
    org = build_org(session)
    assert manager_digest(session, org.people["frank"], WEEK, settings, NOW) is None
    assert manager_digest(session, org.people["bob"], WEEK, settings, NOW) is None


def test_a_quiet_week_gets_a_short_digest_that_says_so(
    session: Session, settings: Settings
) -> None:
    boss, quiet = person(session, "grace"), person(session, "heidi")
    team(session, "Quiet", boss, [quiet], "UTC")
    build_org(session)  # other teams are busy; this one is not
    data = manager_digest(session, boss, WEEK, settings, NOW)
    assert data is not None and data.quiet
    assert data.subject == f"Gemba Walk {WEEK}: Quiet (a quiet week)"
    text = _texts(data)
    assert "A quiet week" in text
    assert SECRET not in text and "ledger" not in text


def test_sections_without_collected_data_say_so(session: Session, settings: Settings) -> None:
    boss, report = person(session, "ivan"), person(session, "judy")
    team(session, "Fresh", boss, [report], "UTC")
    data = manager_digest(session, boss, WEEK, settings, NOW)
    assert data is not None
    assert "review flow (pull requests)" in data.missing and "CI runs" in data.missing
    assert data.metric("pickup_hours") is None  # not collected is not zero
    assert "Not collected yet: review flow (pull requests), CI runs" in _texts(data)


def test_developer_digest_holds_their_queues_and_flag_answers(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    data = developer_digest(session, org.people["bob"], WEEK, settings, NOW)
    assert [(p.repo, p.number) for p in data.review_requests] == [("acme/payments", 2)]
    assert data.own_waiting == []
    assert [f.answer for f in data.flag_answers] == ["We added a retry budget and a second runner."]
    assert data.metrics == [] and not data.quiet
    carol = developer_digest(session, org.people["carol"], WEEK, settings, NOW)
    assert [p.number for p in carol.own_waiting] == [2]
    waited = (NOW - (carol.start + timedelta(days=3, hours=9))).total_seconds() / 3600
    assert carol.own_waiting[0].waiting_hours <= round(waited, 1) + 1
    assert carol.flag_answers == []


def test_unknown_people_do_not_break_a_digest(session: Session, settings: Settings) -> None:
    lone = world.make_person(session, "kim", name=None, email=None)
    data = developer_digest(session, lone, None, settings, NOW)
    assert data.week == "2026-W47" and data.recipient_email is None


def test_each_report_gets_their_top_talking_point_in_name_order(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    assert [p.login for p in data.talking_points] == ["bob", "carol"]  # by name, not ranked
    bob, carol = data.talking_points
    assert "Runner queue too long" in bob.text  # bob's open flag
    assert bob.text.startswith(f"{bob.name}'s flag")  # the manager reads it, not bob
    assert carol.text.startswith("PR #2 has been waiting 6.1 days for a review right now")
    assert carol.evidence_url == "https://github.example.test/acme/payments/pull/2"
    assert carol.page_url == f"{settings.base_url}/people/carol"
    dave = manager_digest(session, org.people["dave"], WEEK, settings, NOW)
    assert dave is not None and [p.login for p in dave.talking_points] == ["erin"]


def test_a_developer_with_a_quiet_week_is_told_so(session: Session, settings: Settings) -> None:
    build_org(session)
    quiet = person(session, "liam", digest_opt_in=True)
    data = developer_digest(session, quiet, WEEK, settings, NOW)
    assert data.quiet and data.subject == f"Gemba Walk {WEEK}: your week (a quiet week)"
    text = _texts(data)
    assert "A quiet week" in text and "Nobody is waiting on your review" in text
    assert SECRET not in text and "Retry card captures" not in text


def test_text_from_the_data_is_escaped_in_html(session: Session, settings: Settings) -> None:
    org = build_org(session)
    repo = session.exec(select(Repository).where(Repository.name == "acme/payments")).one()
    pull(
        session,
        repo,
        9,
        org.people["bob"],
        NOW - timedelta(days=2),
        title="<script>alert(1)</script> & <b>bold</b>",
        reviewers=["carol"],
    )
    session.commit()
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    html = render(data).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script" not in html and "<b>" not in html


def test_a_skip_level_manager_sees_every_level_below_and_nothing_else(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    vera = person(session, "vera")
    team(session, "Leads", vera, [org.people["alice"]], "Europe/Berlin")
    session.commit()
    data = manager_digest(session, vera, WEEK, settings, NOW)
    assert data is not None
    assert data.teams == ["Leads", "Payments"]
    assert [p.login for p in data.talking_points] == ["bob", "carol"]  # alice has nothing
    assert data.metric("flags_new").this_week == 2  # type: ignore[union-attr]
    assert SECRET not in _texts(data)
