"""The Actions endpoints (app/sandbox/actions.py) serve bodies valid under GitHub's schema."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.app.sandbox import openapi
from tests.world.github import make_check_run, make_job, make_run, make_workflow

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
SHA = "a" * 40


@pytest.fixture
def actions(github_api):
    workflow = make_workflow("acme", "app", 11, "CI", ".github/workflows/ci.yml")
    first = make_run(
        "acme", "app", 501, workflow=workflow, created=START, head_sha=SHA, conclusion="failure"
    )
    second = make_run(
        "acme",
        "app",
        501,
        workflow=workflow,
        created=START,
        head_sha=SHA,
        attempt=2,
        pull_numbers=(7,),
    )
    github_api.write_repo(
        "acme",
        "app",
        workflows=[workflow],
        runs=[second],
        run_attempts={"501": [first]},
        jobs={
            "501": [
                make_job(first, 9001, "test", conclusion="failure"),
                make_job(second, 9002, "test"),
            ]
        },
        check_runs={
            SHA: [make_check_run("acme", "app", 77, head_sha=SHA, name="lint", started=START)]
        },
    )
    return github_api


@pytest.mark.parametrize(
    "path",
    [
        "/repos/acme/app/actions/workflows",
        "/repos/acme/app/actions/workflows/11/runs",
        "/repos/acme/app/actions/runs",
        f"/repos/acme/app/actions/runs?head_sha={SHA}",
        "/repos/acme/app/actions/runs/501",
        "/repos/acme/app/actions/runs/501/attempts/1",
        "/repos/acme/app/actions/runs/501/jobs?filter=all",
        "/repos/acme/app/actions/runs/501/attempts/1/jobs",
        "/repos/acme/app/actions/jobs/9002",
        f"/repos/acme/app/commits/{SHA}/check-runs",
    ],
)
def test_actions_body_validates_against_githubs_schema(actions, path):
    answer = httpx.get(f"{actions.url}{path}")
    assert answer.status_code == 200, answer.text
    assert openapi.errors(openapi.template_for(path.split("?")[0]), answer.json()) == []
