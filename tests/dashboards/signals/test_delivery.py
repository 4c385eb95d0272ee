"""The four delivery keys on small, hand-checked histories (docs/metrics.md, "Delivery")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboards.signals.delivery.keys import (
    attribute,
    change_failure_rate,
    first_deployment_of,
    frequency,
    lead_times,
    time_to_restore,
    weekly_lead_time,
)
from dashboards.signals.delivery.model import Change, Deployment, Failure


def at(day: int, hour: int = 12) -> datetime:
    """March 2026: the 2nd is a Monday (week 2026-W10)."""
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def deploy(id: str, sha: str, when: datetime, commits: tuple[str, ...] = ()) -> Deployment:
    return Deployment(id, sha, when, "deployments", "production", commits)


# a1 <- m1 (PR 1) <- m2 (PR 2) <- h1 (hotfix); d1 ships a1..m1, d2 m2, d3 and d4 the hotfix
# twice (d4 has no new commits), d5 rolls back to m1 (nothing new either).
D1 = deploy("d1", "m1", at(2, 10), ("a1", "m1"))
D2 = deploy("d2", "m2", at(2, 16), ("m2",))
D3 = deploy("d3", "h1", at(4, 9), ("h1",))
D4 = deploy("d4", "h1", at(4, 11))
D5 = deploy("d5", "m1", at(10, 8))
DEPLOYMENTS = [D5, D3, D1, D4, D2]  # any order in, time order out


def test_frequency_counts_deployments_and_deployment_days_per_week():
    weeks = frequency(DEPLOYMENTS, at(2, 0), at(16, 0), "UTC")
    assert [(w.week, w.deployments, w.deployment_days) for w in weeks] == [
        ("2026-W10", 4, 2),
        ("2026-W11", 1, 1),
    ]
    assert weeks[0].deployment_ids == ("d1", "d2", "d3", "d4")


def test_frequency_shows_weeks_without_deployments_and_uses_the_team_zone():
    weeks = frequency(
        [deploy("late", "x", datetime(2026, 3, 8, 23, 30, tzinfo=UTC))],
        at(2, 0),
        at(23, 0),
        "Europe/Berlin",
    )
    assert [(w.week, w.deployments) for w in weeks] == [
        ("2026-W10", 0),
        ("2026-W11", 1),  # Sunday 23:30 UTC is Monday 00:30 in Berlin
        ("2026-W12", 0),
        ("2026-W13", 0),
    ]


PR1 = Change(
    1,
    "m1",
    merged_at=at(2, 9),
    opened_at=at(1, 9),
    first_commit_at=at(1, 5),
    first_review_at=at(1, 15),
)
PR2 = Change(2, "m2", merged_at=at(2, 14), opened_at=at(2, 11))
PR3 = Change(3, "never", merged_at=at(5, 9), opened_at=at(5, 8))


def test_lead_time_phases_end_at_the_first_deployment_containing_the_merge():
    lead = {item.number: item for item in lead_times([PR1, PR2, PR3], DEPLOYMENTS)}
    assert lead[1].deployment_id == "d1"
    assert lead[1].phases == {
        "coding": 4.0,
        "pickup": 6.0,
        "review": 18.0,
        "waiting_for_deploy": 1.0,
    }
    assert lead[1].total_hours == 29.0
    # no review: pickup runs to the merge, review is zero, coding unknown (no first commit)
    assert lead[2].phases == {
        "coding": None,
        "pickup": 3.0,
        "review": 0.0,
        "waiting_for_deploy": 2.0,
    }
    assert lead[2].total_hours == 5.0
    # merged, never deployed: no deployed time and no total, but still listed
    assert (lead[3].deployment_id, lead[3].total_hours) == (None, None)


def test_a_rollback_does_not_move_a_pr_to_a_later_deployment():
    assert first_deployment_of("m1", DEPLOYMENTS) is D1
    assert first_deployment_of("h1", DEPLOYMENTS) is D3  # the hotfix deployed twice: first


def test_weekly_lead_time_median_p75_and_phases():
    weeks = weekly_lead_time(lead_times([PR1, PR2, PR3], DEPLOYMENTS), "UTC")
    assert len(weeks) == 1
    week = weeks[0]
    assert (week.week, week.numbers) == ("2026-W10", (1, 2))
    assert (week.median_hours, week.p75_hours) == (17.0, 23.0)
    assert week.phase_median_hours == {
        "coding": 4.0,
        "pickup": 4.5,
        "review": 9.0,
        "waiting_for_deploy": 1.5,
    }


def test_change_failure_rate_counts_each_deployment_once_and_never_exceeds_one():
    failures = [
        Failure("incident", "issue #20", at(2, 11), restored_at=at(2, 13)),  # follows d1
        Failure("incident", "issue #21", at(2, 12)),  # d1 again, still open
        Failure("revert", "PR #9 reverts #2", at(3, 10), deployment_id="d2"),
        Failure("incident", "issue #19", at(1, 8), restored_at=at(1, 9)),  # before any deploy
        Failure("failed_status", "deployment 77 failure", at(4, 10), deployment_id="d77"),
    ]
    links = attribute(failures, DEPLOYMENTS)
    by_ref = {link.failure.ref: link for link in links}
    assert by_ref["issue #20"].deployment_id == "d1"
    assert by_ref["issue #21"].deployment_id == "d1"
    assert by_ref["PR #9 reverts #2"].deployment_id == "d2"
    assert by_ref["issue #19"].deployment_id is None
    # a status that failed on an attempt that never succeeded counts against what was live
    assert by_ref["deployment 77 failure"].deployment_id == "d3"
    rate = change_failure_rate(links, DEPLOYMENTS)
    assert rate.failed_deployment_ids == ("d1", "d2", "d3")
    assert rate.rate == pytest.approx(3 / 5)
    assert rate.unattributed == ("issue #19",)
    everything_fails = [Failure("incident", f"#{n}", at(4, 12)) for n in range(10)]
    assert change_failure_rate(attribute(everything_fails, [D1]), [D1]).rate == 1.0


def test_time_to_restore_is_the_close_or_the_next_deployment():
    failures = [
        Failure("incident", "issue #20", at(2, 11), restored_at=at(2, 13)),  # 2 h
        Failure("incident", "issue #21", at(2, 12)),  # open: not restored
        Failure("revert", "PR #9", at(3, 10), deployment_id="d2"),  # next deploy d3: 23 h
        Failure("failed_status", "deployment 77", at(10, 9)),  # nothing after: not restored
    ]
    links = {link.failure.ref: link for link in attribute(failures, DEPLOYMENTS)}
    assert links["issue #20"].restore_hours == 2.0
    assert links["issue #21"].restored_at is None
    assert (links["PR #9"].restored_at, links["PR #9"].restore_hours) == (at(4, 9), 23.0)
    assert links["deployment 77"].restore_hours is None
    assert time_to_restore(list(links.values())) == {"median_hours": 12.5, "p75_hours": 17.75}


def test_no_deployments_has_no_rate():
    assert change_failure_rate([], []).rate is None
