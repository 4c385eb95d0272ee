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

# GitHub's own revert title, `Revert "Title"`, and the body line it writes: "Reverts owner/repo#12".
REVERT_TITLE = re.compile(r'^Revert "(?P<title>.+)"$')
REVERTS_BODY = re.compile(r"\bReverts [\w.-]+/[\w.-]+#(?P<number>\d+)")


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
    """A merged revert PR and the PR it reverts (found by body link, else by title)."""

    number: int
    merged_at: datetime
    merge_commit_sha: str
    reverted_number: int


def find_reverts(pulls: list[dict[str, Any]]) -> list[RevertRecord]:
    """Merged PRs titled `Revert "..."` whose reverted PR is found among `pulls`."""
    by_title = {p.get("title"): p for p in pulls}
    by_number = {p.get("number"): p for p in pulls}
    reverts = []
    for pull in pulls:
        match = REVERT_TITLE.match(pull.get("title") or "")
        merged_at = parse_time(pull.get("merged_at"))
        if not match or merged_at is None:
            continue
        linked = REVERTS_BODY.search(pull.get("body") or "")
        reverted = by_number.get(int(linked["number"])) if linked else None
        reverted = reverted or by_title.get(match["title"])
        if reverted is not None and reverted is not pull:
            reverts.append(
                RevertRecord(
                    int(pull["number"]),
                    merged_at,
                    pull.get("merge_commit_sha") or "",
                    int(reverted["number"]),
                )
            )
    return reverts
