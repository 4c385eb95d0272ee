"""DevLake's recorded panjf2000/ants runs and jobs, served by the stand-in and collected through
PyGithub: durations and results agree with DevLake's cicd_pipelines / cicd_tasks where our
definitions coincide, and differ only where docs/metrics.md says they do (cancelled).

Recordings (../shared/realdata/devlake/github/e2e/, Apache-2.0; skipped where absent): rows
1-20 of each raw file are real GitHub answers; the rest are DevLake's hand-edited copies with
upper-case statuses that GitHub never sends, so they are served and stored but not compared.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import Settings
from app.sandbox.objects import make_repository
from collectors.ci.fetch import collect_ci
from collectors.github_client import make_github
from dashboards.queries.ci import attempts_for, jobs_for
from dashboards.signals.ci.outcomes import FAILURE, attempt_duration, job_duration
from tests.paths import realdata
from tests.world.github_api import GithubApi

DEVLAKE = ("devlake", "github", "e2e")
REPO = "panjf2000/ants"
EVERYTHING = {"since": datetime(2018, 1, 1, tzinfo=UTC), "until": datetime(2023, 1, 1, tzinfo=UTC)}


def _rows(name: str) -> list[dict[str, str]]:
    """A raw table (what GitHub answered) or, for cicd_*, a table DevLake computed from it."""
    folder = "snapshot_tables" if name.startswith("cicd_") else "raw_tables"
    csv.field_size_limit(1 << 30)
    with realdata(*DEVLAKE, folder, name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _real(row: dict[str, str]) -> bool:
    return int(row["id"]) <= 20


def _result(conclusion: str | None) -> str:
    """Our reading of a conclusion, in DevLake's vocabulary where the two share a word."""
    if conclusion == "success":
        return "SUCCESS"
    if conclusion in FAILURE:
        return "FAILURE"
    return (conclusion or "").upper()


def _scenario(github_api: GithubApi) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    runs = [json.loads(r["data"]) for r in _rows("_raw_github_api_runs.csv")]
    jobs = [json.loads(r["data"]) for r in _rows("_raw_github_api_jobs.csv")]
    by_run: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        by_run.setdefault(str(job["run_id"]), []).append(job)
    # The jobs were recorded for runs of another period; a minimal run holds each group of them.
    holders = [
        {
            "id": int(run_id),
            "name": group[0]["name"],
            "head_sha": group[0]["head_sha"],
            "head_branch": "master",
            "event": "push",
            "status": "completed",
            "conclusion": "success",
            "run_attempt": 1,
            "created_at": min(j["started_at"] for j in group),
            "run_started_at": min(j["started_at"] for j in group),
            "updated_at": max(j["completed_at"] or j["started_at"] for j in group),
            "html_url": f"https://github.com/{REPO}/actions/runs/{run_id}",
            "jobs_url": f"https://api.github.com/repos/{REPO}/actions/runs/{run_id}/jobs",
            "url": f"https://api.github.com/repos/{REPO}/actions/runs/{run_id}",
            "pull_requests": [],
        }
        for run_id, group in by_run.items()
    ]
    workflows = {
        run["workflow_id"]: {"id": run["workflow_id"], "name": run["name"], "path": run["path"]}
        for run in runs
    }
    github_api.write_repo(
        "panjf2000",
        "ants",
        repository=make_repository(
            "panjf2000", "ants", id=134018330, created_at="2018-05-20T00:00:00Z"
        ),
        runs=runs + holders,
        jobs=by_run,
        workflows=list(workflows.values()),
    )
    return runs, jobs


@pytest.fixture
def collected(engine: Engine, settings: Settings, github_api: GithubApi) -> Engine:
    _scenario(github_api)
    config = settings.model_copy(update={"github_api_url": github_api.url})
    stats = collect_ci(
        engine, make_github(config), REPO, config, now=datetime(2022, 9, 10, tzinfo=UTC)
    )
    assert stats.runs == 35 + 10 and stats.jobs == 35
    return engine


def test_run_durations_and_results_agree_with_devlake(collected: Engine) -> None:
    expected = {r["id"].rsplit(":", 1)[1]: r for r in _rows("cicd_pipelines.csv")}
    real = {json.loads(r["data"])["id"] for r in _rows("_raw_github_api_runs.csv") if _real(r)}
    with Session(collected) as session:
        attempts = attempts_for(session, repo=REPO, **EVERYTHING)
    latest = {a.run_id: a for a in sorted(attempts, key=lambda a: a.attempt)}
    compared = 0
    for run_id in real:
        ours, theirs = latest[run_id], expected[str(run_id)]
        if theirs["status"] == "DONE":
            duration = attempt_duration(ours)
            assert duration is not None and duration.total_seconds() == int(theirs["duration_sec"])
            assert _result(ours.conclusion) == theirs["result"], run_id
            compared += 1
        else:  # still running: DevLake reports a duration so far, we report none yet
            assert theirs["status"] == "IN_PROGRESS" and attempt_duration(ours) is None
    assert compared == 18


def test_job_durations_and_results_agree_with_devlake(collected: Engine) -> None:
    expected = {r["id"].rsplit(":", 1)[1]: r for r in _rows("cicd_tasks.csv")}
    real = {json.loads(r["data"])["id"] for r in _rows("_raw_github_api_jobs.csv") if _real(r)}
    with Session(collected) as session:
        jobs = {
            j.job_id: j
            for j in jobs_for(
                session, attempts_for(session, repo=REPO, **EVERYTHING), repo=REPO, **EVERYTHING
            )
        }
    assert set(jobs) >= real
    cancelled = 0
    for job_id in real:
        ours, theirs = jobs[job_id], expected[str(job_id)]
        duration = job_duration(ours)
        assert duration is not None and duration.total_seconds() == int(theirs["duration_sec"])
        if ours.status != "completed":
            assert theirs["status"] == "IN_PROGRESS" and theirs["result"] == ""
        elif ours.conclusion == "cancelled":
            cancelled += 1
            assert theirs["result"] == "FAILURE"  # the one place the definitions part
        else:
            assert _result(ours.conclusion) == theirs["result"], job_id
    assert cancelled == 6
