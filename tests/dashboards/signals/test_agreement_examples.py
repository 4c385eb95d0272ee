"""The worked examples of docs/metrics.md, "Working agreements", run through the rules: each
rule's line (exactly N is not an exception, past it is), value and date as written there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.settings import Settings
from dashboards.queries.ci_rows import RuleAttempt
from dashboards.queries.reviews import PullRow, ReviewRow
from dashboards.signals.agreements import (
    Targets,
    ci_exceptions,
    pull_exceptions,
    queue_exceptions,
)
from dashboards.signals.reviews.flow import flows_from
from dashboards.signals.reviews.rules import flow_rules

MONDAY = datetime(2026, 11, 2, 9, tzinfo=UTC)  # 09:00
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
RULES = flow_rules(Settings(), "UTC")


def pull(
    number: int, *, reviews: tuple[tuple[str, str, datetime], ...] = (), **fields: Any
) -> PullRow:
    merged = fields.pop("merged", None)
    row = {
        "id": number,
        "repository": "acme/pay",
        "number": number,
        "title": f"PR {number}",
        "html_url": None,
        "author_login": "ann",
        "author_is_bot": False,
        "state": "closed" if merged else "open",
        "draft": False,
        "created_at": MONDAY,
        "ready_at": MONDAY,
        "first_commit_at": None,
        "merged_at": merged,
        "closed_at": merged,
        "additions": 10,
        "deletions": 0,
        "changed_files": 1,
        "labels": (),
        "requested_reviewers": (),
        "reviews": tuple(ReviewRow(who, False, state, at) for who, state, at in reviews),
        "comments": (),
        "events": (),
    }
    row.update(fields)
    if row["draft"]:
        row["ready_at"] = None
    return PullRow(**row)


def found(rows: list[PullRow], targets: dict[str, Any], now: datetime) -> set[tuple[Any, ...]]:
    flows = flows_from(rows, **RULES, working_phases=False)
    return {
        (e.item.split("#")[1], e.value, e.at, e.ongoing)
        for e in pull_exceptions(flows, Targets(targets), RULES["calendar"], now)
    }


def test_review_hours() -> None:
    first = ("ben", "CHANGES_REQUESTED", MONDAY + HOUR)
    commented = ("ben", "COMMENTED", MONDAY + HOUR)
    rows = [
        pull(420, reviews=(first, ("ben", "APPROVED", MONDAY + 25 * HOUR))),
        pull(421, reviews=(first, ("ben", "APPROVED", MONDAY + 25 * HOUR + timedelta(minutes=1)))),
        pull(422, reviews=(commented,), merged=MONDAY + 49 * HOUR),
        pull(423, reviews=(commented,)),
        pull(424),
    ]
    tuesday_10 = MONDAY + 25 * HOUR
    assert found(rows, {"review_hours": 24}, MONDAY + 6 * DAY) == {
        ("421", 24.02, tuesday_10, False),
        ("422", 48.0, tuesday_10, False),
        ("423", 143.0, tuesday_10, True),
    }


def test_pr_size_lines() -> None:
    rows = [
        pull(430, additions=300, deletions=100),
        pull(431, additions=301, deletions=100),
        pull(432, additions=900, draft=True),
    ]
    assert found(rows, {"pr_size_lines": 400}, MONDAY + DAY) == {("431", 401, MONDAY, False)}


def test_open_days() -> None:
    rows = [
        pull(440, merged=MONDAY + 4 * DAY),
        pull(441, merged=MONDAY + 4 * DAY + timedelta(minutes=1)),
        pull(442),
    ]
    friday_9 = MONDAY + 4 * DAY
    assert found(rows, {"open_days": 4}, MONDAY + 5 * DAY) == {
        ("441", 4.001, friday_9, False),
        ("442", 5.0, friday_9, True),
    }


def test_merge_without_review() -> None:
    merged = MONDAY + 2 * HOUR  # 11:00
    rows = [
        pull(450, reviews=(("ben", "APPROVED", MONDAY + HOUR),), merged=merged),
        pull(
            451,
            reviews=(("ann", "APPROVED", MONDAY + HOUR), ("ben", "COMMENTED", MONDAY + HOUR)),
            merged=merged,
        ),
        pull(452, reviews=(("ben", "APPROVED", MONDAY + 3 * HOUR),), merged=merged),
    ]
    assert found(rows, {"merge_without_review": True}, MONDAY + DAY) == {
        ("451", None, merged, False),
        ("452", None, merged, False),
    }


def test_the_queue_rules() -> None:
    rows = [pull(460 + n, author_login="dan", requested_reviewers=("cleo",)) for n in range(6)]
    rows.append(pull(470, author_login="dan", requested_reviewers=("cleo",), draft=True))
    rows += [pull(480 + n, author_login="eve") for n in range(3)]
    flows = flows_from(rows, **RULES, working_phases=False)
    members = {"cleo": "cleo", "dan": "dan", "eve": "eve"}
    now = MONDAY + DAY

    def queues(rule: str, limit: int) -> set[tuple[str, float | None]]:
        return {
            (e.item, e.value) for e in queue_exceptions(flows, members, Targets({rule: limit}), now)
        }

    assert queues("pending_reviews_per_person", 5) == {("@cleo", 6)}
    assert queues("pending_reviews_per_person", 6) == set()
    assert queues("wip_prs_per_person", 3) == {("@dan", 6)}  # Eve's three are not past 3


FRIDAY_NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


def attempt(
    n: int, minutes: int, conclusion: str = "success", sha: str | None = None, rerun: bool = False
) -> RuleAttempt:
    at = FRIDAY_NOON - 3 * DAY + n * HOUR
    return RuleAttempt(
        repo="acme/pay",
        workflow="CI",
        workflow_id=1,
        head_sha=sha or f"{n:040d}",
        run_id=n,
        attempt=2 if rerun else 1,
        created_at=at,
        started_at=at,
        updated_at=at + timedelta(minutes=minutes),
        status="completed",
        conclusion=conclusion,
        html_url=f"https://github.com/acme/pay/actions/runs/{n}/attempts/{2 if rerun else 1}",
    )


def read(rows: list[RuleAttempt], rule: str, limit: float) -> list[tuple[Any, ...]]:
    week = FRIDAY_NOON - 7 * DAY
    return [
        (e.item, e.value, e.at)
        for e in ci_exceptions(rows, Targets({rule: limit}), week, FRIDAY_NOON, FRIDAY_NOON)
    ]


def test_ci_p90_minutes() -> None:
    minutes = [5, 6, 7, 8, 9, 10, 11, 12, 14]
    assert read([attempt(n, m) for n, m in enumerate([*minutes, 20])], "ci_p90_minutes", 15) == []
    slowest = [attempt(n, m) for n, m in enumerate([*minutes, 25])]
    assert read(slowest, "ci_p90_minutes", 15) == [("acme/pay:CI:2026-11-20", 15.1, FRIDAY_NOON)]


def test_flaky_percent() -> None:
    rows = [attempt(n, 10, "failure" if n < 2 else "success") for n in range(20)]
    rows += [attempt(n, 10, sha=rows[n].head_sha, rerun=True) for n in range(2)]  # then passed
    assert read(rows, "flaky_percent", 10) == []  # 2 of 20: 10 %
    assert read([*rows, attempt(30, 3, "cancelled")], "flaky_percent", 10) == []  # no verdict
    nineteen = [r for r in rows if r.run_id != 19]
    assert read(nineteen, "flaky_percent", 10) == [("acme/pay:CI:2026-11-20", 10.53, FRIDAY_NOON)]
