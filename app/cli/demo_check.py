"""What `gemba demo --check` compares: the rows the collectors stored against what the demo
generated, and the pages the manager opens against the patterns planted in them."""

from __future__ import annotations

import html
import urllib.request
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import demo_delivery
from app.core.models import (
    Commit,
    FrictionFlag,
    Job,
    Person,
    PullRequest,
    Repository,
    Review,
    WorkflowRun,
)
from app.demo import org
from app.demo.build import Manifest

DEVELOPER = org.WAITING_AUTHOR


def counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Rows per repository for what the demo generated (the `--check` comparison)."""
    out: dict[str, dict[str, int]] = {}
    with Session(engine) as session:
        for repo in session.exec(select(Repository)).all():

            def n(model: Any, *where: Any) -> int:
                return int(
                    session.exec(select(func.count()).select_from(model).where(*where)).one()
                )

            out[repo.name] = {
                "commits": n(Commit, Commit.repository_id == repo.id),
                "pulls": n(PullRequest, PullRequest.repository_id == repo.id),
                "reviews": int(
                    session.exec(
                        select(func.count())
                        .select_from(Review)
                        .join(PullRequest, PullRequest.id == Review.pull_request_id)
                        .where(PullRequest.repository_id == repo.id)
                    ).one()
                ),
                "runs": n(WorkflowRun, WorkflowRun.repository_id == repo.id),
                "jobs": int(
                    session.exec(
                        select(func.count())
                        .select_from(Job)
                        .join(WorkflowRun, WorkflowRun.id == Job.run_id)
                        .where(WorkflowRun.repository_id == repo.id)
                    ).one()
                ),
            }
        out["*"] = {
            "people": n(Person, Person.is_bot.is_(False)),  # type: ignore[attr-defined]
            "flags": n(FrictionFlag),
        }
    return out


def check(manifest: Manifest, engine: Engine) -> list[str]:
    """Differences between what was generated and what the collectors stored."""
    stored = counts(engine)
    problems = []
    for repo, expected in manifest.counts.items():
        for key in ("commits", "pulls", "reviews", "runs", "jobs"):
            got = stored.get(repo, {}).get(key, 0)
            if got != expected[key]:
                problems.append(f"{repo}: {got} {key} stored, {expected[key]} generated")
    if stored["*"]["people"] < len(org.MEMBERS):
        problems.append(f"{stored['*']['people']} people stored, {len(org.MEMBERS)} in people.yaml")
    if stored["*"]["flags"] < len(manifest.flags):
        problems.append(f"{stored['*']['flags']} flags stored, {len(manifest.flags)} posted")
    return problems + demo_delivery.check(engine, manifest)


def expected_pages(manifest: Manifest) -> dict[str, list[str]]:
    """Each page the manager opens, with what must be on it for the planted patterns."""
    waiting = manifest.patterns["waiting_pull"]
    pull = f"{waiting['repo']}#{waiting['number']}"
    hotspot = manifest.patterns["hotspot"]
    flaky = manifest.patterns["flaky"]
    busy = org.member(manifest.patterns["busy_reviewer"])
    return {
        "/": [DEVELOPER, "Your next 1:1s", "waiting for your answer"],
        "/teams/Payments": [pull, flaky["job"], hotspot["path"], busy.login],
        f"/people/{DEVELOPER}": [f"#{waiting['number']}"],
        f"/people/{busy.login}": [busy.name],
        # always overloaded, so never unusual against their own usual: the team comparison
        f"/people/{busy.login}?period=2w": ["reviews on others", "the team median of"],
        f"/people/{busy.login}?period=30d": ["reviews on others", "the team median of"],
        f"/repos/{hotspot['repo']}": [hotspot["path"]],
        f"/repos/{flaky['repo']}": ["Flaky runs"],
        "/org": ["Payments", "Your organisation"],  # the manager's own part of it
        **demo_delivery.pages(manifest),
    }


def fetch_pages(base: str, token: str, pages: dict[str, list[str]]) -> list[str]:
    """Open every page as the manager: each must answer 200 and show its pattern."""
    problems = []
    for path, needles in pages.items():
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read().decode("utf-8", "replace")
        except Exception as error:  # report every page, not just the first failure
            problems.append(f"{path}: {error}")
            continue
        missing = [needle for needle in needles if html.escape(needle) not in body]
        if missing:
            problems.append(f"{path}: does not show {', '.join(missing)}")
    return problems
