"""The files of PRs whose commits the history does not hold (an open PR's branch is not on the
default branch), read from the repository's clone: `git diff --name-only BASE...HEAD`, what
GitHub lists as a PR's files. Only for a repository collected from a clone on this machine;
a head or base the clone lacks gives nothing rather than an error.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

from sqlmodel import Session, col, select

from app.core.models import PullRequest, Repository

GIT_TIMEOUT = 10  # seconds for one diff: a clone on a slow disk must not hang a page


def clone_pull_paths(
    session: Session, *, repository_id: int, numbers: Collection[int]
) -> dict[str, set[int]]:
    """PR numbers per path, for these PRs, from the clone the repository was collected from."""
    if not numbers:
        return {}
    clone = session.exec(select(Repository.path).where(Repository.id == repository_id)).first()
    if not clone or not (Path(clone) / ".git").exists():
        return {}
    rows = session.exec(
        select(PullRequest.number, PullRequest.head_sha, PullRequest.base_ref).where(
            PullRequest.repository_id == repository_id,
            col(PullRequest.number).in_(sorted(numbers)),
        )
    )
    result: dict[str, set[int]] = defaultdict(set)
    for number, head, base in rows:
        if head and base:
            for path in _diff(Path(clone), base, head):
                result[path].add(number)
    return dict(result)


def _diff(clone: Path, base: str, head: str) -> list[str]:
    for ref in (base, f"origin/{base}"):
        try:
            done = subprocess.run(
                ["git", "-C", str(clone), "diff", "--name-only", "-z", f"{ref}...{head}", "--"],
                capture_output=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
        if done.returncode == 0:
            return [p.decode("utf-8", "backslashreplace") for p in done.stdout.split(b"\0") if p]
    return []
