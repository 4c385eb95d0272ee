"""`ci_flaky` nudges: a run on someone's PR failed in a job that is flaky in that repository.

Flaky is the `gemba ci flaky` definition (the same commit failed and passed) over the last 14
days; only failures of the last day are told, with the run and how to re-run it. The author is
also asked whether it got in their way (a `prompt` on the run).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.core.models import Job, PullRequest, Repository, WorkflowRun
from app.core.models.base import as_utc
from dashboards.reports.ci import flaky_report
from dashboards.reports.nudges_due import DueNudge, team_of

FLAKY_WINDOW = timedelta(days=14)
TOLD_WITHIN = timedelta(days=1)


def _failed_jobs(db: Session, repo: Repository, since: datetime):
    return db.exec(
        select(WorkflowRun, Job)
        .join(Job, col(Job.run_id) == col(WorkflowRun.id))
        .where(
            WorkflowRun.repository_id == repo.id,
            col(WorkflowRun.created_at) >= since,
            Job.conclusion == "failure",
        )
        .order_by(col(WorkflowRun.id), col(Job.id))
    )


def ci_flaky(db: Session, now: datetime) -> list[DueNudge]:
    """One `ci_flaky` and one `prompt` per failed run on a PR whose failed job is flaky here."""
    due: list[DueNudge] = []
    for repo in db.exec(select(Repository)):
        report = flaky_report(db, repo=repo.name, since=now - FLAKY_WINDOW, until=now)
        flaky = {(job.workflow, job.job) for job in report.jobs}
        told: set[int] = set()
        for run, job in _failed_jobs(db, repo, now - TOLD_WITHIN) if flaky else []:
            if run.id in told or (run.name, job.name) not in flaky or not run.pull_numbers:
                continue
            pull = db.exec(
                select(PullRequest).where(
                    PullRequest.repository_id == repo.id,
                    PullRequest.number == run.pull_numbers[0],
                )
            ).first()
            team = team_of(db, pull.author_login) if pull else None
            if pull is None or pull.author_login is None or team is None or team.id is None:
                continue
            told.add(run.id)
            stretch = f"{as_utc(run.created_at):%Y-%m-%d}#{job.run_attempt}"
            text = (
                f"CI failed on your PR #{pull.number} in {run.name} / {job.name}, a job that is "
                f"flaky in {repo.name} (it failed and passed on one commit in the last 14 days). "
                f"Re-run it with “Re-run failed jobs” on the run, or `gh run rerun {run.id} "
                f"--failed -R {repo.name}`."
            )
            item = f"run:{run.id}"
            due.append(
                DueNudge("ci_flaky", pull.author_login, team.id, item, stretch, text, run.html_url)
            )
            asked = f"Your PR #{pull.number} hit the flaky job {run.name} / {job.name}."
            due.append(
                DueNudge("prompt", pull.author_login, team.id, item, stretch, asked, run.html_url)
            )
    return due
