"""Record a real repository into a scenario folder, so its data can be replayed offline.

Uses PyGithub's requester for raw pages: the files keep GitHub's JSON exactly (all keys, nulls),
with the API base URL written as https://api.github.com so the folder works with any stand-in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from github import Github, GithubException

from app.sandbox.routing import GITHUB_API

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class RecordStats:
    """What was written, and how many API requests it took."""

    folder: Path
    files: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    skipped: list[str] = field(default_factory=list)


class Recorder:
    """Fetches every scenario file of one repository through PyGithub's requester."""

    def __init__(
        self,
        gh: Github,
        full_name: str,
        *,
        limit: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.gh = gh
        self.requester = gh.requester
        self.full_name = full_name
        self.base = f"/repos/{full_name}"
        self.limit = limit
        self.progress = progress or (lambda _message: None)
        self.requests = 0

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        self.requests += 1
        return self.requester.requestJsonAndCheck("GET", url, params)

    def pages(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        key: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, following Link rel="next" (up to `limit` items)."""
        count = 0
        next_url: str | None = url
        next_params = {"per_page": 100, **(params or {})}
        while next_url:
            headers, data = self.get(next_url, next_params)
            for item in data[key] if key else data:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            match = _NEXT.search(headers.get("link", ""))
            next_url, next_params = (match.group(1), None) if match else (None, None)

    def pulls(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[dict[str, Any]]]]]:
        """Full PR objects (detail form) and their per-PR files, newest-updated first."""
        order = {"state": "all", "sort": "updated", "direction": "desc"}
        listed = list(self.pages(f"{self.base}/pulls", order, limit=self.limit))
        pulls: list[dict[str, Any]] = []
        per_pull: dict[str, dict[str, list[dict[str, Any]]]] = {
            name: {} for name in ("reviews", "review_comments", "pull_commits", "timelines")
        }
        for index, simple in enumerate(listed, 1):
            number = simple["number"]
            self.progress(f"{self.full_name}: pull request {number} ({index}/{len(listed)})")
            pulls.append(self.get(f"{self.base}/pulls/{number}")[1])
            for name, path in (
                ("reviews", f"pulls/{number}/reviews"),
                ("review_comments", f"pulls/{number}/comments"),
                ("pull_commits", f"pulls/{number}/commits"),
                ("timelines", f"issues/{number}/timeline"),
            ):
                per_pull[name][str(number)] = list(self.pages(f"{self.base}/{path}"))
        pulls.sort(key=lambda pull: pull["number"])
        return pulls, per_pull

    def actions(self) -> dict[str, Any]:
        """Workflows, runs (latest attempt), earlier attempts and jobs of every attempt."""
        workflows = list(self.pages(f"{self.base}/actions/workflows", key="workflows"))
        runs = list(self.pages(f"{self.base}/actions/runs", key="workflow_runs", limit=self.limit))
        attempts: dict[str, list[dict[str, Any]]] = {}
        jobs: dict[str, list[dict[str, Any]]] = {}
        for index, run in enumerate(runs, 1):
            run_url = f"{self.base}/actions/runs/{run['id']}"
            self.progress(f"{self.full_name}: workflow run {run['id']} ({index}/{len(runs)})")
            latest = int(run.get("run_attempt") or 1)
            earlier = [self.get(f"{run_url}/attempts/{n}")[1] for n in range(1, latest)]
            attempts[str(run["id"])] = [*earlier, run]
            jobs[str(run["id"])] = list(
                self.pages(f"{run_url}/jobs", {"filter": "all"}, key="jobs")
            )
        return {"workflows": workflows, "runs": runs, "run_attempts": attempts, "jobs": jobs}


def record_repository(
    gh: Github,
    full_name: str,
    out_dir: Path,
    *,
    limit: int | None = None,
    actions: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RecordStats:
    """Write `out_dir/<owner>/<repo>/*.json` from the API behind `gh`.

    Raises GithubException (bad token, unknown repository) before writing anything.
    """
    recorder = Recorder(gh, full_name, limit=limit, progress=progress)
    repository = recorder.get(recorder.base)[1]
    folder = Path(out_dir) / repository["owner"]["login"] / repository["name"]
    stats = RecordStats(folder=folder)
    files: dict[str, Any] = {"repository": repository}
    pulls, per_pull = recorder.pulls()
    files.update({"pulls": pulls, **per_pull})
    if actions:
        try:
            files.update(recorder.actions())
        except GithubException as error:
            if error.status not in (403, 404):
                raise
            stats.skipped.append(f"actions ({error.status}: {_message(error)})")
    folder.mkdir(parents=True, exist_ok=True)
    base = gh.requester.base_url.rstrip("/")
    for name, data in files.items():
        text = json.dumps(data, indent=1, ensure_ascii=False)
        if base != GITHUB_API:
            text = text.replace(base, GITHUB_API)
        (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        stats.files[f"{name}.json"] = len(data) if isinstance(data, list | dict) else 1
    stats.requests = recorder.requests
    return stats


def _message(error: GithubException) -> str:
    data = error.data
    return str(data.get("message")) if isinstance(data, dict) else str(data)
