"""Frozen records of deployments, releases, incidents and reverts, parsed from REST JSON.

Parsed from the JSON PyGithub received (`raw_data`), not its properties, so that an absent key
never makes PyGithub fetch the whole object again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collectors.ci.records import parse_time

# GitHub's own revert title, `Revert "Title"`, the body line its revert button writes
# ("Reverts owner/repo#12"), and the line `git revert` writes ("This reverts commit <sha>.").
REVERT_TITLE = re.compile(r'^Revert "(?P<title>.+)"$')
REVERTS_BODY = re.compile(r"\bReverts [\w.-]+/[\w.-]+#(?P<number>\d+)")
REVERTS_COMMIT = re.compile(r"\bThis reverts commit (?P<sha>[0-9a-f]{7,40})\b")


@dataclass(frozen=True)
class DeploymentRecord:
    """A deployment with its newest status (`state`) and when it first succeeded, if it did."""

    id: int
    sha: str
    ref: str
    environment: str
    created_at: datetime
    state: str | None
    succeeded_at: datetime | None
    failed_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any], statuses: list[dict[str, Any]]) -> DeploymentRecord:
        """`statuses` as GitHub lists them, newest first."""
        oldest_first = list(reversed(statuses))
        succeeded = next((s for s in oldest_first if s.get("state") == "success"), None)
        failed = next((s for s in oldest_first if s.get("state") in ("failure", "error")), None)
        return cls(
            int(data["id"]),
            data["sha"],
            data.get("ref") or "",
            data.get("environment") or "",
            parse_time(data["created_at"]),  # type: ignore[arg-type]
            statuses[0].get("state") if statuses else None,
            parse_time(succeeded["created_at"]) if succeeded else None,
            parse_time(failed["created_at"]) if failed else None,
        )


@dataclass(frozen=True)
class ReleaseRecord:
    id: int
    tag_name: str
    target_commitish: str
    published_at: datetime | None
    draft: bool
    prerelease: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReleaseRecord:
        return cls(
            int(data["id"]),
            data["tag_name"],
            data.get("target_commitish") or "",
            parse_time(data.get("published_at")),
            bool(data.get("draft")),
            bool(data.get("prerelease")),
        )

    @property
    def counts(self) -> bool:
        """Only published full releases are deployments."""
        return not self.draft and not self.prerelease and self.published_at is not None


@dataclass(frozen=True)
class IncidentRecord:
    number: int
    title: str
    opened_at: datetime
    closed_at: datetime | None
    labels: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentRecord:
        return cls(
            int(data["number"]),
            data.get("title") or "",
            parse_time(data["created_at"]),  # type: ignore[arg-type]
            parse_time(data.get("closed_at")),
            tuple(str(label.get("name", "")) for label in data.get("labels", [])),
        )


@dataclass(frozen=True)
class RevertRecord:
    """A merged revert PR and the PR it reverts (see `reverted_pull`)."""

    number: int
    merged_at: datetime
    merge_commit_sha: str
    reverted_number: int


def is_revert(pull: dict[str, Any]) -> bool:
    """Merged and titled `Revert "..."`: a revert whose reverted PR is worth looking for."""
    return bool(REVERT_TITLE.match(pull.get("title") or "")) and pull.get("merged_at") is not None


def reverted_pull(pull: dict[str, Any], pulls: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The merged PR among `pulls` that `pull` reverts, trusting what names it most exactly.

    1. Its body's "Reverts owner/repo#N", as GitHub's revert button writes it.
    2. Its body's "This reverts commit SHA" (git revert), the PR whose merge commit that is.
    3. Else the latest PR of exactly the reverted title merged before the revert was opened:
       titles repeat, and a PR merged after the revert was opened cannot be what it reverts.
    """
    merged = [(at, p) for p in pulls if p is not pull and (at := parse_time(p.get("merged_at")))]
    body = pull.get("body") or ""
    linked = REVERTS_BODY.search(body)
    named = [p for _, p in merged if linked and p.get("number") == int(linked["number"])]
    for sha in REVERTS_COMMIT.findall(body):
        named += [p for _, p in merged if (p.get("merge_commit_sha") or "").startswith(sha)]
    if named:
        return named[0]
    match = REVERT_TITLE.match(pull.get("title") or "")
    opened = parse_time(pull.get("created_at")) or parse_time(pull.get("merged_at"))
    if match is None or opened is None:
        return None
    before = [(at, p) for at, p in merged if p.get("title") == match["title"] and at <= opened]
    return max(before, key=lambda pair: pair[0])[1] if before else None


def find_reverts(pulls: list[dict[str, Any]]) -> list[RevertRecord]:
    """Merged PRs titled `Revert "..."` whose reverted PR is found among `pulls` (REST JSON:
    `number`, `title`, `body`, `created_at`, `merged_at`, `merge_commit_sha`)."""
    reverts = []
    for pull in filter(is_revert, pulls):
        reverted = reverted_pull(pull, pulls)
        if reverted is not None:
            reverts.append(revert_record(pull, int(reverted["number"])))
    return reverts


def revert_record(pull: dict[str, Any], reverted_number: int) -> RevertRecord:
    return RevertRecord(
        int(pull["number"]),
        parse_time(pull["merged_at"]),  # type: ignore[arg-type]
        pull.get("merge_commit_sha") or "",
        reverted_number,
    )
