"""The 1:1 openings for a director's talk with each manager: each fires only on what is
unusual for that team, names the team (never a person) and links its evidence."""

from __future__ import annotations

from dashboards.talking_points.org import Crossing, TeamSignals, Waiting, team_points


def _rules(signals: TeamSignals) -> list[str]:
    return [p.rule for p in team_points(signals, limit=10)]


def test_a_quiet_team_gets_no_point() -> None:
    quiet = TeamSignals("payments", "/teams/payments", phases={"pickup": (3.0, 2.5)})
    assert team_points(quiet) == []


def test_a_phase_much_slower_than_the_teams_usual() -> None:
    slow = TeamSignals("payments", "/teams/payments", phases={"pickup": (12.0, 4.0)})
    [point] = team_points(slow)
    assert point.rule == "org_slower_phase"
    assert "payments" in point.text and "usual" in point.text
    assert point.evidence[0].url == "/teams/payments#chart-review_flow"
    short = TeamSignals("payments", "/teams/payments", phases={"pickup": (3.5, 1.0)})
    assert team_points(short) == []  # under half a working day is not worth a 1:1 minute


def test_waits_now_link_each_pr_and_crossings_name_teams() -> None:
    signals = TeamSignals(
        "payments",
        "/teams/payments",
        waiting=[
            Waiting("acme/pay", 7, "https://github.com/acme/pay/pull/7", 50.0),
            Waiting("acme/pay", 8, None, 2.0),
        ],
        crossings=[Crossing("platform", 4, 30.0, 1)],
    )
    points = {p.rule: p for p in team_points(signals)}
    assert [e.label for e in points["org_waiting_now"].evidence] == ["acme/pay#7"]
    assert "waits on reviews from platform" in points["org_crossing"].text


def test_at_most_four_points_most_unusual_first() -> None:
    busy = TeamSignals(
        "payments",
        "/teams/payments",
        phases={"pickup": (40.0, 4.0), "review": (20.0, 5.0)},
        waiting=[Waiting("acme/pay", 7, None, 100.0)],
        flaky_wait_hours=12.0,
        exceptions={"first_review_hours": 3},
        flags={"tooling": 2},
    )
    points = team_points(busy)
    assert len(points) == 4
    assert [p.weight for p in points] == sorted((p.weight for p in points), reverse=True)
    assert "org_flaky" in _rules(busy)


def _team(**fields: object) -> TeamSignals:
    return TeamSignals("payments", "/teams/payments", **fields)  # type: ignore[arg-type]


def test_slower_phase_at_and_past_one_and_a_half_times_its_usual_from_half_a_day() -> None:
    assert _rules(_team(phases={"pickup": (6.0, 4.0)})) == []  # exactly 1.5 times
    [point] = team_points(_team(phases={"pickup": (6.1, 4.0)}))
    assert point.text == (
        "In payments, the wait for first review took a median of 6.1 hours, against its usual "
        "4.0 hours. What changed?"
    )
    assert _rules(_team(phases={"review": (3.9, 1.0)})) == []  # under half a working day
    assert _rules(_team(phases={"review": (4.0, 1.0)})) == ["org_slower_phase"]
    assert _rules(_team(phases={"merge": (9.0, None), "pickup": (None, 2.0)})) == []


def test_waiting_now_from_a_day_and_flaky_from_half_a_day() -> None:
    assert _rules(_team(waiting=[Waiting("acme/pay", 7, None, 23.9)])) == []
    assert _rules(_team(waiting=[Waiting("acme/pay", 7, None, 24.0)])) == ["org_waiting_now"]
    assert _rules(_team(flaky_wait_hours=3.9)) == []
    assert _rules(_team(flaky_wait_hours=4.0)) == ["org_flaky"]


def test_a_crossing_from_a_day_of_pickup_or_one_pr_waiting_now() -> None:
    assert _rules(_team(crossings=[Crossing("platform", 4, 23.9, 0)])) == []
    assert _rules(_team(crossings=[Crossing("platform", 4, 24.0, 0)])) == ["org_crossing"]
    assert _rules(_team(crossings=[Crossing("platform", 4, 2.0, 1)])) == ["org_crossing"]
    assert _rules(_team(crossings=[Crossing("platform", 4, None, 0)])) == []


def test_agreements_and_flags_from_the_first_one() -> None:
    assert _rules(_team(exceptions={"first_review_hours": 0}, flags={"tooling": 0})) == []
    assert sorted(_rules(_team(exceptions={"first_review_hours": 1}, flags={"tooling": 1}))) == [
        "org_agreements",
        "org_flags",
    ]
