"""Frozen records of GitHub Actions objects, parsed from the REST JSON that PyGithub received.

Parsing from the JSON (not PyGithub's properties) is deliberate: a property whose key is absent
makes PyGithub fetch the whole object again, one hidden request per run or job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ACTIONS_APP = "github-actions"


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


@dataclass(frozen=True)
class WorkflowRecord:
    id: int
    name: str
    path: str
    state: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkflowRecord:
        return cls(
            int(data["id"]), data.get("name") or "", data.get("path") or "", data.get("state")
        )


@dataclass(frozen=True)
class AttemptRecord:
    """A run as of one attempt (`GET /actions/runs/{id}/attempts/{n}` or the run itself)."""

    run_id: int
    workflow_id: int | None
    name: str
    head_sha: str
    head_branch: str | None
    event: str | None
    actor_login: str | None
    triggering_actor_login: str | None
    status: str | None
    conclusion: str | None
    attempt: int
    run_number: int | None
    created_at: datetime
    run_started_at: datetime | None
    updated_at: datetime | None
    html_url: str | None
    pull_numbers: tuple[int, ...]

    @property
    def finished(self) -> bool:
        return self.status == "completed"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttemptRecord:
        created = parse_time(data.get("created_at"))
        if created is None:
            raise ValueError(f"workflow run {data.get('id')} has no created_at")
        return cls(
            run_id=int(data["id"]),
            workflow_id=data.get("workflow_id"),
            name=data.get("name") or "",
            head_sha=data.get("head_sha") or "",
            head_branch=data.get("head_branch"),
            event=data.get("event"),
            actor_login=_login(data.get("actor")),
            triggering_actor_login=_login(data.get("triggering_actor"))
            or _login(data.get("actor")),
            status=data.get("status"),
            conclusion=data.get("conclusion"),
            attempt=int(data.get("run_attempt") or 1),
            run_number=data.get("run_number"),
            created_at=created,
            run_started_at=parse_time(data.get("run_started_at")),
            updated_at=parse_time(data.get("updated_at")),
            html_url=data.get("html_url"),
            pull_numbers=tuple(
                int(p["number"]) for p in data.get("pull_requests") or () if p.get("number")
            ),
        )


@dataclass(frozen=True)
class JobRecord:
    id: int
    run_id: int
    attempt: int
    name: str
    status: str | None
    conclusion: str | None
    created_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    runner_name: str | None
    labels: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]
    html_url: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRecord:
        steps = tuple(
            {
                "name": step.get("name"),
                "number": step.get("number"),
                "status": step.get("status"),
                "conclusion": step.get("conclusion"),
                "started_at": step.get("started_at"),
                "completed_at": step.get("completed_at"),
            }
            for step in data.get("steps") or ()
        )
        return cls(
            id=int(data["id"]),
            run_id=int(data["run_id"]),
            attempt=int(data.get("run_attempt") or 1),
            name=data.get("name") or "",
            status=data.get("status"),
            conclusion=data.get("conclusion"),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            runner_name=data.get("runner_name"),
            labels=tuple(data.get("labels") or ()),
            steps=steps,
            html_url=data.get("html_url"),
        )


@dataclass(frozen=True)
class CheckRunRecord:
    id: int
    head_sha: str
    name: str
    app_slug: str | None
    status: str | None
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None
    html_url: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckRunRecord:
        return cls(
            id=int(data["id"]),
            head_sha=data.get("head_sha") or "",
            name=data.get("name") or "",
            app_slug=(data.get("app") or {}).get("slug"),
            status=data.get("status"),
            conclusion=data.get("conclusion"),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            html_url=data.get("html_url"),
        )


@dataclass(frozen=True)
class RunBundle:
    """One run with every attempt we know and the jobs of every attempt: saved together."""

    latest: AttemptRecord
    attempts: tuple[AttemptRecord, ...]
    jobs: tuple[JobRecord, ...]
