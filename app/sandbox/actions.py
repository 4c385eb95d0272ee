"""GitHub Actions endpoints of the stand-in: workflows, runs, attempts, jobs, and check runs.

Scenario files (per `<owner>/<repo>` folder, all optional):
- `workflows.json`: list of workflow objects (`GET /actions/workflows/{id}` form).
- `runs.json`: list of workflow runs as `GET /actions/runs/{id}` returns them, i.e. each run as
  of its latest attempt (`run_attempt` = n).
- `run_attempts.json`: {run_id: [earlier attempts as `/attempts/{n}` returns them]}; the latest
  attempt is the run itself and need not be repeated.
- `jobs.json`: {run_id: [jobs of every attempt, each with its `run_attempt`]}.
- `check_runs.json`: {head_sha: [check runs, any app]} for `GET /commits/{sha}/check-runs`.

Run listings behave like GitHub's: newest first, filtered by status (a status or a conclusion),
branch, event, actor, head_sha, check_suite_id and `created` (search date syntax), and capped at
1,000 results when any of those filters is used: `total_count` stays the real count but items
past the 1,000th are never served, so a collector must split its time window.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from app.sandbox.routing import (
    Request,
    Response,
    Router,
    not_found,
    paginate,
    parse_time,
    query_choice,
    query_int,
    validation_failed,
)

REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
RUN = r"/actions/runs/(?P<run_id>\d+)"
ATTEMPT = r"/attempts/(?P<attempt>\d+)"
DOCS = "https://docs.github.com/rest/actions/workflow-runs"
RESULT_CAP = 1000
# GitHub: "up to 1,000 results for each search when using the following parameters".
CAPPED_FILTERS = ("actor", "branch", "check_suite_id", "created", "event", "head_sha", "status")


def add_routes(router: Router) -> None:
    router.get(f"{REPO}/actions/workflows", list_workflows)
    router.get(f"{REPO}/actions/workflows/(?P<workflow>[^/]+)", get_workflow)
    router.get(f"{REPO}/actions/workflows/(?P<workflow>[^/]+)/runs", list_workflow_runs)
    router.get(f"{REPO}/actions/runs", list_runs)
    router.get(f"{REPO}{RUN}", get_run)
    router.get(f"{REPO}{RUN}{ATTEMPT}", get_attempt)
    router.get(f"{REPO}{RUN}/jobs", list_jobs)
    router.get(f"{REPO}{RUN}{ATTEMPT}/jobs", list_attempt_jobs)
    router.get(f"{REPO}/actions/jobs/(?P<job_id>\\d+)", get_job)
    router.get(f"{REPO}/commits/(?P<ref>[^/]+)/check-runs", list_check_runs)


# --------------------------------------------------------------------------- workflows


def _workflow(request: Request) -> dict[str, Any]:
    """A workflow by numeric id or by file name (`ci.yml`), as GitHub accepts both."""
    wanted = request.params["workflow"]
    for workflow in request.repo_data().list("workflows.json"):
        path = str(workflow.get("path", ""))
        if str(workflow.get("id")) == wanted or path.rsplit("/", 1)[-1] == wanted:
            return workflow
    raise not_found("https://docs.github.com/rest/actions/workflows#get-a-workflow")


def list_workflows(request: Request) -> Response:
    return paginate(request, request.repo_data().list("workflows.json"), wrap="workflows")


def get_workflow(request: Request) -> Response:
    return Response(200, _workflow(request))


# --------------------------------------------------------------------------- run listings


def _bound(text: str, *, upper: bool) -> datetime:
    """One end of a `created` range: a date means the whole day, a time is exact."""
    try:
        if "T" not in text:
            day = datetime.fromisoformat(text).date()
            moment = datetime.combine(day, time.min, UTC)
            return moment + timedelta(days=1) - timedelta(microseconds=1) if upper else moment
        parsed = parse_time(text)
    except ValueError as error:
        raise validation_failed("created", f"invalid date: {text}") from error
    assert parsed is not None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def created_range(expression: str) -> tuple[datetime | None, datetime | None]:
    """GitHub's date search syntax as an inclusive [low, high]: `a..b`, `>=a`, `>a`, `<b`,
    `<=b`, `a..*`, `*..b`, or one date (that whole day)."""
    text = expression.strip()
    if ".." in text:
        low, high = text.split("..", 1)
        return (
            None if low in ("", "*") else _bound(low, upper=False),
            None if high in ("", "*") else _bound(high, upper=True),
        )
    for prefix in (">=", "<=", ">", "<"):
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            if prefix == ">=":
                return _bound(rest, upper=False), None
            if prefix == "<=":
                return None, _bound(rest, upper=True)
            if prefix == ">":
                return _bound(rest, upper=True) + timedelta(microseconds=1), None
            return None, _bound(rest, upper=False) - timedelta(microseconds=1)
    return _bound(text, upper=False), _bound(text, upper=True)


def _matches(
    run: dict[str, Any], request: Request, low: datetime | None, high: datetime | None
) -> bool:
    query = request.query
    if (status := query.get("status")) and status not in (run.get("status"), run.get("conclusion")):
        return False
    if (branch := query.get("branch")) and run.get("head_branch") != branch:
        return False
    if (event := query.get("event")) and run.get("event") != event:
        return False
    if (sha := query.get("head_sha")) and run.get("head_sha") != sha:
        return False
    if (actor := query.get("actor")) and (run.get("actor") or {}).get("login") != actor:
        return False
    if (suite := query.get("check_suite_id")) and str(run.get("check_suite_id")) != suite:
        return False
    created = parse_time(run.get("created_at"))
    if created is None:
        return low is None and high is None
    return (low is None or created >= low) and (high is None or created <= high)


def _run_listing(request: Request, runs: list[dict[str, Any]]) -> Response:
    low, high = (
        created_range(request.query["created"]) if request.query.get("created") else (None, None)
    )
    selected = [run for run in runs if _matches(run, request, low, high)]
    selected.sort(key=lambda r: (r.get("created_at") or "", r.get("id") or 0), reverse=True)
    if request.query.get("exclude_pull_requests", "").lower() in ("true", "1"):
        selected = [{**run, "pull_requests": []} for run in selected]
    response = paginate(request, selected, wrap="workflow_runs")
    if any(request.query.get(name) for name in CAPPED_FILTERS):
        per_page = query_int(request, "per_page", 30, maximum=100)
        offset = (query_int(request, "page", 1) - 1) * per_page
        allowed = max(0, RESULT_CAP - offset)
        response.body["workflow_runs"] = response.body["workflow_runs"][:allowed]
    return response


def list_runs(request: Request) -> Response:
    return _run_listing(request, request.repo_data().list("runs.json"))


def list_workflow_runs(request: Request) -> Response:
    workflow_id = _workflow(request).get("id")
    runs = [r for r in request.repo_data().list("runs.json") if r.get("workflow_id") == workflow_id]
    return _run_listing(request, runs)


# --------------------------------------------------------------------------- one run


def _run(request: Request) -> dict[str, Any]:
    run_id = int(request.params["run_id"])
    for run in request.repo_data().list("runs.json"):
        if run.get("id") == run_id:
            return run
    raise not_found(f"{DOCS}#get-a-workflow-run")


def get_run(request: Request) -> Response:
    return Response(200, _run(request))


def get_attempt(request: Request) -> Response:
    """The run as it was at attempt n: the run itself for its latest attempt."""
    run = _run(request)
    number = int(request.params["attempt"])
    if number == run.get("run_attempt", 1):
        return Response(200, run)
    for attempt in request.repo_data().by_key("run_attempts.json", run["id"]):
        if attempt.get("run_attempt") == number:
            return Response(200, attempt)
    raise not_found(f"{DOCS}#get-a-workflow-run-attempt")


# --------------------------------------------------------------------------- jobs


def _jobs(request: Request) -> list[dict[str, Any]]:
    run = _run(request)
    return request.repo_data().by_key("jobs.json", run["id"])


def list_jobs(request: Request) -> Response:
    """`filter=latest` (GitHub's default): jobs of the latest attempt; `all`: every attempt."""
    which = query_choice(request, "filter", ("latest", "all"), "latest")
    jobs = _jobs(request)
    if which == "latest":
        latest = _run(request).get("run_attempt", 1)
        jobs = [job for job in jobs if job.get("run_attempt", 1) == latest]
    return paginate(request, jobs, wrap="jobs")


def list_attempt_jobs(request: Request) -> Response:
    number = int(request.params["attempt"])
    if number > _run(request).get("run_attempt", 1) or number < 1:
        raise not_found("https://docs.github.com/rest/actions/workflow-jobs")
    jobs = [job for job in _jobs(request) if job.get("run_attempt", 1) == number]
    return paginate(request, jobs, wrap="jobs")


def get_job(request: Request) -> Response:
    job_id = int(request.params["job_id"])
    for jobs in request.repo_data().mapping("jobs.json").values():
        for job in jobs:
            if job.get("id") == job_id:
                return Response(200, job)
    raise not_found(
        "https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run"
    )


# --------------------------------------------------------------------------- check runs


def list_check_runs(request: Request) -> Response:
    """Check runs of a commit, any app; `filter=latest` keeps the newest per check name."""
    which = query_choice(request, "filter", ("latest", "all"), "latest")
    checks = request.repo_data().by_key("check_runs.json", request.params["ref"])
    if (status := request.query.get("status")) and status not in (
        "queued",
        "in_progress",
        "completed",
    ):
        raise validation_failed("status", "status must be one of: queued, in_progress, completed")
    if status:
        checks = [c for c in checks if c.get("status") == status]
    if name := request.query.get("check_name"):
        checks = [c for c in checks if c.get("name") == name]
    if app_id := request.query.get("app_id"):
        checks = [c for c in checks if str((c.get("app") or {}).get("id")) == app_id]
    if which == "latest":
        newest: dict[str, dict[str, Any]] = {}
        for check in checks:
            name = str(check.get("name"))
            if name not in newest or (check.get("started_at") or "") >= (
                newest[name].get("started_at") or ""
            ):
                newest[name] = check
        checks = list(newest.values())
    return paginate(request, checks, wrap="check_runs")
