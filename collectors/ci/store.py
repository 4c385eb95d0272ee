"""Store side of CI collection: idempotent upserts of workflows, runs, attempts, jobs, checks.

A batch of runs (each with all its attempts and jobs) and the `ci` cursor are written in the
caller's one transaction: a crash repeats at most one batch, never leaves a gap or a duplicate.

Cursor position (JSON in SyncCursor.position): {"created_through": "<ISO time>"}: every run
created at or before it has been stored (at its state then). Runs stored while still queued or
running are found in the table (`unfinished_runs`) and read again until they finish.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.core.models import CheckRun, Job, RunAttempt, SyncCursor, Workflow, WorkflowRun
from app.core.models.base import as_utc, utcnow
from collectors.ci.records import CheckRunRecord, RunBundle, WorkflowRecord
from collectors.pulls.store import upsert

CI_SOURCE = "ci"
RUN_FIELDS = (
    "workflow_id",
    "name",
    "head_sha",
    "head_branch",
    "event",
    "actor_login",
    "triggering_actor_login",
    "status",
    "conclusion",
    "run_attempt",
    "run_number",
    "created_at",
    "run_started_at",
    "updated_at",
    "html_url",
    "pull_numbers",
)
ATTEMPT_FIELDS = ("status", "conclusion", "run_started_at", "updated_at", "triggering_actor_login")
JOB_FIELDS = (
    "run_id",
    "run_attempt",
    "name",
    "status",
    "conclusion",
    "created_at",
    "started_at",
    "completed_at",
    "runner_name",
    "labels",
    "steps",
    "html_url",
)
CHECK_FIELDS = (
    "head_sha",
    "name",
    "app_slug",
    "status",
    "conclusion",
    "started_at",
    "completed_at",
    "html_url",
)


@dataclass
class CiCursor:
    created_through: datetime | None = None

    def dump(self) -> str:
        through = self.created_through.isoformat() if self.created_through else None
        return json.dumps({"created_through": through})

    @classmethod
    def load(cls, position: str) -> CiCursor:
        through = json.loads(position).get("created_through") if position else None
        return cls(datetime.fromisoformat(through) if through else None)


def read_cursor(session: Session, repo_name: str) -> CiCursor:
    row = session.exec(
        select(SyncCursor).where(SyncCursor.source == CI_SOURCE, SyncCursor.repository == repo_name)
    ).first()
    return CiCursor.load(row.position) if row else CiCursor()


def write_cursor(session: Session, repo_name: str, cursor: CiCursor) -> None:
    upsert(
        session,
        SyncCursor,
        [
            {
                "source": CI_SOURCE,
                "repository": repo_name,
                "position": cursor.dump(),
                "updated_at": utcnow(),
            }
        ],
        keys=("source", "repository"),
        update=("position", "updated_at"),
    )


def save_workflows(
    session: Session, *, repository_id: int, records: Iterable[WorkflowRecord]
) -> int:
    """Upsert workflows by id: a renamed workflow keeps its id and takes the new name."""
    rows = [
        {
            "id": r.id,
            "repository_id": repository_id,
            "name": r.name,
            "path": r.path,
            "state": r.state,
        }
        for r in records
    ]
    upsert(session, Workflow, rows, keys=("id",), update=("name", "path", "state"))
    return len(rows)


def stored_runs(
    session: Session, run_ids: Sequence[int]
) -> dict[int, tuple[int, str | None, datetime | None]]:
    """(latest attempt, status, updated_at) of runs already stored, to skip unchanged ones."""
    found: dict[int, tuple[int, str | None, datetime | None]] = {}
    for start in range(0, len(run_ids), 500):
        chunk = list(run_ids[start : start + 500])
        rows = session.exec(
            select(
                WorkflowRun.id, WorkflowRun.run_attempt, WorkflowRun.status, WorkflowRun.updated_at
            ).where(col(WorkflowRun.id).in_(chunk))
        )
        for run_id, attempt, status, updated_at in rows:
            found[run_id] = (attempt, status, as_utc(updated_at))
    return found


def finished_attempts(session: Session, run_id: int) -> set[int]:
    """Attempts of a run already stored as completed: an attempt never changes once done."""
    rows = session.exec(
        select(RunAttempt.attempt).where(
            RunAttempt.run_id == run_id, RunAttempt.status == "completed"
        )
    )
    return set(rows)


def save_runs(
    session: Session, *, repository_id: int, bundles: Sequence[RunBundle]
) -> tuple[int, int, int]:
    """Upsert runs (as of their latest attempt), every attempt given, and their jobs.

    Returns (runs, attempts, jobs) written.
    """
    runs, attempts, jobs = [], [], []
    for bundle in bundles:
        latest = bundle.latest
        runs.append(
            {
                "id": latest.run_id,
                "repository_id": repository_id,
                "workflow_id": latest.workflow_id,
                "name": latest.name,
                "head_sha": latest.head_sha,
                "head_branch": latest.head_branch,
                "event": latest.event,
                "actor_login": latest.actor_login,
                "triggering_actor_login": latest.triggering_actor_login,
                "status": latest.status,
                "conclusion": latest.conclusion,
                "run_attempt": latest.attempt,
                "run_number": latest.run_number,
                "created_at": latest.created_at,
                "run_started_at": latest.run_started_at,
                "updated_at": latest.updated_at,
                "html_url": latest.html_url,
                "pull_numbers": list(latest.pull_numbers),
            }
        )
        for attempt in bundle.attempts:
            attempts.append(
                {
                    "run_id": latest.run_id,
                    "attempt": attempt.attempt,
                    "status": attempt.status,
                    "conclusion": attempt.conclusion,
                    "run_started_at": attempt.run_started_at,
                    "updated_at": attempt.updated_at,
                    "triggering_actor_login": attempt.triggering_actor_login,
                }
            )
        for job in bundle.jobs:
            jobs.append(
                {
                    "id": job.id,
                    "run_id": job.run_id,
                    "run_attempt": job.attempt,
                    "name": job.name,
                    "status": job.status,
                    "conclusion": job.conclusion,
                    "created_at": job.created_at,
                    "started_at": job.started_at,
                    "completed_at": job.completed_at,
                    "runner_name": job.runner_name,
                    "labels": list(job.labels),
                    "steps": list(job.steps),
                    "html_url": job.html_url,
                }
            )
    upsert(session, WorkflowRun, runs, keys=("id",), update=RUN_FIELDS)
    upsert(session, RunAttempt, attempts, keys=("run_id", "attempt"), update=ATTEMPT_FIELDS)
    upsert(session, Job, jobs, keys=("id",), update=JOB_FIELDS)
    return len(runs), len(attempts), len(jobs)


def save_check_runs(
    session: Session, *, repository_id: int, records: Iterable[CheckRunRecord]
) -> int:
    rows = [
        {
            "id": r.id,
            "repository_id": repository_id,
            "head_sha": r.head_sha,
            "name": r.name,
            "app_slug": r.app_slug,
            "status": r.status,
            "conclusion": r.conclusion,
            "started_at": r.started_at,
            "completed_at": r.completed_at,
            "html_url": r.html_url,
        }
        for r in records
    ]
    upsert(session, CheckRun, rows, keys=("id",), update=CHECK_FIELDS)
    return len(rows)


def checked_shas(session: Session, *, repository_id: int, shas: Sequence[str]) -> set[str]:
    """Head SHAs whose check runs are stored and all completed (nothing left to refresh)."""
    if not shas:
        return set()
    rows = list(
        session.exec(
            select(CheckRun.head_sha, CheckRun.status).where(
                CheckRun.repository_id == repository_id, col(CheckRun.head_sha).in_(list(shas))
            )
        )
    )
    pending = {sha for sha, status in rows if status != "completed"}
    return {sha for sha, _ in rows} - pending


def unfinished_runs(session: Session, *, repository_id: int) -> set[int]:
    """Runs stored while queued or running: the next sync reads them again."""
    rows = session.exec(
        select(WorkflowRun.id).where(
            WorkflowRun.repository_id == repository_id,
            or_(col(WorkflowRun.status).is_(None), WorkflowRun.status != "completed"),
        )
    )
    return set(rows)


def delete_runs(session: Session, run_ids: Sequence[int]) -> None:
    """Forget runs GitHub no longer has (deleted by someone), with their attempts and jobs."""
    if not run_ids:
        return
    ids = list(run_ids)
    session.execute(delete(Job).where(col(Job.run_id).in_(ids)))
    session.execute(delete(RunAttempt).where(col(RunAttempt.run_id).in_(ids)))
    session.execute(delete(WorkflowRun).where(col(WorkflowRun.id).in_(ids)))
