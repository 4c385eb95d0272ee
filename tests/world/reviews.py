"""Review-flow scenarios for acme/api on the GitHub stand-in: `Scenario`, a small language for
pull requests, reviews, comments and timeline events, and `build()`, the folder with one pull
request per review-flow case, with the numbers each must give (`EXPECTED`).

Monday 2026-11-02 is day 0; every time is "hour H of that Monday" in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.world.github import (
    make_commit,
    make_pull,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
)

OWNER, REPO = "acme", "api"
FULL_NAME = f"{OWNER}/{REPO}"
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
BOT = make_user("dependabot[bot]", "Bot")


def t(hour: float) -> str:
    return (MONDAY + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def dt(hour: float) -> datetime:
    return MONDAY + timedelta(hours=hour)


def review(number: int, who: str | dict[str, Any], state: str, hour: float) -> dict[str, Any]:
    """A review of acme/api#`number` submitted at `hour`."""
    return make_review(OWNER, REPO, number, reviewer=who, state=state, submitted_at=t(hour))


class Scenario:
    """Pull requests of acme/api and what happened to them, as the stand-in's files."""

    def __init__(self) -> None:
        self.pulls: list[dict[str, Any]] = []
        self.reviews: dict[str, list[dict[str, Any]]] = {}
        self.review_comments: dict[str, list[dict[str, Any]]] = {}
        self.pull_commits: dict[str, list[dict[str, Any]]] = {}
        self.timelines: dict[str, list[dict[str, Any]]] = {}

    def pull(
        self,
        number: int,
        author: str | dict[str, Any] = "ann",
        *,
        commits: tuple[float, ...] = (),
        **fields: Any,
    ) -> None:
        """A pull request; `commits` are the hours of its commits, by ann."""
        self.pulls.append(make_pull(OWNER, REPO, number, author=author, **fields))
        for hour in commits:
            self._add(
                self.pull_commits,
                number,
                make_commit(
                    OWNER, REPO, author="ann", authored_at=t(hour), message=f"work {number}"
                ),
            )

    def review(
        self, number: int, who: str | dict[str, Any], state: str, hour: float
    ) -> dict[str, Any]:
        return self._add(self.reviews, number, review(number, who, state, hour))

    def comment(self, number: int, author: str, hour: float, **fields: Any) -> dict[str, Any]:
        made = make_review_comment(OWNER, REPO, number, author=author, created_at=t(hour), **fields)
        return self._add(self.review_comments, number, made)

    def event(self, number: int, event: str, hour: float, **extra: Any) -> None:
        made = make_timeline_event(
            OWNER, REPO, number, event, actor="ann", created_at=t(hour), **extra
        )
        self._add(self.timelines, number, made)

    def files(self) -> dict[str, Any]:
        """Keyword arguments of `github_api.write_repo`: the files something was written to."""
        files = {
            "pulls": self.pulls,
            "reviews": self.reviews,
            "review_comments": self.review_comments,
            "pull_commits": self.pull_commits,
            "timelines": self.timelines,
        }
        return {name: rows for name, rows in files.items() if rows}

    @staticmethod
    def _add(
        file: dict[str, list[dict[str, Any]]], number: int, row: dict[str, Any]
    ) -> dict[str, Any]:
        file.setdefault(str(number), []).append(row)
        return row


