"""Store side of delivery collection: deployments with their commits, failures, PR links, cursor.

A batch of deployments (each with the commits it brought) and the `delivery` cursor are written
in the caller's one transaction, keyed by (repository, key): a crash repeats at most one batch,
and a deployment already stored is never stored again, so there is no gap and no duplicate.

Cursor position (JSON in SyncCursor.position): {"source": the rung chosen last time,
"deployments_through": newest GitHub deployment creation time listed, "incidents_since": when
the incident issues were last listed (GitHub's `since` is on update time, so closes are seen)}.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from app.core.delivery import Deployment
from app.core.models import (
    DeliveryFailure,
    DeployedCommit,
    DeployedPull,
    PullRequest,
    SyncCursor,
    Workflow,
    WorkflowRun,
)
from app.core.models import Deployment as DeploymentRow
from app.core.models.base import as_utc, utcnow
from collectors.delivery.ladder import DeployRun, Merge
from collectors.pulls.store import upsert

DELIVERY_SOURCE = "delivery"
FAILURE_FIELDS = (
    "kind",
    "number",
    "title",
    "html_url",
    "started_at",
    "restored_at",
    "deployment_key",
    "reverted_number",
)


@dataclass
class DeliveryCursor:
    source: str | None = None
    deployments_through: datetime | None = None
    incidents_since: datetime | None = None

    def dump(self) -> str:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return json.dumps(
            {
                "source": self.source,
                "deployments_through": iso(self.deployments_through),
                "incidents_since": iso(self.incidents_since),
            }
        )

    @classmethod
    def load(cls, position: str) -> DeliveryCursor:
        data = json.loads(position) if position else {}

        def when(name: str) -> datetime | None:
            return datetime.fromisoformat(data[name]) if data.get(name) else None

        return cls(data.get("source"), when("deployments_through"), when("incidents_since"))


def read_cursor(session: Session, repo_name: str) -> DeliveryCursor:
    row = session.exec(
        select(SyncCursor).where(
            SyncCursor.source == DELIVERY_SOURCE, SyncCursor.repository == repo_name
        )
    ).first()
    return DeliveryCursor.load(row.position) if row else DeliveryCursor()


def write_cursor(session: Session, repo_name: str, cursor: DeliveryCursor) -> None:
    row = {
        "source": DELIVERY_SOURCE,
        "repository": repo_name,
        "position": cursor.dump(),
        "updated_at": utcnow(),
    }
    upsert(
        session, SyncCursor, [row], keys=("source", "repository"), update=("position", "updated_at")
    )


def insert_new(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: what is stored stays as it was."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model.__table__).on_conflict_do_nothing(), list(rows))  # type: ignore[attr-defined]


# -- what the ladder reads from other collectors' tables (no requests) ------------------------


def deploy_runs(session: Session, *, repository_id: int) -> list[DeployRun]:
    """Completed workflow runs with their workflow's file (rung 2's evidence)."""
    rows = session.exec(
        select(WorkflowRun, Workflow.path)
        .join(Workflow, col(Workflow.id) == col(WorkflowRun.workflow_id), isouter=True)
        .where(WorkflowRun.repository_id == repository_id, WorkflowRun.status == "completed")
    )
    return [
        DeployRun(
            run.id,
            run.name,
            path or "",
            run.head_sha,
            run.head_branch,
            run.conclusion,
            as_utc(run.updated_at or run.created_at),  # type: ignore[arg-type]
        )
        for run, path in rows
    ]


def run_urls(session: Session, *, repository_id: int) -> dict[str, str | None]:
    rows = session.exec(
        select(WorkflowRun.id, WorkflowRun.html_url).where(
            WorkflowRun.repository_id == repository_id
        )
    )
    return {f"run:{run_id}": url for run_id, url in rows}


def merged_pulls(session: Session, *, repository_id: int) -> list[PullRequest]:
    return list(
        session.exec(
            select(PullRequest).where(
                PullRequest.repository_id == repository_id,
                col(PullRequest.merged_at).is_not(None),
            )
        )
    )


def merges(pulls: Iterable[PullRequest], default_branch: str) -> list[Merge]:
    """Rung 4's evidence: PRs merged into the default branch with a known merge commit."""
    return [
        Merge(p.number, p.merge_commit_sha, as_utc(p.merged_at))  # type: ignore[arg-type]
        for p in pulls
        if p.merge_commit_sha and p.merged_at and p.base_ref in (None, default_branch)
    ]


# -- deployments -------------------------------------------------------------------------------


def stored_deployments(session: Session, *, repository_id: int) -> list[Deployment]:
    rows = session.exec(select(DeploymentRow).where(DeploymentRow.repository_id == repository_id))
    return [
        Deployment(r.key, r.sha, as_utc(r.deployed_at), r.source, r.environment)  # type: ignore[arg-type]
        for r in rows
    ]


