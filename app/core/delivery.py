"""The vocabulary collectors and dashboards share for delivery: a deployment and its sources.

One definition: the collector's source ladder produces these, the stored rows are read back as
these, and the delivery keys (dashboards/signals/delivery) are computed over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.core.settings import DELIVERY_SOURCES

Source = Literal["deployments", "workflow_runs", "releases", "merges"]
SOURCES: tuple[Source, ...] = DELIVERY_SOURCES  # the ladder's rungs, in order


@dataclass(frozen=True)
class Deployment:
    """One successful deployment: when it succeeded, its SHA and the commits it brought.

    `commits` are the SHAs between the previous successful deployment's SHA and this one's, in
    the same environment (empty for a re-deploy of what was already live, or a rollback to an
    older SHA).
    """

    id: str
    sha: str
    at: datetime
    source: Source
    environment: str = ""
    commits: tuple[str, ...] = ()
