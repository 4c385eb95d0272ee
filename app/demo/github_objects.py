"""GitHub Actions bodies for the demo, shaped as GitHub returns them.

Built on the stand-in's own builders (`app.sandbox.objects`, `app.sandbox.actions_objects`);
a run here also carries what the demo needs and those leave generic: the real commit message
and author, the pull request it ran for, and the full repository fields GitHub's OpenAPI
description requires.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from app.sandbox.actions_objects import make_job, make_workflow
from app.sandbox.objects import node_id

API = "https://api.github.com"
WEB = "https://github.com"

JSON = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """GitHub's timestamp form: UTC with a Z, no fractions."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_id(*parts: object, digits: int = 9) -> int:
    """A positive id derived from names, so rebuilding the demo gives the same ids."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()
    return 10 ** (digits - 1) + int(digest[:12], 16) % (9 * 10 ** (digits - 1))


def workflow(full_name: str, *, name: str, path: str, created_at: datetime) -> JSON:
    """The stand-in's workflow, dated from the repository's first commit."""
    owner, repo = full_name.split("/")
    body = make_workflow(owner, repo, stable_id("workflow", full_name, path, digits=8), name, path)
    body["created_at"] = body["updated_at"] = iso(created_at)
    return body


def minimal_repository(repo: JSON) -> JSON:
    """The repository as workflow runs embed it (no counts, no dates)."""
    keep = {
        k: v
        for k, v in repo.items()
        if k.endswith("_url") or k in {"id", "node_id", "name", "full_name", "private", "owner"}
    }
    keep.update({"description": repo["description"], "fork": False, "url": repo["url"]})
    keep.pop("clone_url", None)
    keep.pop("mirror_url", None)
    keep.pop("svn_url", None)
    keep.pop("git_url", None)
    keep.pop("ssh_url", None)
    return keep


def workflow_run(
    repo: JSON,
    wf: JSON,
    *,
    run_id: int,
    run_number: int,
    attempt: int,
    event: str,
    head_branch: str,
    head_sha: str,
    head_message: str,
    author_name: str,
    author_email: str,
    actor: JSON,
    triggering_actor: JSON,
    status: str,
    conclusion: str | None,
    created_at: datetime,
    run_started_at: datetime,
    updated_at: datetime,
    pull_requests: list[JSON],
) -> JSON:
    """A workflow run as of one attempt (`GET .../actions/runs/{id}[/attempts/{n}]`)."""
    full_name = repo["full_name"]
    url = f"{API}/repos/{full_name}/actions/runs/{run_id}"
    minimal = minimal_repository(repo)
    return {
        "id": run_id,
        "name": wf["name"],
        "node_id": node_id("WorkflowRun", run_id),
        "check_suite_id": run_id + 7,
        "check_suite_node_id": node_id("CheckSuite", run_id + 7),
        "head_branch": head_branch,
        "head_sha": head_sha,
        "path": wf["path"],
        "display_title": head_message.splitlines()[0],
        "run_number": run_number,
        "event": event,
        "status": status,
        "conclusion": conclusion,
        "workflow_id": wf["id"],
        "url": url,
        "html_url": f"{WEB}/{full_name}/actions/runs/{run_id}",
        "pull_requests": pull_requests,
        "created_at": iso(created_at),
        "updated_at": iso(updated_at),
        "actor": actor,
        "run_attempt": attempt,
        "referenced_workflows": [],
        "run_started_at": iso(run_started_at),
        "triggering_actor": triggering_actor,
        "jobs_url": f"{url}/jobs",
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{API}/repos/{full_name}/check-suites/{run_id + 7}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": f"{url}/attempts/{attempt - 1}" if attempt > 1 else None,
        "workflow_url": wf["url"],
        "head_commit": {
            "id": head_sha,
            "tree_id": hashlib.sha1(head_sha.encode()).hexdigest(),
            "message": head_message,
            "timestamp": iso(created_at),
            "author": {"name": author_name, "email": author_email},
            "committer": {"name": author_name, "email": author_email},
        },
        "repository": minimal,
        "head_repository": minimal,
    }


def run_pull_request(repo: JSON, *, number: int, head_ref: str, head_sha: str) -> JSON:
    """The short pull request reference a workflow run carries."""
    full_name = repo["full_name"]
    ref = {"id": repo["id"], "url": repo["url"], "name": repo["name"]}
    return {
        "id": stable_id("pull", full_name, number),
        "number": number,
        "url": f"{API}/repos/{full_name}/pulls/{number}",
        "head": {"ref": head_ref, "sha": head_sha, "repo": ref},
        "base": {"ref": "main", "sha": head_sha, "repo": ref},
    }


def job(
    repo: JSON,
    run: JSON,
    *,
    job_id: int,
    name: str,
    conclusion: str,
    created_at: datetime,
    started_at: datetime,
    completed_at: datetime,
    runner: str,
    steps: list[tuple[str, str, datetime, datetime]],
) -> JSON:
    """A job of one attempt (the stand-in's builder) with its steps (name, conclusion,
    started, completed) and runner."""
    body = make_job(
        run,
        job_id,
        name,
        conclusion=conclusion,
        queued=started_at - created_at,
        duration=completed_at - started_at,
        created=created_at,
        runner=runner,
    )
    body["runner_id"] = stable_id("runner", runner, digits=4)
    body["steps"] = [
        {
            "name": step_name,
            "status": "completed",
            "conclusion": step_conclusion,
            "number": number,
            "started_at": iso(step_start),
            "completed_at": iso(step_end),
        }
        for number, (step_name, step_conclusion, step_start, step_end) in enumerate(steps, 1)
    ]
    return body
