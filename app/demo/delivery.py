"""The demo's way to production: deployments, releases, a revert and an incident (issue #15).

Each repository shows a different rung of the delivery source ladder:
- payments-api deploys with GitHub Deployments, to `staging` and then `production`, on every
  workday when main changed since the last deploy (one production deploy fails and is re-run);
  a PR gets reverted the next morning (`Revert "..."`), and an incident issue follows a deploy;
- checkout-web publishes a release (and its tag) on Thursdays, with one pre-release before it;
- platform-infra has neither, so every merge counts as its deployment.

Everything is derived from the plan after the git history gave the commits their SHAs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.demo import github_objects as gh
from app.demo import org
from app.demo.clock import is_workday, local_time
from app.demo.planned import Edit, PlannedCommit, PlannedPull, PlannedReview, RepoPlan, new_pull
from app.sandbox import delivery_objects as objects
from app.sandbox.base_objects import make_label, make_user, node_id
from app.sandbox.pulls import issue_from_pull

DEPLOYS = "payments-api"
RELEASES = "checkout-web"
DEPLOY_HOUR = 16.0  # local: production deploys at four, staging an hour earlier
RELEASE_WEEKDAY = 3  # Thursday
RELEASE_HOUR = 14.0
FAILED_DEPLOY_DAYS_AGO = 30  # the production deploy whose first attempt fails
INCIDENT_DAYS_AGO = 5
INCIDENT_TITLE = "Refunds stuck in pending after the afternoon deploy"
REVERT_AUTHOR_FALLBACK = "bruno"


# -- the revert PR, planned with the other PRs ---------------------------------------------
def plan_revert(pulls: list[PlannedPull], today: date, offset: int) -> PlannedPull | None:
    """`Revert "Title"` of a real merged PR, opened the next working morning by its author and
    merged before that day's deploy; None when no PR fits (the demo always has one)."""
    newest, oldest = today - timedelta(days=8), today - timedelta(days=21)
    candidates = [
        p
        for p in pulls
        if p.merged_at
        and p.author != org.BOT_LOGIN
        and oldest <= (p.merged_at + timedelta(hours=offset)).date() <= newest
        and (p.merged_at + timedelta(hours=offset)).hour < DEPLOY_HOUR - 1
        and is_workday((p.merged_at + timedelta(hours=offset)).date())
    ]
    if not candidates:
        return None
    reverted = max(candidates, key=lambda p: p.merged_at or p.created_at)
    assert reverted.merged_at is not None
    day = (reverted.merged_at + timedelta(hours=offset)).date() + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    created = local_time(day, 9.5, offset)
    paths = [e.path for c in reverted.commits for e in c.edits]
    commit = PlannedCommit(
        reverted.author,
        created - timedelta(minutes=8),
        f'Revert "{reverted.title}"',
        [Edit(path, modify=2) for path in dict.fromkeys(paths)],
    )
    pull = new_pull(reverted.author, commit.message, created, [commit], ["bug"])
    reviewer = org.BUSY_REVIEWER if reverted.author != org.BUSY_REVIEWER else "amara"
    approved = created + timedelta(minutes=40)
    pull.requested = [reviewer]
    pull.reviews.append(PlannedReview(reviewer, "APPROVED", approved, "Revert it, yes.", 0))
    pull.state, pull.merged_at = "merged", approved + timedelta(minutes=15)
    pull.closed_at = pull.merged_at
    pull.reverts = reverted
    return pull


def pull_body(plan: RepoPlan, pull: PlannedPull) -> str:
    """GitHub's revert body names the reverted PR; every other PR points at the roadmap."""
    if pull.reverts is not None:
        reverted = f"{plan.spec.full_name}#{pull.reverts.number}"
        return f"Reverts {reverted}\n\nIt broke refunds in production."
    return f"{pull.title}.\n\nPart of the {plan.spec.name} roadmap."


# -- deployments, releases and the incident, after the SHAs are known ---------------------
@dataclass
class Delivered:
    """What one repository's delivery files hold, for the manifest and the demo check."""

    files: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    patterns: dict[str, Any] = field(default_factory=dict)


