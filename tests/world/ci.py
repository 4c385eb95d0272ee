"""A small language for Actions histories in tests (add runs and reruns, then write the files),
and `history()`, the one most CI tests read: a flaky rerun, a broken-then-fixed main, a
cancelled and a skipped run, a matrix."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from app.sandbox.actions_objects import make_job, make_run, make_workflow

OWNER, REPO = "acme", "app"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
SHA_A, SHA_B, SHA_C = "a" * 40, "b" * 40, "c" * 40


class CiScenario:
    """Runs as of their latest attempt, earlier attempts and every job, as the stand-in reads."""

    def __init__(self, owner: str = OWNER, repo: str = REPO, *, first_job_id: int = 1001) -> None:
        self.owner, self.repo = owner, repo
        self.workflows: dict[int, dict[str, Any]] = {}
        self.runs: dict[int, dict[str, Any]] = {}
        self.attempts: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.jobs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self._job_id = first_job_id - 1  # job ids are GitHub's: unique in one database

    def workflow(self, workflow_id: int, name: str, path: str | None = None) -> dict[str, Any]:
        self.workflows[workflow_id] = make_workflow(self.owner, self.repo, workflow_id, name, path)
        return self.workflows[workflow_id]

    def run(
        self,
        run_id: int,
        workflow_id: int,
        created: datetime,
        *,
        jobs: dict[str, str | None] | None = None,
        queued: timedelta = timedelta(seconds=10),
        **kw: Any,
    ) -> dict[str, Any]:
        """Attempt 1 of a run; `jobs` maps job name → conclusion (None = still running)."""
        run = make_run(
            self.owner,
            self.repo,
            run_id,
            workflow=self.workflows[workflow_id],
            created=created,
            **kw,
        )
        self.runs[run_id] = run
        self._add_jobs(run, jobs, queued)
        return run

    def rerun(
        self,
        run_id: int,
        started: datetime,
        *,
        jobs: dict[str, str | None] | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """A new attempt of a run: the previous state moves to run_attempts.json."""
        previous = self.runs[run_id]
        self.attempts[run_id].append(previous)
        workflow = self.workflows[previous["workflow_id"]]
        run = make_run(
            self.owner,
            self.repo,
            run_id,
            workflow=workflow,
            created=datetime.fromisoformat(previous["created_at"].replace("Z", "+00:00")),
            head_sha=previous["head_sha"],
            branch=previous["head_branch"],
            event=previous["event"],
            actor=previous["actor"]["login"],
            attempt=previous["run_attempt"] + 1,
            started=started,
            pull_numbers=tuple(p["number"] for p in previous["pull_requests"]),
            **kw,
        )
        self.runs[run_id] = run
        self._add_jobs(run, jobs, timedelta(seconds=10))
        return run

    def _add_jobs(
        self, run: dict[str, Any], jobs: dict[str, str | None] | None, queued: timedelta
    ) -> None:
        for name, conclusion in (jobs or {"build": run["conclusion"]}).items():
            self._job_id += 1
            self.jobs[run["id"]].append(
                make_job(run, self._job_id, name, conclusion=conclusion, queued=queued)
            )

    def files(self) -> dict[str, Any]:
        return {
            "workflows": list(self.workflows.values()),
            "runs": list(self.runs.values()),
            "run_attempts": {str(k): v for k, v in self.attempts.items()},
            "jobs": {str(k): v for k, v in self.jobs.items()},
        }

    def write(self, github_api: Any, **extra: Any) -> None:
        github_api.write_repo(self.owner, self.repo, **self.files(), **extra)


def write_check_runs(github_api: Any, checks: dict[str, list[dict[str, Any]]]) -> None:
    """check_runs.json: {head sha: [check runs of any app]}."""
    github_api.write_repo(OWNER, REPO, check_runs=checks)


def history() -> CiScenario:
    """Flaky rerun on A, broken-then-fixed across A'/B, cancelled, skipped, matrix, renamed."""
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.workflow(20, "Lint")
    matrix = {"test (3.11)": "failure", "test (3.12)": "success"}
    ci.run(
        100,
        10,
        T0,
        head_sha=SHA_A,
        event="pull_request",
        branch="feat",
        actor="ana",
        pull_numbers=(7,),
        conclusion="failure",
        jobs=matrix,
    )
    ci.rerun(
        100,
        T0 + timedelta(minutes=30),
        triggering_actor="ana",
        jobs={"test (3.11)": "success", "test (3.12)": "success"},
    )
    ci.run(
        101,
        10,
        T0 + timedelta(hours=1),
        head_sha=SHA_B,
        branch="main",
        actor="bo",
        conclusion="failure",
    )
    ci.run(
        102,
        10,
        T0 + timedelta(hours=2),
        head_sha=SHA_C,
        branch="main",
        actor="bo",
        conclusion="success",
    )
    ci.run(103, 10, T0 + timedelta(hours=3), head_sha="d" * 40, conclusion="cancelled")
    ci.run(104, 20, T0 + timedelta(hours=3), head_sha="d" * 40, conclusion="skipped", jobs={})
    return ci
