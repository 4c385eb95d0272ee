"""`gemba demo`'s delivery check (issue #15): what the delivery collector stored against what the
demo planted: every repository's deployments from the source ladder's expected rung, and
payments-api's revert (naming the PR it reverts), incident and failed deploy counted as failures
with a time to restore."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import DeliveryFailure, Deployment, Repository
from app.core.models.base import as_utc
from app.demo import org
from app.demo.build import Manifest
from collectors.delivery.store import deployment_of_pull
from dashboards.reports.delivery import delivery_answer

DELIVERY_TEAM = "Payments"  # the team whose repositories deploy, release and revert


def check(engine: Engine, manifest: Manifest) -> list[str]:
    """What the collector stored against what the demo planted; empty when all is there."""
    planted: dict[str, dict[str, Any]] = manifest.patterns.get("delivery", {})
    problems = []
    with Session(engine) as session:
        for repo, story in planted.items():
            row = session.exec(select(Repository).where(Repository.name == repo)).first()
            if row is None:
                problems.append(f"{repo}: no repository stored")
                continue
            expected = manifest.counts[repo].get("deployments", 0)
            stored = session.exec(
                select(func.count())
                .select_from(Deployment)
                .where(Deployment.repository_id == row.id, Deployment.source == story["source"])
            ).one()
            if stored != expected:
                problems.append(
                    f"{repo}: {stored} deployments from {story['source']} stored, "
                    f"{expected} generated"
                )
            problems += _failures(session, repo, row.id or 0, story)
        problems += _keys(session, manifest)
    return problems


def _failures(session: Session, repo: str, repo_id: int, story: dict[str, Any]) -> list[str]:
    planted = []
    if "revert" in story:
        planted.append(("revert", f"pull:{story['revert']['number']}"))
    if "incident" in story:
        planted.append(("incident", f"issue:{story['incident']}"))
    if story.get("failed_deployment"):
        planted.append(("failed_status", f"deployment:{story['failed_deployment']}"))
    stored = {
        (f.kind, f.ref): f
        for f in session.exec(
            select(DeliveryFailure).where(DeliveryFailure.repository_id == repo_id)
        )
    }
    problems = [
        f"{repo}: the {kind} {ref} was not stored"
        for kind, ref in planted
        if (kind, ref) not in stored
    ]
    revert = (
        stored.get(("revert", f"pull:{story['revert']['number']}")) if "revert" in story else None
    )
    if revert is not None:
        problems += _revert(session, repo, repo_id, revert, story["revert"]["reverts"])
    return problems


def _revert(
    session: Session, repo: str, repo_id: int, revert: DeliveryFailure, reverts: int
) -> list[str]:
    """The revert names the PR the demo reverted (titles repeat), and stands against the
    deployment that shipped that PR."""
    if revert.reverted_number != reverts:
        return [
            f"{repo}: revert #{revert.number} reverts #{revert.reverted_number}, not #{reverts}"
        ]
    shipped = deployment_of_pull(session, repository_id=repo_id, number=reverts)
    if shipped is None:
        return [f"{repo}: no deployment shipped #{reverts}, which revert #{revert.number} reverts"]
    if revert.deployment_key != shipped:
        return [
            f"{repo}: revert #{revert.number} stands against {revert.deployment_key}, "
            f"not {shipped}, which shipped #{reverts}"
        ]
    return []


def _keys(session: Session, manifest: Manifest) -> list[str]:
    """The team's answer over the whole history: a change failure and a time to restore."""
    end = as_utc(session.exec(select(func.max(Deployment.deployed_at))).one())
    if end is None:
        return ["no deployment stored at all"]
    days = manifest.patterns.get("history_days", 120) + 10
    zone = org.team(DELIVERY_TEAM).timezone
    answer = delivery_answer(
        session,
        team=DELIVERY_TEAM,
        since=end - timedelta(days=days),
        until=end + timedelta(days=1),
        tz=zone,
    )
    problems = []
    if not answer.failure_rate.rate:
        problems.append(f"team {DELIVERY_TEAM}: no change failure counted")
    if answer.restore.get("median_hours") is None:
        problems.append(f"team {DELIVERY_TEAM}: no time to restore")
    return problems


def pages(manifest: Manifest) -> dict[str, list[str]]:
    """The pages that show delivery, with what each must show."""
    planted = manifest.patterns.get("delivery", {})
    story = planted.get("acme/payments-api", {})
    team = [
        "Delivery: from merge to production",
        "GitHub Deployments to production",
        "published releases",
    ]
    if story.get("revert"):
        team.append(f"Revert #{story['revert']['number']}")
    return {
        f"/teams/{DELIVERY_TEAM}?period=90d": team,
        "/repos/acme/platform-infra?period=90d": ["merges to the default branch"],
    }
