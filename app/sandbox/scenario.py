"""A scenario folder of GitHub REST objects, re-read whenever a file changes.

Layout (documented in docs/github-sandbox.md): `SCENARIO_DIR/<owner>/<repo>/<name>.json`, where a
missing file means "nothing". Tests write files and query right away, so every read checks the
file's mtime and size instead of caching forever.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

LIST_FILES = (
    "pulls.json",
    "workflows.json",
    "runs.json",
    "issues.json",
    "users.json",
    "deployments.json",
    "releases.json",
    "commits.json",
    "tags.json",
    "environments.json",
)
MAP_FILES = (
    "reviews.json",
    "review_comments.json",
    "pull_commits.json",
    "timelines.json",
    "run_attempts.json",
    "jobs.json",
    "pull_files.json",
    "check_runs.json",
    "deployment_statuses.json",
)
SCENARIO_FILES = ("repository.json", *LIST_FILES, *MAP_FILES)


class ScenarioError(ValueError):
    """A scenario file that is not the JSON shape its name promises."""


class RepoData:
    """The files of one `<owner>/<repo>` folder, each parsed once per change."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}
        self._lock = threading.Lock()

    def load(self, name: str, default: Any) -> Any:
        """The parsed file, or `default` when it does not exist."""
        path = self.folder / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            return default
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == stamp:
                return cached[1]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ScenarioError(f"{path}: not valid JSON ({error})") from error
        with self._lock:
            self._cache[name] = (stamp, data)
        return data

    def repository(self) -> dict[str, Any]:
        data = self.load("repository.json", {})
        if not isinstance(data, dict):
            raise ScenarioError(f"{self.folder / 'repository.json'}: expected an object")
        return data

    def list(self, name: str) -> list[dict[str, Any]]:
        """A list file such as pulls.json (missing = [])."""
        data = self.load(name, [])
        if not isinstance(data, list):
            raise ScenarioError(f"{self.folder / name}: expected a JSON list")
        return data

    def by_key(self, name: str, key: int | str) -> list[dict[str, Any]]:
        """The list under `key` (a PR number or run id) of a map file such as reviews.json."""
        data = self.load(name, {})
        if not isinstance(data, dict):
            raise ScenarioError(f"{self.folder / name}: expected an object keyed by number")
        return data.get(str(key), [])

    def mapping(self, name: str) -> dict[str, list[dict[str, Any]]]:
        data = self.load(name, {})
        if not isinstance(data, dict):
            raise ScenarioError(f"{self.folder / name}: expected an object keyed by number")
        return data

    def pull(self, number: int) -> dict[str, Any] | None:
        return next((p for p in self.list("pulls.json") if p.get("number") == number), None)


class Scenario:
    """All repositories under a scenario folder; names match case-insensitively, like GitHub."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._repos: dict[Path, RepoData] = {}
        self._lock = threading.Lock()
        self._root_files = RepoData(self.root)

    def _data(self, folder: Path) -> RepoData:
        with self._lock:
            if folder not in self._repos:
                self._repos[folder] = RepoData(folder)
            return self._repos[folder]

    def folders(self) -> list[Path]:
        """Every `<owner>/<repo>` folder, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(
            repo
            for owner in self.root.iterdir()
            if owner.is_dir()
            for repo in owner.iterdir()
            if repo.is_dir()
        )

    def repo(self, owner: str, name: str) -> RepoData | None:
        exact = self.root / owner / name
        if exact.is_dir():
            return self._data(exact)
        wanted = (owner.lower(), name.lower())
        for folder in self.folders():
            if (folder.parent.name.lower(), folder.name.lower()) == wanted:
                return self._data(folder)
        return None

    def renamed(self, owner: str, name: str) -> tuple[str, str] | None:
        """The new (owner, name) of a renamed or transferred repository (`renames.json` at the
        scenario root: {"old-owner/old-name": "owner/name"}), when the old name has no folder."""
        renames = self._root_files.load("renames.json", {})
        if not isinstance(renames, dict):
            raise ScenarioError(f"{self.root / 'renames.json'}: expected an object")
        wanted = f"{owner}/{name}".lower()
        for old, new in renames.items():
            if old.lower() == wanted and "/" in new:
                new_owner, new_name = new.split("/", 1)
                return new_owner, new_name
        return None

    def repo_by_id(self, repo_id: int) -> tuple[str, str] | None:
        """(owner, name) of the repository whose repository.json has this id."""
        for folder in self.folders():
            if self._data(folder).repository().get("id") == repo_id:
                return folder.parent.name, folder.name
        return None

    def all_repos(self) -> list[RepoData]:
        return [self._data(folder) for folder in self.folders()]

    def owner_folder(self, owner: str) -> RepoData | None:
        """The files of the owner's own folder (an organisation's `teams.json`, `users.json`)."""
        if not self.root.is_dir():
            return None
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and folder.name.lower() == owner.lower():
                return self._data(folder)
        return None

    def owner_folders(self) -> list[RepoData]:
        if not self.root.is_dir():
            return []
        return [self._data(folder) for folder in sorted(self.root.iterdir()) if folder.is_dir()]

    def owner_repos(self, owner: str) -> list[RepoData]:
        return [
            self._data(folder)
            for folder in self.folders()
            if folder.parent.name.lower() == owner.lower()
        ]