def build() -> dict[str, Any]:
    """Scenario files for acme/api (keyword arguments of `github_api.write_repo`)."""
    s = Scenario()

    def add(number: int, **pull: Any) -> None:
        s.pull(number, commits=(8, 7), **pull)  # the earliest commit is at 7

    # 1 plain: ready 9, review 11, approval 13, merged 15
    add(1, created_at=t(9), merged_at=t(15), additions=30, deletions=12, review_comments=2)
    bobs = s.review(1, "bob", "COMMENTED", 11)["id"]  # every review comment belongs to a review
    s.review(1, "cid", "APPROVED", 13)
    s.comment(1, "bob", 11, review_id=bobs)
    s.comment(1, "ann", 11.5, body="done", review_id=bobs)
    # 2 author reviews own PR, a bot reviews, then changes requested, then approval
    add(2, created_at=t(9), merged_at=t(16))
    s.review(2, "ann", "APPROVED", 10)
    s.review(2, BOT, "APPROVED", 10.5)
    s.review(2, "bob", "CHANGES_REQUESTED", 12)
    s.review(2, "bob", "APPROVED", 14)
    # 3 opened as draft, reviewed before ready, ready at 12
    add(3, created_at=t(9), merged_at=t(14))
    s.review(3, "bob", "COMMENTED", 10)
    s.review(3, "cid", "APPROVED", 13)
    s.event(3, "ready_for_review", 12)
    # 4 closed then reopened, then merged
    add(4, created_at=t(9), merged_at=t(14))
    s.review(4, "bob", "APPROVED", 13)
    s.event(4, "closed", 11)
    s.event(4, "reopened", 12)
    # 5 approval dismissed, merged anyway
    add(5, created_at=t(9), merged_at=t(12))
    s.review(5, "bob", "DISMISSED", 11)
    # 6 closed without merging
    add(6, created_at=t(9), state="closed", closed_at=t(12))
    s.review(6, "bob", "COMMENTED", 11)
    # 7 force-pushed after review
    add(7, created_at=t(9), merged_at=t(15))
    s.review(7, "bob", "APPROVED", 10)
    s.review(7, "cid", "APPROVED", 14)
    s.event(7, "head_ref_force_pushed", 12)
    # 8 open and ready, nobody has looked: waiting
    add(8, created_at=t(9), updated_at=t(9), requested_reviewers=["bob"])
    s.event(8, "review_requested", 9, requested_reviewer=make_user("bob"))
    # 9 by a bot: stored, left out of the flow
    s.pull(9, author=BOT, created_at=t(9), merged_at=t(10))
    # 10 still a draft
    add(10, created_at=t(9), draft=True, updated_at=t(9))
    # 11 many reviews, to page through with a small per_page
    add(11, created_at=t(9), merged_at=t(20))
    for i in range(5):
        s.review(11, f"rev{i}", "COMMENTED", 10 + i)
    return s.files()


# PR number -> (first_commit, ready, first_review, first_approval, merged) in hours, and phases
EXPECTED: dict[int, dict[str, Any]] = {
    1: {
        "ready": 9,
        "review": 11,
        "approval": 13,
        "merged": 15,
        "pickup": 2.0,
        "rev": 2.0,
        "merge": 2.0,
        "cycle": 8.0,
        "coding": 2.0,
        "size": 42,
        "comments": 1,
    },
    2: {
        "ready": 9,
        "review": 12,
        "approval": 14,
        "merged": 16,
        "pickup": 3.0,
        "rev": 2.0,
        "merge": 2.0,
        "cycle": 9.0,
        "changes_requested": 1,
        "reviewers": ("bob",),
    },
    3: {
        "ready": 12,
        "review": 13,
        "approval": 13,
        "merged": 14,
        "pickup": 1.0,
        "rev": 0.0,
        "merge": 1.0,
        "cycle": 7.0,
        "coding": 5.0,
    },
    4: {"ready": 9, "review": 13, "approval": 13, "merged": 14, "pickup": 4.0, "reopened": 1},
    5: {
        "ready": 9,
        "review": 11,
        "approval": None,
        "merged": 12,
        "pickup": 2.0,
        "rev": 1.0,
        "merge": None,
        "without_approval": True,
    },
    6: {"ready": 9, "review": 11, "approval": None, "merged": None, "rev": None, "cycle": None},
    7: {"ready": 9, "review": 10, "approval": 10, "merged": 15, "force_pushes": 1},
    8: {"ready": 9, "review": None, "approval": None, "merged": None, "pickup": None},
    10: {"ready": None, "review": None, "pickup": None, "coding": None},
    11: {
        "ready": 9,
        "review": 10,
        "approval": None,
        "merged": 20,
        "rev": 10.0,
        "without_approval": True,
        "reviewers": tuple(sorted(f"rev{i}" for i in range(5))),
    },
}
