"""One week rule (dashboards.signals.weeks): a Berlin team's Monday 00:30 is Monday's week on
the team page, in the CI health weeks and in the digest alike, not the UTC week before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.core.settings import Settings
from dashboards.digest.week import week_of as digest_week
from dashboards.pages.reviews import team_reviews
from dashboards.periods import Period, iso_week, weeks_between
from dashboards.queries.ci_rows import AttemptRow
from dashboards.signals.ci.health import workflow_health
from dashboards.signals.weeks import week_bounds, week_label, week_start
from tests import world as f

BERLIN = "Europe/Berlin"
# Sunday 22 November 2026, 23:30 UTC = Monday 23 November, 00:30 in Berlin (CET, UTC+1)
MONDAY_0030_BERLIN = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_monday_half_past_midnight_in_berlin_is_mondays_week() -> None:
    assert week_label(MONDAY_0030_BERLIN, BERLIN) == "2026-W48"
    assert week_label(MONDAY_0030_BERLIN) == "2026-W47"  # UTC: still Sunday
    assert week_start(MONDAY_0030_BERLIN, BERLIN) == date(2026, 11, 23)
    start, end = week_bounds(date(2026, 11, 23), BERLIN)
    assert start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC) and end - start == timedelta(days=7)
    assert start <= MONDAY_0030_BERLIN < end
    # a minute before Berlin's midnight is still the week before
    assert week_label(datetime(2026, 11, 22, 22, 59, tzinfo=UTC), BERLIN) == "2026-W47"


def test_pages_digest_and_ci_count_it_in_the_same_week(
    session: Session, settings: Settings
) -> None:
    repo = f.make_repo(session)
    alice = f.make_person(session, "alice")
    f.make_person(session, "bob")
    f.make_team(session, "payments", manager=None, members=[alice], timezone=BERLIN)
    f.make_pull(
        session,
        repo,
        "alice",
        number=7,
        ready_at=MONDAY_0030_BERLIN - timedelta(hours=3),
        first_review_at=MONDAY_0030_BERLIN,
        merged_at=MONDAY_0030_BERLIN + timedelta(hours=1),
    )
    session.flush()
    period = Period("30d", "30 days", NOW - timedelta(days=30), NOW)

    # the team page's weekly chart of hours waited for a first review
    page = team_reviews(
        session,
        team_logins={"alice"},
        repository=None,
        period=period,
        now=NOW,
        settings=settings,
        timezone=BERLIN,
    )
    assert page is not None
    waited = dict(
        zip(
            page.waiting_hours.weeks,
            page.waiting_hours.series["Waiting for a first review"],
            strict=True,
        )
    )
    assert waited["2026-W48"] == 3.0 and waited["2026-W47"] == 0.0
    assert page.trend.weeks == ["2026-W48"]  # merged in Berlin's Monday week

    # the digest's week for the same moment in the team's zone
    week = digest_week(MONDAY_0030_BERLIN, ZoneInfo(BERLIN))
    assert week.label == "2026-W48" and week.start <= MONDAY_0030_BERLIN < week.end

    # CI health weeks, as pages and `GET /api/v1/ci/health?team=` count them
    attempt = AttemptRow(
        repo="acme/shop",
        run_id=1,
        attempt=1,
        workflow_id=1,
        workflow="tests",
        head_sha="a" * 40,
        head_branch="main",
        event="push",
        status="completed",
        conclusion="success",
        created_at=MONDAY_0030_BERLIN,
        started_at=MONDAY_0030_BERLIN,
        updated_at=MONDAY_0030_BERLIN + timedelta(minutes=5),
        actor="alice",
        triggering_actor="alice",
        person="alice",
        pull_numbers=(),
        html_url=None,
        on_default_branch=True,
    )
    [health] = workflow_health([attempt], [], now=NOW, timezone=BERLIN)
    assert [w.week for w in health.weeks] == [date(2026, 11, 23)]
    [utc] = workflow_health([attempt], [], now=NOW)
    assert [w.week for w in utc.weeks] == [date(2026, 11, 16)]

    # and the period helpers the pages label their charts with
    assert iso_week(MONDAY_0030_BERLIN, BERLIN) == "2026-W48"
    assert weeks_between(period.start, period.end, BERLIN)[-1] == "2026-W48"
