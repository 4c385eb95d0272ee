"""Builds the demo organisation on disk: git repositories, GitHub scenario, people, flags.

`build_demo(folder, today=...)` is deterministic for a seed and a day. A manifest records what
was built; `load_or_build` reuses a folder whose manifest matches, so a second `gemba demo`
starts in seconds.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.demo import org
from app.demo.delivery import write_delivery
from app.demo.git_history import build_repository
from app.demo.plan import HISTORY_DAYS, plan_organisation
from app.demo.planned import RepoPlan
from app.demo.scenario import WORKFLOW_NAME, write_scenario

SEED = 20261125
FORMAT_VERSION = 5  # 3: flags carry the day they were raised; 4: deployments, releases;
# 5: the waiting PR touches the hotspot and flakes there (the pain map's story)
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    """What a demo folder holds, and the patterns planted in it for people to find."""

    version: int
    seed: int
    built_for: str  # the day the history ends (ISO date)
    people_file: str
    scenario_dir: str
    repos: list[dict[str, str]]
    counts: dict[str, dict[str, int]]
    patterns: dict[str, Any]
    flags: list[dict[str, Any]] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(repo_counts.get(key, 0) for repo_counts in self.counts.values())


def _flags(plans: list[RepoPlan], flaky_runs: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Friction flags as the demo's people would raise them, tied to the evidence, each on the
    day its story says (`days_ago`), spread over the history rather than all today."""
    payments = next(p for p in plans if p.spec.name == "payments-api")
    waiting = next(
        p for p in payments.pulls if p.author == org.WAITING_AUTHOR and p.state == "open"
    )
    checkout = next(p for p in plans if p.spec.flaky_job)
    flaky_run = (flaky_runs.get(checkout.spec.full_name) or [None])[-1]
    return [
        {
            "author": org.WAITING_AUTHOR,
            "category": "review_wait",
            "summary": f"Waiting on a first review for #{waiting.number} since last week",
            "details": "The refund retries block the webhook clean-up; nobody picked it up yet.",
            "anonymous": False,
            "repo": payments.spec.full_name,
            "pull_number": waiting.number,
            "days_ago": 2,
        },
        {
            "author": "bruno",
            "category": "flaky_build",
            "summary": f"{checkout.spec.flaky_job} fails, then passes when I rerun it",
            "details": "Happens a few times a week; I rerun without reading the log now.",
            "anonymous": True,
            "repo": checkout.spec.full_name,
            "workflow": WORKFLOW_NAME,
            "run_id": flaky_run,
            "days_ago": 19,
        },
        {
            "author": "emeka",
            "category": "docs",
            "summary": f"Nobody around knows {payments.spec.hotspot} any more",
            "details": "Every change there needs archaeology; the original author moved on.",
            "anonymous": False,
            "repo": payments.spec.full_name,
            "path": payments.spec.hotspot,
            "days_ago": 74,
        },
        {
            "author": "dara",
            "category": "process",
            "summary": "Most review requests land on the same person",
            "details": "",
            "anonymous": True,
            "days_ago": 38,
        },
        {
            "author": "hana",
            "category": "slow_build",
            "summary": "Terraform plan sits in the runner queue for minutes",
            "details": "Shared runners are busy in the afternoon.",
            "anonymous": False,
            "repo": "acme/platform-infra",
            "workflow": WORKFLOW_NAME,
            "days_ago": 103,
        },
        {
            "author": "ivan",
            "category": "tooling",
            "summary": "Local terraform version drifts from the one CI uses",
            "details": "",
            "anonymous": False,
            "repo": "acme/platform-infra",
            "days_ago": 8,
        },
    ]


def build_demo(folder: Path, *, today: date | None = None, seed: int = SEED) -> Manifest:
    """Generate everything into `folder` (emptied first) and write its manifest."""
    today = today or datetime.now(UTC).date()
    folder = folder.resolve()  # git runs with -C: every path handed to it must be absolute
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    plans = plan_organisation(seed, today)
    scenario_dir = folder / "github"
    counts: dict[str, dict[str, int]] = {}
    flaky_runs: dict[str, list[int]] = {}
    delivery: dict[str, dict[str, Any]] = {}
    repos = []
    for plan in plans:
        full_name = plan.spec.full_name
        repo_path = folder / "repos" / plan.spec.name
        build_repository(plan, repo_path, random.Random(f"{seed}:git:{plan.spec.name}"))
        scenario = write_scenario(
            plan, scenario_dir, random.Random(f"{seed}:ci:{plan.spec.name}"), now
        )
        delivered = write_delivery(plan, scenario_dir, now)
        counts[full_name] = {**scenario.counts, **delivered.counts}
        delivery[full_name] = delivered.patterns
        flaky_runs[full_name] = scenario.flaky_runs
        repos.append({"full_name": full_name, "path": str(repo_path), "team": plan.spec.team})
    people_file = folder / "people.yaml"
    people_file.write_text(yaml.safe_dump(org.people_document(), sort_keys=False))
    payments = next(p for p in plans if p.spec.hotspot)
    waiting = next(
        p for p in payments.pulls if p.author == org.WAITING_AUTHOR and p.state == "open"
    )
    flaky = next(p for p in plans if p.spec.flaky_job)
    manifest = Manifest(
        version=FORMAT_VERSION,
        seed=seed,
        built_for=today.isoformat(),
        people_file=str(people_file),
        scenario_dir=str(scenario_dir),
        repos=repos,
        counts=counts,
        patterns={
            "busy_reviewer": org.BUSY_REVIEWER,
            "waiting_pull": {"repo": payments.spec.full_name, "number": waiting.number},
            "flaky": {
                "repo": flaky.spec.full_name,
                "workflow": WORKFLOW_NAME,
                "job": flaky.spec.flaky_job,
                "runs": len(flaky_runs[flaky.spec.full_name]),
            },
            "hotspot": {
                "repo": payments.spec.full_name,
                "path": payments.spec.hotspot,
                "owner": org.QUIET_OWNER,
                "owner_quiet_since": (today - timedelta(days=org.QUIET_AFTER_DAYS)).isoformat(),
            },
            "painmap": {  # one box of the map: the quiet owner's hotspot, waiting and flaking
                "repo": payments.spec.full_name,
                "path": payments.spec.hotspot,
                "pull": waiting.number,
                "flaky_job": org.HOTSPOT_FLAKY_JOB,
                "flaky_runs": flaky_runs[payments.spec.full_name],
            },
            "history_days": HISTORY_DAYS,
            "delivery": delivery,  # each repository's deployment source, revert and incident
        },
        flags=_flags(plans, flaky_runs),
    )
    (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1) + "\n")
    return manifest


def read_manifest(folder: Path) -> Manifest | None:
    try:
        data = json.loads((folder / MANIFEST).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if manifest.version != FORMAT_VERSION:
        return None
    if not all(Path(repo["path"], ".git").is_dir() for repo in manifest.repos):
        return None
    return manifest


def load_or_build(folder: Path, *, fresh: bool = False) -> tuple[Manifest, bool]:
    """The demo in `folder`, built only when missing, outdated or `fresh` is asked for."""
    manifest = None if fresh else read_manifest(folder)
    if manifest is not None:
        return manifest, False
    return build_demo(folder), True
