"""What the delivery keys are computed from: deployments, changes (PRs) and failures.

Every answer keeps the ids of the items behind each number, so a number can be walked back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.core.delivery import Deployment, Source

# Deployment and Source are defined once, in app.core.delivery, for collectors and dashboards
__all__ = ["Change", "Deployment", "Failure", "FailureKind", "Source"]

FailureKind = Literal["incident", "revert", "failed_status"]


@dataclass(frozen=True)
class Change:
    """A merged pull request with the times its lead-time phases start at."""

    number: int
    merge_commit_sha: str
    merged_at: datetime
    opened_at: datetime
    first_commit_at: datetime | None = None
    first_review_at: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """Something that broke: an incident issue, a merged revert PR or a failed status.

    `deployment_id` is set when the failure names its deployment (the one that shipped the
    reverted PR, the one whose status failed); otherwise it counts against the deployment it
    follows, the last one that succeeded at or before `started_at`. `restored_at` is the
    incident's close (None while open); reverts and failed statuses are restored by the next
    successful deployment.
    """

    kind: FailureKind
    ref: str
    started_at: datetime
    deployment_id: str | None = None
    restored_at: datetime | None = None
