"""The commits a deployment brought: from the local clone when the repository is collected,
else from GitHub's compare (one request per deployment).

`git rev-list base..head` and `/compare/{base}...{head}` answer the same set: commits reachable
from the new SHA and not from the previous one (empty for a rollback to an ancestor).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from github.GithubException import GithubException
from github.Repository import Repository

from collectors.delivery.fetch import compare_commits

CommitsBetween = Callable[[str, str], tuple[str, ...]]


def local_commits(path: Path) -> CommitsBetween | None:
    """`commits_between` over the clone at `path`, or None when there is no usable clone."""
    if not path.exists():
        return None
    probe = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--git-dir"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return None

    def commits_between(base: str, head: str) -> tuple[str, ...]:
        result = subprocess.run(
            ["git", "-C", str(path), "rev-list", "--reverse", f"{base}..{head}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise LookupError(result.stderr.strip())
        return tuple(result.stdout.split())

    return commits_between


def commits_source(repo: Repository, clone: Path | None) -> CommitsBetween:
    """Local history first (a SHA the clone lacks falls back to compare), then compare."""
    remote = compare_commits(repo)
    local = local_commits(clone) if clone else None

    def commits_between(base: str, head: str) -> tuple[str, ...]:
        if local is not None:
            try:
                return local(base, head)
            except LookupError:
                pass
        try:
            return remote(base, head)
        except GithubException as error:
            if error.status == 404:  # a SHA GitHub no longer has (force-pushed away)
                return ()
            raise

    return commits_between
