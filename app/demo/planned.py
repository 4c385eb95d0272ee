"""What the demo plan is made of: repositories, pull requests, commits, reviews and file edits.

Plain data that `app.demo.plan` draws and the git history and GitHub scenario writers read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.demo import org


@dataclass
class Edit:
    """Lines changed in one file: `modify` replaced, `add` inserted, `delete` removed."""

    path: str
    modify: int = 0
    add: int = 0
    delete: int = 0
    create: int = 0  # a new file with this many lines


@dataclass
class PlannedCommit:
    author: str
    authored_at: datetime
    message: str
    edits: list[Edit]
    sha: str = ""
    parent_sha: str = ""
    tree_sha: str = ""


@dataclass
class PlannedReview:
    reviewer: str
    state: str
    submitted_at: datetime
    body: str
    commit_index: int
    comments: list[tuple[str, str]] = field(default_factory=list)  # (path, body)


@dataclass
class PlannedPull:
    number: int
    author: str
    title: str
    created_at: datetime
    opened_as_draft: bool
    ready_at: datetime | None
    state: str  # merged, open, closed
    merged_at: datetime | None
    closed_at: datetime | None
    commits: list[PlannedCommit]
    reviews: list[PlannedReview]
    requested: list[str]
    labels: list[str]
    reverts: PlannedPull | None = None  # the merged PR this one reverts (`Revert "..."`)

    @property
    def head_ref(self) -> str:
        words = "-".join(self.title.lower().split()[:4])
        slug = "".join(c for c in words if c.isalnum() or c == "-")
        return f"{self.author.split('[')[0]}/{self.number}-{slug}"

    @property
    def updated_at(self) -> datetime:
        moments = [self.created_at, *(c.authored_at for c in self.commits)]
        moments += [r.submitted_at for r in self.reviews]
        moments += [m for m in (self.ready_at, self.merged_at, self.closed_at) if m]
        return max(moments)


@dataclass
class RepoPlan:
    spec: org.RepoSpec
    initial: list[PlannedCommit]  # the first files, each added by the person who owns it
    pulls: list[PlannedPull]


def new_pull(
    author: str,
    title: str,
    created_at: datetime,
    commits: list[PlannedCommit],
    labels: list[str],
    ready_at: datetime | None = None,
) -> PlannedPull:
    """An open pull request, numbered later once every PR of the repository is known."""
    return PlannedPull(
        number=0,
        author=author,
        title=title,
        created_at=created_at,
        opened_as_draft=False,
        ready_at=ready_at or created_at,
        state="open",
        merged_at=None,
        closed_at=None,
        commits=commits,
        reviews=[],
        requested=[],
        labels=labels,
    )