def _main_history(plan: RepoPlan) -> list[tuple[datetime, str]]:
    """(when it reached main, SHA of main then), oldest first."""
    moments = [(plan.initial[-1].authored_at, plan.initial[-1].sha)]
    merged = sorted((p for p in plan.pulls if p.merged_at), key=lambda p: p.merged_at)  # type: ignore[arg-type,return-value]
    moments += [(p.merged_at, p.commits[-1].sha) for p in merged if p.merged_at]
    return moments


def _head_at(history: list[tuple[datetime, str]], moment: datetime) -> str:
    return [sha for at, sha in history if at <= moment][-1]


def _days(plan: RepoPlan, now: datetime) -> list[date]:
    first = plan.initial[-1].authored_at.date() + timedelta(days=1)
    return [
        first + timedelta(days=n)
        for n in range((now.date() - first).days)
        if is_workday(first + timedelta(days=n))
    ]


def _iso(moment: datetime) -> str:
    return gh.iso(moment) or ""


class Deployer:
    """Writes one repository's deployments (with statuses) as GitHub Deployments hold them."""

    def __init__(self, plan: RepoPlan) -> None:
        self.owner, self.name = org.OWNER, plan.spec.name
        self.deployments: list[dict[str, Any]] = []
        self.statuses: dict[str, list[dict[str, Any]]] = {}

    def deploy(self, sha: str, environment: str, at: datetime, states: list[str]) -> dict:
        deployment = objects.make_deployment(
            self.owner,
            self.name,
            sha,
            id=gh.stable_id("deployment", self.name, environment, at.isoformat()),
            environment=environment,
            created_at=_iso(at),
            creator="github-actions[bot]",
            description=f"Deploy {sha[:7]} to {environment}",
        )
        self.deployments.append(deployment)
        self.statuses[str(deployment["id"])] = [
            objects.make_deployment_status(
                deployment,
                state,
                id=gh.stable_id("status", deployment["id"], index),
                created_at=_iso(at + timedelta(minutes=1 + 3 * index)),
                creator="github-actions[bot]",
            )
            for index, state in enumerate(states)
        ]
        return deployment


def deployments(plan: RepoPlan, now: datetime) -> Delivered:
    """Staging, then production, each workday main moved; one failed production attempt."""
    offset = org.team(plan.spec.team).utc_offset_hours
    history = _main_history(plan)
    deployer = Deployer(plan)
    failed_day = (now - timedelta(days=FAILED_DEPLOY_DAYS_AGO)).date()
    incident_day = (now - timedelta(days=INCIDENT_DAYS_AGO)).date()
    live, failed, incident_after = "", None, None
    for day in _days(plan, now):
        at = local_time(day, DEPLOY_HOUR, offset)
        sha = _head_at(history, at)
        if sha == live or at >= now:
            continue
        deployer.deploy(sha, "staging", at - timedelta(hours=1), ["in_progress", "success"])
        if failed is None and day >= failed_day:
            failed = deployer.deploy(sha, "production", at, ["in_progress", "failure"])
            at += timedelta(minutes=50)  # re-run once the runner is healthy again
        shipped = deployer.deploy(sha, "production", at, ["in_progress", "success"])
        if incident_after is None and day >= incident_day:
            incident_after = shipped
        live = sha
    out = Delivered()
    out.files = {
        "deployments.json": sorted(deployer.deployments, key=lambda d: d["created_at"]),
        "deployment_statuses.json": deployer.statuses,
        "environments.json": [
            objects.make_environment(org.OWNER, plan.spec.name, name, at=_iso(history[0][0]))
            for name in ("production", "staging")
        ],
    }
    production = [
        d
        for d in deployer.deployments
        if d["environment"] == "production"
        and deployer.statuses[str(d["id"])][-1]["state"] == "success"
    ]
    out.counts = {"deployments": len(production)}
    out.patterns = {"source": "deployments", "failed_deployment": failed and failed["id"]}
    if incident_after is not None:
        issue = _incident(plan, incident_after)
        out.files["issues.json"] = [issue]
        out.patterns["incident"] = issue["number"]
    revert = next((p for p in plan.pulls if p.reverts is not None), None)
    if revert is not None and revert.reverts is not None:
        out.patterns["revert"] = {"number": revert.number, "reverts": revert.reverts.number}
    return out


