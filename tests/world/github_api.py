"""pytest fixture `github_api`: the GitHub stand-in on a free port, serving a scenario in tmp_path.

def test_x(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", 1)])
    gh = Github(base_url=github_api.url)   # PyGithub, unchanged, over real HTTP
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.sandbox.handler import LoggedRequest
from app.sandbox.limits import Fault
from app.sandbox.objects import make_repository
from app.sandbox.scenario import SCENARIO_FILES
from app.sandbox.server import SandboxServer


class GithubApi:
    """Handle on a running stand-in: write scenario files, script faults, read the request log."""

    def __init__(self, server: SandboxServer, scenario_dir: Path) -> None:
        self.server = server
        self.scenario_dir = scenario_dir

    @property
    def url(self) -> str:
        return self.server.url

    def write_repo(
        self, owner: str, repo: str, *, repository: dict[str, Any] | None = None, **files: Any
    ) -> Path:
        """Write `<owner>/<repo>/` files; keyword `pulls=[...]` writes pulls.json and so on.

        repository.json defaults to `make_repository(owner, repo)`; other files are written only
        when given (a missing file serves as empty).
        """
        folder = self.scenario_dir / owner / repo
        folder.mkdir(parents=True, exist_ok=True)
        written = {"repository": repository or make_repository(owner, repo), **files}
        for name, data in written.items():
            filename = f"{name}.json"
            if filename not in SCENARIO_FILES:
                raise ValueError(f"unknown scenario file {filename}; expected {SCENARIO_FILES}")
            (folder / filename).write_text(json.dumps(data, indent=1))
        return folder

    @property
    def requests(self) -> list[LoggedRequest]:
        return self.server.requests

    def clear_requests(self) -> None:
        self.server.clear_requests()

    def inject(self, fault: Fault | dict[str, Any] | None = None, **fields: Any) -> Fault:
        """`inject(path=r"/pulls$", kind="5xx", times=2)` or `inject({...})`."""
        return self.server.inject(fault if fault is not None else fields)

    def set_rate_limit(self, **fields: Any) -> None:
        self.server.set_rate_limit(**fields)

    def set_tokens(self, tokens: Any) -> None:
        self.server.set_tokens(tokens)


@pytest.fixture
def github_api(tmp_path: Path) -> Iterator[GithubApi]:
    scenario_dir = tmp_path / "github-scenario"
    scenario_dir.mkdir()
    with SandboxServer(scenario_dir) as server:
        yield GithubApi(server, scenario_dir)