def drop_other_sources(session: Session, *, repository_id: int, source: str) -> int:
    """Forget deployments of a source no longer chosen (their commits and PR links go too)."""
    ids = list(
        session.exec(
            select(DeploymentRow.id).where(
                DeploymentRow.repository_id == repository_id, DeploymentRow.source != source
            )
        )
    )
    if ids:
        session.execute(delete(DeployedPull).where(col(DeployedPull.deployment_id).in_(ids)))
        session.execute(delete(DeployedCommit).where(col(DeployedCommit.deployment_id).in_(ids)))
        session.execute(delete(DeploymentRow).where(col(DeploymentRow.id).in_(ids)))
    return len(ids)


def save_deployments(
    session: Session,
    *,
    repository_id: int,
    deployments: Sequence[Deployment],
    created: dict[str, datetime],
    urls: dict[str, str | None],
) -> int:
    """Store new deployments with the commits each brought; returns the commits stored."""
    rows = [
        {
            "repository_id": repository_id,
            "key": d.id,
            "source": d.source,
            "environment": d.environment,
            "sha": d.sha,
            "deployed_at": d.at,
            "created_at": created.get(d.id, d.at),
            "html_url": urls.get(d.id),
        }
        for d in deployments
    ]
    insert_new(session, DeploymentRow, rows)
    keys = [d.id for d in deployments]
    found = session.exec(
        select(DeploymentRow.key, DeploymentRow.id).where(
            DeploymentRow.repository_id == repository_id, col(DeploymentRow.key).in_(keys)
        )
    )
    ids = {key: deployment_id for key, deployment_id in found}
    commits = [
        {"deployment_id": ids[d.id], "sha": sha}
        for d in deployments
        for sha in dict.fromkeys(d.commits)
    ]
    insert_new(session, DeployedCommit, commits)
    return len(commits)


def link_pulls(session: Session, *, repository_id: int) -> int:
    """Each merged PR not linked yet: the first deployment containing its merge commit."""
    linked = select(DeployedPull.pull_request_id)
    pulls = list(
        session.exec(
            select(PullRequest.id, PullRequest.merge_commit_sha).where(
                PullRequest.repository_id == repository_id,
                col(PullRequest.merge_commit_sha).is_not(None),
                col(PullRequest.merged_at).is_not(None),
                col(PullRequest.id).not_in(linked),
            )
        )
    )
    if not pulls:
        return 0
    first: dict[str, tuple[datetime, int]] = {}
    contained = session.exec(
        select(DeployedCommit.sha, DeploymentRow.id, DeploymentRow.deployed_at)
        .join(DeploymentRow, col(DeploymentRow.id) == col(DeployedCommit.deployment_id))
        .where(DeploymentRow.repository_id == repository_id)
    )
    for sha, deployment_id, at in contained:
        moment = as_utc(at)
        assert moment is not None
        if sha not in first or (moment, deployment_id) < first[sha]:
            first[sha] = (moment, deployment_id)
    rows = [
        {"pull_request_id": pull_id, "deployment_id": first[sha][1], "deployed_at": first[sha][0]}
        for pull_id, sha in pulls
        if sha in first
    ]
    insert_new(session, DeployedPull, rows)
    return len(rows)


def deployment_of_pull(session: Session, *, repository_id: int, number: int) -> str | None:
    """The key of the deployment that first shipped PR `number`, if one did."""
    return session.exec(
        select(DeploymentRow.key)
        .join(DeployedPull, col(DeployedPull.deployment_id) == col(DeploymentRow.id))
        .join(PullRequest, col(PullRequest.id) == col(DeployedPull.pull_request_id))
        .where(PullRequest.repository_id == repository_id, PullRequest.number == number)
    ).first()


# -- failures ----------------------------------------------------------------------------------


def save_failures(session: Session, *, repository_id: int, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert failures by (repository, ref): a closed incident takes its close time."""
    upsert(
        session,
        DeliveryFailure,
        [{"repository_id": repository_id, **row} for row in rows],
        keys=("repository_id", "ref"),
        update=FAILURE_FIELDS,
    )
    return len(rows)


def reverted_numbers(session: Session, *, repository_id: int) -> dict[int, int]:
    """Each stored revert PR's reverted PR: found once (its body read), not looked up again."""
    rows = session.exec(
        select(DeliveryFailure.number, DeliveryFailure.reverted_number).where(
            DeliveryFailure.repository_id == repository_id, DeliveryFailure.kind == "revert"
        )
    )
    return {n: r for n, r in rows if n is not None and r is not None}
