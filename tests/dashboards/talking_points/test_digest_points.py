"""The digest's top point per report follows the page's rules: review load against the
manager's reports (the team) in the digest week, and the usual over the weeks it covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.models import Person
from app.core.settings import Settings
from dashboards.digest.points import Sections, top_point
from dashboards.digest.signals import ReviewSection
from dashboards.digest.week import history, parse_week
from dashboards.queries.reviews import GivenReview

WEEKS = history(parse_week("2026-W47"))  # Monday 16 November 2026, and the 8 weeks before
TEAM = {1: {"chen"}, 2: {"bruno"}, 3: {"dara"}, 4: {"kai"}, 5: {"emeka"}}


def review(reviewer: str, at: datetime, author: str = "dara") -> GivenReview:
    return GivenReview(reviewer, False, author, at, 1)


def reviews_by(reviewer: str, count: int, week: int, author: str = "dara") -> list[GivenReview]:
    start = WEEKS[week].utc_start + timedelta(hours=9)
    return [review(reviewer, start + timedelta(hours=n), author) for n in range(count)]


def point_for(login: str, person_id: int, given: list[GivenReview]) -> str | None:
    person = Person(id=person_id, login=login, name=f"{login.title()} Example")
    sections = Sections(WEEKS, ReviewSection(given=given), None, None, team_logins=TEAM)
    found = top_point(person, [], {login}, set(), sections, Settings())
    return found.text if found else None


def test_the_busy_reviewer_is_the_digest_point_against_the_team() -> None:
    given = reviews_by("chen", 6, 0) + reviews_by("bruno", 2, 0, author="chen")
    given += [r for week in range(1, 9) for r in reviews_by("chen", 6, week)]  # always busy
    text = point_for("chen", 1, given)
    assert text == (
        "Chen gave 6 reviews on others' PRs: 75 % of the team's reviews (their usual 6, from "
        "the 8 weeks before). Is that load sustainable, or should it be shared?"
    )


def test_a_usual_from_fewer_weeks_says_so_and_none_under_a_week() -> None:
    given = reviews_by("chen", 6, 0) + reviews_by("chen", 2, 3)  # first review 3 weeks before
    text = point_for("chen", 1, given) or ""
    assert "(their usual 0.7, from the 3 weeks before)" in text  # 2 reviews over 3 weeks
    fresh = point_for("chen", 1, reviews_by("chen", 6, 0))  # no history before the week
    assert fresh is not None and "usual" not in fresh


def test_three_reviews_in_a_week_at_and_past_40_percent() -> None:
    at = reviews_by("chen", 4, 0) + reviews_by("bruno", 6, 0, author="chen")  # 4 of 10
    assert point_for("chen", 1, at) is None
    past = reviews_by("chen", 4, 0) + reviews_by("bruno", 5, 0, author="chen")  # 4 of 9
    assert (point_for("chen", 1, past) or "").startswith(
        "Chen gave 4 reviews on others' PRs: 44 % of the team's reviews."
    )
    assert datetime(2026, 11, 16, tzinfo=UTC) <= WEEKS[0].utc_end
