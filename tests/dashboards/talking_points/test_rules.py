"""Each talking-point rule at its boundary: exactly at the threshold says nothing, just past
it speaks. Signals are built by hand, so every number in a sentence can be checked by eye."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboards.talking_points import (
    CiHit,
    FlagItem,
    History,
    PersonSignals,
    PullWait,
    RiskFile,
    builds,
    load,
    talking_points,
    waits,
)

FULL = History(period_days=30, days=90)  # the three periods before, all there
SHORT = History(period_days=90, days=30)  # 90 days asked for, one month of data
DAY = datetime(2026, 11, 25, 9, tzinfo=UTC)


def signals(**fields: object) -> PersonSignals:
    fields.setdefault("history", FULL)
    return PersonSignals(login="chen", display_name="Chen Wei", **fields)  # type: ignore[arg-type]


def points(s: PersonSignals, *, own: bool = False) -> dict[str, str]:
    return {p.rule: p.text for p in talking_points(s, reader_is_person=own)}


def pull(number: int, pickup: float | None = None, waited: float | None = None) -> PullWait:
    return PullWait(
        "acme/api",
        number,
        f"PR {number}",
        f"https://x/{number}",
        pickup,
        waited is not None,
        waited,
    )


def hit(number: int) -> CiHit:
    return CiHit("acme/api", 100 + number, "CI", None, f"https://x/runs/{number}", number)


# Review load against the team ------------------------------------------------------------


def test_the_demo_reviewer_27_reviews_against_a_team_median_of_6_is_a_point() -> None:
    team = [27, 6, 6, 7, 2, 0]
    text = points(signals(reviews_given=27, team_reviews_given=team, own_usual_reviews_given=25))[
        "review_load"
    ]
    assert text == (
        "Chen gave 27 reviews on others' PRs: 4.5 times the team median of 6 and 56 % of the "
        "team's reviews (their usual 25, from the 3 months before). Is that load sustainable, "
        "or should it be shared?"
    )


def test_review_load_at_exactly_twice_the_team_median_is_no_point_just_over_it_is() -> None:
    at = signals(reviews_given=12, team_reviews_given=[12, 6, 6, 6, 6, 6, 6])  # 12 of 48: 25 %
    assert "review_load" not in points(at)
    past = signals(reviews_given=13, team_reviews_given=[13, 6, 6, 6, 6, 6, 6])
    assert points(past)["review_load"].startswith(
        "Chen gave 13 reviews on others' PRs: 2.2 times the team median of 6. Is that"
    )


def test_review_load_at_exactly_40_percent_of_the_team_is_no_point_just_over_it_is() -> None:
    at = signals(reviews_given=10, team_reviews_given=[10, 6, 6, 3])  # 10 of 25, median 6
    assert "review_load" not in points(at)
    past = signals(reviews_given=11, team_reviews_given=[11, 6, 6, 3])  # 11 of 26
    assert points(past)["review_load"].startswith(
        "Chen gave 11 reviews on others' PRs: 42 % of the team's reviews. Is"
    )


def test_review_load_needs_five_reviews_and_a_team_of_three() -> None:
    assert "review_load" not in points(signals(reviews_given=4, team_reviews_given=[4, 0, 0]))
    assert "review_load" in points(signals(reviews_given=5, team_reviews_given=[5, 0, 0]))
    assert "review_load" not in points(signals(reviews_given=9, team_reviews_given=[9, 1]))


def test_in_a_week_three_reviews_can_be_a_load() -> None:
    week = {"period_days": 7.0, "history": History(7, 56)}
    assert "review_load" not in points(
        signals(reviews_given=2, team_reviews_given=[2, 1, 0], **week)
    )
    text = points(
        signals(
            reviews_given=4,
            team_reviews_given=[4, 3, 0, 0, 0],
            own_usual_reviews_given=5.69,
            **week,
        )
    )["review_load"]
    assert text == (
        "Chen gave 4 reviews on others' PRs: 57 % of the team's reviews (their usual 5.7, from "
        "the 8 weeks before). Is that load sustainable, or should it be shared?"
    )
    three = signals(reviews_given=3, team_reviews_given=[3, 1, 0, 0, 0], **week)
    assert points(three)["review_load"].startswith(
        "Chen gave 3 reviews on others' PRs: 75 % of the team's reviews. Is"
    )


def test_review_load_against_their_own_usual_at_and_past_one_and_a_half_times() -> None:
    at = signals(reviews_given=6, own_usual_reviews_given=4.0)
    assert "review_load" not in points(at)
    past = signals(reviews_given=7, own_usual_reviews_given=4.0)
    assert points(past)["review_load"] == (
        "Chen gave 7 reviews on others' PRs, 1.8 times their usual of 4 (from the 3 months "
        "before). Is that load sustainable, or should it be shared?"
    )


def test_the_ratio_is_computed_from_the_usual_as_shown() -> None:
    text = points(signals(reviews_given=5, own_usual_reviews_given=1.38), own=True)["review_load"]
    assert "You gave 5 reviews on others' PRs, 3.6 times your usual of 1.4 " in text  # 5 / 1.4


def test_no_comparison_with_the_usual_on_too_little_history() -> None:
    short = signals(reviews_given=17, own_usual_reviews_given=3.0, history=SHORT)
    assert "review_load" not in points(short)  # 17 against "usual 3" would rest on one month
    text = points(
        signals(
            reviews_given=17,
            own_usual_reviews_given=3,
            team_reviews_given=[17, 4, 5, 6],
            history=SHORT,
        )
    )["review_load"]
    assert "usual" not in text and "times the team median of 5" in text


def test_history_says_what_the_usual_covers() -> None:
    assert History(30, 90).covers == "the 3 months before"
    assert History(14, 35).covers == "the 5 weeks before"
    assert History(14, 42).enough and not History(14, 13.9).enough
    assert not History(3, 6).enough  # under a week is never enough
    text = points(signals(reviews_given=7, own_usual_reviews_given=2, history=History(14, 35)))
    assert "(from the 5 weeks before)" in text["review_load"]


# Flaky builds and CI waiting against their usual ---------------------------------------------


def test_the_flaky_point_is_silent_when_nothing_is_unusual() -> None:
    usual = signals(
        ci_hits=[hit(1), hit(2), hit(3)],
        own_usual_ci_hits=3.0,
        ci_wait_hours=3.1,
        own_usual_ci_wait_hours=3.3,
        team_median_ci_wait_hours=2.7,
    )
    assert "flaky_builds" not in points(usual)


def test_flaky_pulls_at_and_past_twice_their_usual() -> None:
    at = signals(ci_hits=[hit(n) for n in range(1, 5)], own_usual_ci_hits=2.0)
    assert "flaky_builds" not in points(at)
    past = signals(ci_hits=[hit(n) for n in range(1, 6)], own_usual_ci_hits=2.0)
    [point] = [p for p in talking_points(past, reader_is_person=False) if p.rule == "flaky_builds"]
    assert point.text == (
        "Flaky builds hit 5 of Chen's PRs (their usual 2, from the 3 months before). "
        "Did re-running get in the way?"
    )
    assert [e.url for e in point.evidence] == [f"https://x/runs/{n}" for n in range(1, 6)]


def test_one_flaky_failure_is_no_pattern_and_without_a_usual_nothing_is_unusual() -> None:
    assert "flaky_builds" not in points(signals(ci_hits=[hit(1)], own_usual_ci_hits=0.0))
    assert "flaky_builds" in points(signals(ci_hits=[hit(1), hit(2)], own_usual_ci_hits=0.0))
    six = [hit(n) for n in range(1, 7)]
    assert "flaky_builds" not in points(signals(ci_hits=six, own_usual_ci_hits=0.5, history=SHORT))
    assert "flaky_builds" not in points(signals(ci_hits=six))  # no usual at all


def test_ci_wait_at_and_past_one_and_a_half_times_their_usual_and_the_team() -> None:
    at = signals(ci_wait_hours=3.0, own_usual_ci_wait_hours=2.0, team_median_ci_wait_hours=1.0)
    assert "flaky_builds" not in points(at)
    past = signals(ci_wait_hours=3.1, own_usual_ci_wait_hours=2.0, team_median_ci_wait_hours=1.0)
    assert points(past)["flaky_builds"] == (
        "Chen's PRs waited 3.1 hours on CI (their usual 2.0 hours, from the 3 months before; "
        "team median 1.0 hours). Is the build slowing them down?"
    )
    under_two = signals(ci_wait_hours=1.9, own_usual_ci_wait_hours=0.5)
    assert "flaky_builds" not in points(under_two)
    team_like = signals(
        ci_wait_hours=8.3, history=SHORT, own_usual_ci_wait_hours=0.7, team_median_ci_wait_hours=7.9
    )
    assert "flaky_builds" not in points(team_like)  # like the team; the usual is too short


def test_name_once_then_their_when_both_ci_parts_fire() -> None:
    text = points(
        signals(
            ci_hits=[hit(1), hit(2), hit(3)],
            own_usual_ci_hits=1.0,
            ci_wait_hours=8.0,
            own_usual_ci_wait_hours=2.0,
        )
    )["flaky_builds"]
    assert text == (
        "Flaky builds hit 3 of Chen's PRs (their usual 1, from the 3 months before). "
        "Their PRs waited 8.0 hours on CI (their usual 2.0 hours). Did re-running get in the way?"
    )
    assert text.count("Chen") == 1 and "((" not in text and ") (" not in text


# Pull requests waiting -----------------------------------------------------------------------


def test_long_pickup_at_and_past_twice_the_larger_reference() -> None:
    base = {"own_usual_pickup_hours": 12.0, "team_median_pickup_hours": 20.0}
    assert "long_pickup" not in points(signals(pulls=[pull(1, 40.0)], **base))
    past = points(signals(pulls=[pull(1, 40.1)], **base))["long_pickup"]
    assert past == (
        "PR #1 waited 40.1 hours for a first review (team median 20.0 hours; Chen's usual 12.0 "
        "hours, from the 3 months before). What got in the way?"
    )
    assert "long_pickup" not in points(signals(pulls=[pull(1, 23.9)]))  # under a day
    assert "long_pickup" in points(signals(pulls=[pull(1, 24.0)]))


def test_long_pickup_links_the_pr_it_names_first_then_those_it_counts() -> None:
    s = signals(pulls=[pull(34, 50.0), pull(22, 144.0), pull(17, 30.0)])
    [point] = [p for p in talking_points(s, reader_is_person=False) if p.rule == "long_pickup"]
    assert point.text == (
        "PR #22 waited 6.0 days for a first review. PR #34 and #17 waited long too. "
        "What got in the way?"
    )
    assert [e.label for e in point.evidence] == ["acme/api#22", "acme/api#34", "acme/api#17"]


def test_waiting_now_at_a_day_and_its_siblings() -> None:
    assert "waiting_now" not in points(signals(pulls=[pull(66, waited=23.9)]))
    assert "waiting_now" in points(signals(pulls=[pull(66, waited=24.0)]))  # a day is enough
    s = signals(pulls=[pull(66, waited=149.3), pull(70, waited=30.0)], team_median_pickup_hours=3.4)
    [point] = [p for p in talking_points(s, reader_is_person=False) if p.rule == "waiting_now"]
    assert point.text == (
        "PR #66 has been waiting 6.2 days for a review right now (team median pickup 3.4 hours). "
        "PR #70 is waiting too. Who could pick it up?"
    )
    assert [e.label for e in point.evidence] == ["acme/api#66", "acme/api#70"]


# Files and flags -----------------------------------------------------------------------------


def test_knowledge_risk_names_the_person_once_and_links_every_file_it_counts() -> None:
    s = signals(
        risk_files=[
            RiskFile("acme/api", "tests/test_ledger.py", "u2", "kai", 90),
            RiskFile("acme/api", "payments/ledger.py", "u1", "kai", 100),
        ]
    )
    [point] = [p for p in talking_points(s, reader_is_person=False) if p.rule == "knowledge_risk"]
    assert point.text == (
        "Chen worked in payments/ledger.py and 1 other such file, whose main author has not "
        "committed for 100 days. Is there someone to ask, or should what they learn be "
        "written down?"
    )
    assert [e.url for e in point.evidence] == ["u1", "u2"]


def flag(number: int, day: int, status: str = "open") -> FlagItem:
    return FlagItem(
        number,
        "review_wait",
        f"Flag {number}",
        status,
        DAY.replace(day=day),
        None,
        f"/flags/{number}",
    )


def test_an_open_flag_point_links_the_flag_it_quotes_then_the_ones_it_counts() -> None:
    s = signals(flags=[flag(11, 28), flag(10, 27), flag(1, 20), flag(9, 26, "acknowledged")])
    [point] = [p for p in talking_points(s, reader_is_person=False) if p.rule == "open_flags"]
    assert point.text == (
        "Chen's flag “Flag 1” (review wait) has been open since 20 Nov. 3 more are waiting "
        "for an answer. What would help?"
    )
    assert [e.url for e in point.evidence] == ["/flags/1", "/flags/9", "/flags/10", "/flags/11"]


def test_open_and_answered_flag_points_each_name_the_person() -> None:
    s = signals(flags=[flag(1, 20), flag(2, 21, "answered")])
    found = points(s)
    assert found["open_flags"].startswith("Chen's flag “Flag 1”")
    assert (
        found["answered_flags"] == "Chen's flag “Flag 2” was answered. Did the answer resolve it?"
    )


@pytest.mark.parametrize("own", [True, False])
def test_every_point_names_the_person_at_most_once(own: bool) -> None:
    s = signals(
        pulls=[pull(1, 80.0), pull(2, waited=50.0)],
        own_usual_pickup_hours=5.0,
        ci_hits=[hit(1), hit(2)],
        ci_wait_hours=9.0,
        own_usual_ci_wait_hours=1.0,
        reviews_given=30,
        team_reviews_given=[30, 5, 5],
        own_usual_reviews_given=10.0,
        risk_files=[RiskFile("acme/api", "a.py", None, "kai", 100)],
        flags=[flag(1, 20)],
    )
    found = talking_points(s, reader_is_person=own, limit=10)
    assert len(found) == 6
    for point in found:
        assert point.text.count("Chen") <= (0 if own else 1), point.text
        assert "((" not in point.text and ") (" not in point.text
        if own:
            assert "their" not in point.text.lower() and "they" not in point.text.lower()


def test_thresholds_are_the_documented_ones() -> None:
    assert (load.TEAM_MEDIAN_RATIO, load.TEAM_SHARE, load.REVIEW_LOAD_MIN) == (2.0, 0.4, 5)
    assert (builds.CI_WAIT_RATIO, builds.FLAKY_RATIO, waits.LONG_PICKUP_RATIO) == (1.5, 2.0, 2.0)


def test_a_team_median_of_none_is_no_reference() -> None:
    """Most of the team gave no review: twice nothing is not a load, the share still counts."""
    assert "review_load" not in points(signals(reviews_given=6, team_reviews_given=[6, 9, 0, 0, 0]))
    assert points(signals(reviews_given=9, team_reviews_given=[9, 6, 0, 0, 0]))[
        "review_load"
    ].startswith("Chen gave 9 reviews on others' PRs: 60 % of the team's reviews.")


def test_review_load_counted_beyond_a_short_period_says_over_what() -> None:
    short = signals(
        reviews_given=9,
        team_reviews_given=[9, 1, 2, 1, 0],
        period_days=5.3,
        reviews_window="the last 2 weeks",
    )
    assert points(short)["review_load"].startswith(
        "In the last 2 weeks, Chen gave 9 reviews on others' PRs: 9.0 times the team median of 1"
    )
    own = talking_points(short, reader_is_person=True)[0].text
    assert own.startswith("In the last 2 weeks, you gave 9 reviews")
    four = signals(reviews_given=4, team_reviews_given=[4, 0, 0], reviews_window="the last 2 weeks")
    assert "review_load" not in points(four)  # two weeks: the two-week minimum of 5
