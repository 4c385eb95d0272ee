"""Turns the plan into a GitHub scenario folder that the stand-in serves to the collectors.

Layout (one folder per repository, see docs/github-sandbox.md): repository.json, pulls.json,
reviews.json, review_comments.json, pull_commits.json, timelines.json, workflows.json,
runs.json, run_attempts.json, jobs.json.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.demo import delivery, org
from app.demo import github_objects as gh
from app.demo.planned import PlannedCommit, PlannedPull, RepoPlan
from app.sandbox import objects as sandbox

WORKFLOW_NAME = "CI"
WORKFLOW_PATH = ".github/workflows/ci.yml"
JOB_MINUTES = {
    "lint": (0.8, 2.0),
    "test (3.11)": (4.0, 7.0),
    "test (3.12)": (4.0, 7.5),
    "unit": (2.0, 4.0),
    "e2e (chromium)": (9.0, 14.0),
    "plan": (3.0, 6.0),
}
FLAKY_RATE = 0.3  # of runs whose flaky job fails on the first attempt
BROKEN_RATE = 0.3  # of pushes followed by a fix on the same PR that failed for real


@dataclass
class Push:
    """A commit pushed to GitHub that started a workflow run."""

    commit: PlannedCommit
    at: datetime
    event: str
    branch: str
    actor: str
    pull: PlannedPull | None
    broken: bool = False


@dataclass
class RepoScenario:
    files: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    flaky_runs: list[int] = field(default_factory=list)


def _user(login: str) -> gh.JSON:
    return sandbox.make_user(login, "Bot" if login == org.BOT_LOGIN else "User")


class ScenarioBuilder:
    def __init__(self, plan: RepoPlan, rng: random.Random, now: datetime) -> None:
        self.plan = plan
        self.rng = rng
        self.now = now
        spec = plan.spec
        self.full_name = spec.full_name
        pushed_at = max((p.updated_at for p in plan.pulls), default=plan.initial[0].authored_at)
        self.repo = sandbox.make_repository(
            org.OWNER,
            spec.name,
            id=gh.stable_id("repo", spec.full_name),
            private=True,
            created_at=gh.iso(plan.initial[0].authored_at),
            description=spec.description,
            language="Python",
            pushed_at=gh.iso(pushed_at),
            updated_at=gh.iso(pushed_at),
        )
        self.workflow = gh.workflow(
            spec.full_name,
            name=WORKFLOW_NAME,
            path=WORKFLOW_PATH,
            created_at=plan.initial[0].authored_at,
        )
        self.out = RepoScenario()

    # -- pull requests ---------------------------------------------------------------------
    def pulls(self) -> None:
        pulls, reviews, comments, commits, timelines = [], {}, {}, {}, {}
        review_total = comment_total = 0
        for pull in self.plan.pulls:
            key = str(pull.number)
            head = pull.commits[-1]
            review_objs, comment_objs = self._reviews(pull)
            review_total += len(review_objs)
            comment_total += len(comment_objs)
            reviews[key] = review_objs
            comments[key] = comment_objs
            commits[key] = [self._commit(c) for c in pull.commits]
            timelines[key] = self._timeline(pull)
            still_requested = [] if pull.reviews else pull.requested
            edits = [e for c in pull.commits for e in c.edits]
            pulls.append(
                sandbox.make_pull(
                    org.OWNER,
                    self.plan.spec.name,
                    pull.number,
                    author=_user(pull.author),
                    title=pull.title,
                    state="closed" if pull.closed_at else "open",
                    draft=pull.ready_at is None,
                    created_at=gh.iso(pull.created_at),
                    updated_at=gh.iso(pull.updated_at),
                    closed_at=gh.iso(pull.closed_at),
                    merged_at=gh.iso(pull.merged_at),
                    head_ref=pull.head_ref,
                    head_sha=head.sha,
                    labels=pull.labels,
                    requested_reviewers=[_user(login) for login in still_requested],
                    additions=sum(e.add + e.modify + e.create for e in edits),
                    deletions=sum(e.delete + e.modify for e in edits),
                    changed_files=len({e.path for e in edits}),
                    commits=len(pull.commits),
                    review_comments=len(comment_objs),
                    repository=self.repo,
                    body=delivery.pull_body(self.plan, pull),
                    merge_commit_sha=head.sha if pull.merged_at else None,  # rebase-merged
                )
            )
        self.out.files.update(
            {
                "repository.json": self.repo,
                "pulls.json": pulls,
                "reviews.json": reviews,
                "review_comments.json": comments,
                "pull_commits.json": commits,
                "timelines.json": timelines,
                "commits.json": [self._commit(c) for c in reversed(self._main())],
            }
        )
        self.out.counts.update(
            pulls=len(pulls),
            reviews=review_total,
            review_comments=comment_total,
            commits=len(self.plan.initial)
            + sum(len(p.commits) for p in self.plan.pulls if p.merged_at),
        )

    def _main(self) -> list[PlannedCommit]:
        """The default branch's commits, oldest first, as the git history wrote them."""
        merged = sorted((p for p in self.plan.pulls if p.merged_at), key=lambda p: p.merged_at)  # type: ignore[arg-type,return-value]
        return [*self.plan.initial, *(c for p in merged for c in p.commits)]

    def _reviews(self, pull: PlannedPull) -> tuple[list[gh.JSON], list[gh.JSON]]:
        reviews, comments = [], []
        for index, planned in enumerate(pull.reviews):
            body = sandbox.make_review(
                org.OWNER,
                self.plan.spec.name,
                pull.number,
                reviewer=_user(planned.reviewer),
                state=planned.state,
                body=planned.body,
                submitted_at=gh.iso(planned.submitted_at),
                commit_id=pull.commits[planned.commit_index].sha,
                id=gh.stable_id("review", self.full_name, pull.number, index),
            )
            reviews.append(body)
            for c_index, (path, text) in enumerate(planned.comments):
                comment = sandbox.make_review_comment(
                    org.OWNER,
                    self.plan.spec.name,
                    pull.number,
                    author=_user(planned.reviewer),
                    review_id=body["id"],
                    created_at=gh.iso(planned.submitted_at - timedelta(minutes=c_index + 1)),
                    body=text,
                    path=path,
                    line=4 + c_index,
                    id=gh.stable_id("comment", self.full_name, pull.number, index, c_index),
                )
                comment["commit_id"] = comment["original_commit_id"] = body["commit_id"]
                comments.append(comment)
        return reviews, comments

    def _commit(self, planned: PlannedCommit) -> gh.JSON:
        if planned.author == org.BOT_LOGIN:
            name, email, login = org.BOT_NAME, org.BOT_EMAIL, org.BOT_LOGIN
        else:
            person = org.member(planned.author)
            name, email, login = person.name, person.email, person.login
        commit = sandbox.make_commit(
            org.OWNER,
            self.plan.spec.name,
            sha=planned.sha,
            author=_user(login),
            name=name,
            email=email,
            authored_at=gh.iso(planned.authored_at) or "",
            message=planned.message,
            parents=[planned.parent_sha] if planned.parent_sha else [],
        )
        tree = commit["commit"]["tree"]
        tree["url"] = tree["url"].replace(tree["sha"], planned.tree_sha)
        tree["sha"] = planned.tree_sha
        return commit

    def _timeline(self, pull: PlannedPull) -> list[gh.JSON]:
        author = _user(pull.author)
        events: list[tuple[datetime, str, gh.JSON, gh.JSON]] = []
        for login in pull.requested:
            extra = {"review_requester": author, "requested_reviewer": _user(login)}
            events.append((pull.created_at, "review_requested", author, extra))
        if pull.opened_as_draft and pull.ready_at:
            events.append((pull.ready_at, "ready_for_review", author, {}))
        for planned in pull.reviews:
            events.append((planned.submitted_at, "reviewed", _user(planned.reviewer), {}))
        if pull.merged_at:
            extra = {"commit_id": pull.commits[-1].sha}
            events.append((pull.merged_at, "merged", author, extra))
        if pull.closed_at:
            events.append((pull.closed_at, "closed", author, {}))
        events.sort(key=lambda e: e[0])
        out = []
        for index, (moment, event, actor, extra) in enumerate(events):
            if event == "reviewed":
                continue  # reviews are listed by their own endpoint
            out.append(
                sandbox.make_timeline_event(
                    org.OWNER,
                    self.plan.spec.name,
                    pull.number,
                    event,
                    actor=actor,
                    created_at=gh.iso(moment) or "",
                    id=gh.stable_id("event", self.full_name, pull.number, index, digits=10),
                    **extra,
                )
            )
        return out

    # -- workflow runs ----------------------------------------------------------------------
    def _pushes(self) -> list[Push]:
        pushes: list[Push] = []
        for pull in self.plan.pulls:
            first_push = [c for c in pull.commits if c.authored_at <= pull.created_at]
            start = len(first_push) - 1 if first_push else 0
            for index, commit in enumerate(pull.commits[start:], start):
                at = (
                    pull.created_at if index == start else commit.authored_at + timedelta(minutes=2)
                )
                pushes.append(Push(commit, at, "pull_request", pull.head_ref, pull.author, pull))
            if pull.merged_at:
                actor = pull.author
                pushes.append(Push(pull.commits[-1], pull.merged_at, "push", "main", actor, None))
        for earlier, later in itertools.pairwise(pushes):
            same_pull = earlier.pull is not None and earlier.pull is later.pull
            if same_pull and self.rng.random() < BROKEN_RATE:
                earlier.broken = True
        pushes.sort(key=lambda p: p.at)
        return [p for p in pushes if p.at + timedelta(minutes=30) < self.now]

    def runs(self) -> None:
        runs, attempts, jobs = [], {}, {}
        flaky_job = self.plan.spec.flaky_job
        job_total = 0
        for number, push in enumerate(self._pushes(), start=1):
            run_id = gh.stable_id("run", self.full_name, number, digits=10)
            flaky = flaky_job is not None and not push.broken and self.rng.random() < FLAKY_RATE
            plan_attempts = [("failure", flaky_job)] if flaky else []
            if not push.broken and self._hotspot_flakes(push):
                plan_attempts = [("failure", org.HOTSPOT_FLAKY_JOB)]
            if push.broken:
                plan_attempts = [("failure", self.plan.spec.jobs[-1])]
            else:
                plan_attempts.append(("success", None))
            started = push.at + timedelta(seconds=self.rng.randint(3, 20))
            attempt_objs, job_objs = [], []
            for attempt, (conclusion, failing_job) in enumerate(plan_attempts, start=1):
                attempt_jobs, finished = self._jobs(run_id, attempt, started, failing_job)
                run = gh.workflow_run(
                    self.repo,
                    self.workflow,
                    run_id=run_id,
                    run_number=number,
                    attempt=attempt,
                    event=push.event,
                    head_branch=push.branch,
                    head_sha=push.commit.sha,
                    head_message=push.commit.message,
                    author_name=self._name(push.commit.author),
                    author_email=self._email(push.commit.author),
                    actor=_user(push.actor),
                    triggering_actor=_user(push.actor),
                    status="completed",
                    conclusion=conclusion,
                    created_at=push.at,
                    run_started_at=started,
                    updated_at=finished,
                    pull_requests=(
                        [
                            gh.run_pull_request(
                                self.repo,
                                number=push.pull.number,
                                head_ref=push.branch,
                                head_sha=push.commit.sha,
                            )
                        ]
                        if push.pull
                        else []
                    ),
                )
                job_objs += [gh.job(self.repo, run, **spec) for spec in attempt_jobs]
                attempt_objs.append(run)
                started = finished + timedelta(minutes=self.rng.uniform(8, 45))
            if len(plan_attempts) > 1:
                self.out.flaky_runs.append(run_id)
            runs.append(attempt_objs[-1])
            attempts[str(run_id)] = attempt_objs
            jobs[str(run_id)] = job_objs
            job_total += len(job_objs)
        self.out.files.update(
            {
                "workflows.json": [self.workflow],
                "runs.json": runs,
                "run_attempts.json": attempts,
                "jobs.json": jobs,
            }
        )
        self.out.counts.update(
            runs=len(runs), run_attempts=sum(len(a) for a in attempts.values()), jobs=job_total
        )

    def _hotspot_flakes(self, push: Push) -> bool:
        """An open PR's push that touches the hotspot: its ledger tests flake once."""
        hotspot, pull = self.plan.spec.hotspot, push.pull
        if hotspot is None or pull is None or pull.state != "open":
            return False
        return any(e.path == hotspot for c in pull.commits for e in c.edits)

    def _jobs(
        self, run_id: int, attempt: int, started: datetime, failing_job: str | None
    ) -> tuple[list[dict[str, Any]], datetime]:
        specs, finished = [], started
        for name in self.plan.spec.jobs:
            queue = timedelta(seconds=self.rng.uniform(4, 40))
            if self.plan.spec.name == "platform-infra" and self.rng.random() < 0.15:
                queue = timedelta(minutes=self.rng.uniform(4, 12))  # shared runners busy
            low, high = JOB_MINUTES[name]
            begin = started + queue
            end = begin + timedelta(minutes=self.rng.uniform(low, high))
            conclusion = "failure" if name == failing_job else "success"
            steps = self._steps(name, conclusion, begin, end)
            specs.append(
                {
                    "job_id": gh.stable_id("job", run_id, attempt, name, digits=11),
                    "name": name,
                    "conclusion": conclusion,
                    "created_at": started,
                    "started_at": begin,
                    "completed_at": end,
                    "runner": f"GitHub Actions {self.rng.randint(1, 40)}",
                    "steps": steps,
                }
            )
            finished = max(finished, end)
        return specs, finished

    def _steps(
        self, name: str, conclusion: str, begin: datetime, end: datetime
    ) -> list[tuple[str, str, datetime, datetime]]:
        setup = begin + timedelta(seconds=8)
        checkout = setup + timedelta(seconds=5)
        work_end = end - timedelta(seconds=2)
        return [
            ("Set up job", "success", begin, setup),
            ("Run actions/checkout@v4", "success", setup, checkout),
            (f"Run {name}", conclusion, checkout, work_end),
            ("Complete job", "success", work_end, end),
        ]

    def _name(self, login: str) -> str:
        return org.BOT_NAME if login == org.BOT_LOGIN else org.member(login).name

    def _email(self, login: str) -> str:
        return org.BOT_EMAIL if login == org.BOT_LOGIN else org.member(login).email


def write_scenario(plan: RepoPlan, root: Path, rng: random.Random, now: datetime) -> RepoScenario:
    """Write one repository's scenario files under root/<owner>/<repo>/ and return counts."""
    builder = ScenarioBuilder(plan, rng, now)
    builder.pulls()
    builder.runs()
    folder = root / plan.spec.full_name
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in builder.out.files.items():
        (folder / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
    return builder.out
