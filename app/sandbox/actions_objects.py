"""Builders for GitHub Actions REST objects: workflows, runs (per attempt), jobs, check runs.

Shapes follow GitHub's REST answers (keys as in the real rows recorded by DevLake); scenario
authors (tests, the demo) describe a history in a few lines and get realistic JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.sandbox.objects import (
    API,
    WEB,
    fake_sha,
    make_minimal_repository,
    make_user,
    node_id,
    stable_id,
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_workflow(
    owner: str, repo: str, workflow_id: int, name: str, path: str | None = None
) -> dict[str, Any]:
    path = path or f".github/workflows/{name.lower().replace(' ', '-')}.yml"
    return {
        "id": workflow_id,
        "node_id": node_id("Workflow", workflow_id),
        "name": name,
        "path": path,
        "state": "active",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "url": f"{API}/repos/{owner}/{repo}/actions/workflows/{workflow_id}",
        "html_url": f"{WEB}/{owner}/{repo}/blob/main/{path}",
        "badge_url": f"{WEB}/{owner}/{repo}/workflows/{name}/badge.svg",
    }


def make_run(
    owner: str,
    repo: str,
    run_id: int,
    *,
    workflow: dict[str, Any],
    created: datetime,
    head_sha: str | None = None,
    branch: str = "main",
    event: str = "push",
    actor: str = "octocat",
    triggering_actor: str | None = None,
    attempt: int = 1,
    started: datetime | None = None,
    duration: timedelta | None = timedelta(minutes=5),
    conclusion: str | None = "success",
    status: str | None = None,
    pull_numbers: tuple[int, ...] = (),
    run_number: int | None = None,
) -> dict[str, Any]:
    """A run as of `attempt`: `started` defaults to `created`; `conclusion=None` means in
    progress (updated_at = started); `duration` runs from start to `updated_at`."""
    started = started or created
    status = status or ("completed" if conclusion else "in_progress")
    updated = started + duration if duration is not None and conclusion else started
    url = f"{API}/repos/{owner}/{repo}/actions/runs/{run_id}"
    suite = stable_id("suite", run_id, attempt)
    repository = make_minimal_repository(owner, repo)
    sha = head_sha or fake_sha(owner, repo, run_id)
    return {
        "id": run_id,
        "name": workflow["name"],
        "node_id": node_id("WorkflowRun", run_id),
        "head_branch": branch,
        "head_sha": sha,
        "path": workflow["path"],
        "display_title": f"{workflow['name']} on {branch}",
        "run_number": run_number or run_id % 10000,
        "event": event,
        "status": status,
        "conclusion": conclusion,
        "workflow_id": workflow["id"],
        "check_suite_id": suite,
        "check_suite_node_id": node_id("CheckSuite", suite),
        "url": url,
        "html_url": f"{WEB}/{owner}/{repo}/actions/runs/{run_id}",
        "pull_requests": [
            {
                "url": f"{API}/repos/{owner}/{repo}/pulls/{number}",
                "id": stable_id("pull", owner, repo, number),
                "number": number,
                "head": {"ref": branch, "sha": sha, "repo": repository},
                "base": {"ref": "main", "sha": fake_sha("base", number), "repo": repository},
            }
            for number in pull_numbers
        ],
        "created_at": iso(created),
        "updated_at": iso(updated),
        "actor": make_user(actor),
        "run_attempt": attempt,
        "referenced_workflows": [],
        "run_started_at": iso(started),
        "triggering_actor": make_user(triggering_actor or actor),
        "jobs_url": f"{url}/jobs",  # every attempt's answer points at the run's jobs
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{API}/repos/{owner}/{repo}/check-suites/{suite}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": f"{url}/attempts/{attempt - 1}" if attempt > 1 else None,
        "workflow_url": workflow["url"],
        "head_commit": {
            "id": sha,
            "tree_id": fake_sha("tree", sha),
            "message": "change",
            "timestamp": iso(created),
            "author": {"name": actor, "email": f"{actor}@example.com"},
            "committer": {"name": actor, "email": f"{actor}@example.com"},
        },
        "repository": repository,
        "head_repository": repository,
    }


def make_job(
    run: dict[str, Any],
    job_id: int,
    name: str,
    *,
    conclusion: str | None = "success",
    queued: timedelta = timedelta(seconds=10),
    duration: timedelta = timedelta(minutes=3),
    created: datetime | None = None,
    runner: str = "GitHub Actions 1",
) -> dict[str, Any]:
    """A job of `run`'s attempt, created at the attempt's start, started after `queued`."""
    created = created or datetime.fromisoformat(run["run_started_at"].replace("Z", "+00:00"))
    started = created + queued
    completed = started + duration if conclusion else None
    owner_repo = run["repository"]["full_name"]
    return {
        "id": job_id,
        "run_id": run["id"],
        "workflow_name": run["name"],
        "head_branch": run["head_branch"],
        "run_url": run["url"],
        "run_attempt": run["run_attempt"],
        "node_id": node_id("CheckRun", job_id),
        "head_sha": run["head_sha"],
        "url": f"{API}/repos/{owner_repo}/actions/jobs/{job_id}",
        "html_url": f"{WEB}/{owner_repo}/actions/runs/{run['id']}/job/{job_id}",
        "status": "completed" if conclusion else "in_progress",
        "conclusion": conclusion,
        "created_at": iso(created),
        "started_at": iso(started),
        "completed_at": iso(completed) if completed else None,
        "name": name,
        "steps": [
            {
                "name": "Run tests",
                "status": "completed" if conclusion else "in_progress",
                "conclusion": conclusion,
                "number": 1,
                "started_at": iso(started),
                "completed_at": iso(completed) if completed else None,
            }
        ],
        "check_run_url": f"{API}/repos/{owner_repo}/check-runs/{job_id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1,
        "runner_name": runner,
        "runner_group_id": 1,
        "runner_group_name": "GitHub Actions",
    }


def make_check_run(
    owner: str,
    repo: str,
    check_id: int,
    *,
    head_sha: str,
    name: str,
    app_slug: str = "circleci-checks",
    started: datetime,
    duration: timedelta | None = timedelta(minutes=4),
    conclusion: str | None = "success",
) -> dict[str, Any]:
    completed = started + duration if duration is not None and conclusion else None
    return {
        "id": check_id,
        "head_sha": head_sha,
        "node_id": node_id("CheckRun", check_id),
        "external_id": str(check_id),
        "url": f"{API}/repos/{owner}/{repo}/check-runs/{check_id}",
        "html_url": f"https://app.circleci.com/jobs/{check_id}",
        "details_url": f"https://app.circleci.com/jobs/{check_id}",
        "status": "completed" if conclusion else "in_progress",
        "conclusion": conclusion,
        "started_at": iso(started),
        "completed_at": iso(completed) if completed else None,
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            "annotations_url": f"{API}/repos/{owner}/{repo}/check-runs/{check_id}/annotations",
        },
        "name": name,
        "check_suite": {"id": stable_id("suite", check_id)},
        "app": make_app(app_slug),
        "pull_requests": [],
    }


def make_app(slug: str) -> dict[str, Any]:
    """A GitHub App as embedded in a check run (the CI service that reported it)."""
    app_id = stable_id("app", slug)
    return {
        "id": app_id,
        "slug": slug,
        "node_id": node_id("Integration", app_id),
        "owner": make_user(slug.split("-")[0], "Organization"),
        "name": slug,
        "description": "",
        "external_url": f"https://{slug}.example.com",
        "html_url": f"{WEB}/apps/{slug}",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "permissions": {"checks": "write", "metadata": "read"},
        "events": ["check_suite", "check_run"],
    }