def _incident(plan: RepoPlan, after: dict[str, Any]) -> dict[str, Any]:
    """An issue labelled `incident`, opened after a production deploy, closed three hours on."""
    opened = datetime.fromisoformat(after["created_at"]) + timedelta(minutes=95)
    closed = opened + timedelta(hours=3, minutes=10)
    number = max(p.number for p in plan.pulls) + 1
    body = {
        key: value
        for key, value in issue_from_pull(
            {
                "id": gh.stable_id("issue", plan.spec.full_name, number),
                "node_id": node_id("Issue", gh.stable_id("issue", plan.spec.full_name, number)),
                "url": f"{gh.API}/repos/{plan.spec.full_name}/issues/{number}",
                "number": number,
                "title": INCIDENT_TITLE,
                "user": make_user("bruno"),
                "labels": [make_label(org.OWNER, plan.spec.name, "incident", "b60205")],
                "state": "closed",
                "created_at": _iso(opened),
                "updated_at": _iso(closed),
                "closed_at": _iso(closed),
                "html_url": f"{gh.WEB}/{plan.spec.full_name}/issues/{number}",
                "body": "Refund webhooks time out since the deploy; rolling forward a fix.",
            }
        ).items()
        if key != "pull_request"
    }
    body["state_reason"] = "completed"
    return body


def releases(plan: RepoPlan, now: datetime) -> Delivered:
    """A release and its tag each Thursday main moved, and a pre-release the Tuesday before."""
    offset = org.team(plan.spec.team).utc_offset_hours
    history = _main_history(plan)
    bodies, tags, released = [], [], ""
    for day in _days(plan, now):
        if day.weekday() != RELEASE_WEEKDAY:
            continue
        at = local_time(day, RELEASE_HOUR, offset)
        sha = _head_at(history, at)
        if sha == released or at >= now:
            continue
        version = f"v1.{len(tags)}.0"
        if len(tags) == 3:  # once, a release candidate two days before
            candidate = f"{version}-rc.1"
            rc_at = at - timedelta(days=2)
            bodies.append(_release(plan, candidate, rc_at, prerelease=True))
            tags.append(
                objects.make_tag(org.OWNER, plan.spec.name, candidate, _head_at(history, rc_at))
            )
        bodies.append(_release(plan, version, at, prerelease=False))
        tags.append(objects.make_tag(org.OWNER, plan.spec.name, version, sha))
        released = sha
    out = Delivered()
    out.files = {"releases.json": bodies, "tags.json": list(reversed(tags))}
    out.counts = {"deployments": sum(1 for r in bodies if not r["prerelease"])}
    out.patterns = {"source": "releases"}
    return out


def _release(plan: RepoPlan, tag: str, at: datetime, *, prerelease: bool) -> dict[str, Any]:
    return objects.make_release(
        org.OWNER,
        plan.spec.name,
        tag,
        id=gh.stable_id("release", plan.spec.full_name, tag),
        created_at=_iso(at - timedelta(minutes=5)),
        published_at=_iso(at),
        prerelease=prerelease,
        author=plan.spec.founder,
    )


def write_delivery(plan: RepoPlan, root: Path, now: datetime) -> Delivered:
    """Write the repository's delivery files beside its other scenario files."""
    if plan.spec.name == DEPLOYS:
        out = deployments(plan, now)
    elif plan.spec.name == RELEASES:
        out = releases(plan, now)
    else:
        merges = sum(1 for p in plan.pulls if p.merged_at)
        return Delivered(counts={"deployments": merges}, patterns={"source": "merges"})
    folder = root / plan.spec.full_name
    for name, body in out.files.items():
        (folder / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
    return out
