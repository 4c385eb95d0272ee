"""The Dockerfile and compose.yaml in the repository root: compose's services are read on every
run; the image is built only where GEMBA_TEST_DOCKER=1 and a docker daemon answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.paths import ROOT


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())  # type: ignore[no-any-return]


def test_compose_runs_postgres_a_migrate_step_the_web_app_and_two_workers() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker-1", "worker-2"}
    assert services["migrate"]["command"] == ["gemba", "db", "upgrade"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker-1", "worker-2"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        url = services[name]["environment"]["GEMBA_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://")
        assert url.endswith("@${POSTGRES_HOST:-postgres}:5432/gemba")  # the service by default
    assert services["web"]["command"][:2] == ["gemba", "serve"]
    assert [services[w]["command"] for w in ("worker-1", "worker-2")] == [["gemba", "worker"]] * 2
    clones = {services[w]["volumes"][0] for w in ("worker-1", "worker-2")}
    assert len(clones) == 2  # each worker keeps its own clones


def test_the_image_installs_the_project_as_a_user_and_serves_by_default() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    assert "USER gemba" in lines
    assert lines.index("USER gemba") > max(
        i for i, line in enumerate(lines) if "pip install" in line
    )
    assert lines[-1].startswith('CMD ["gemba", "serve"')
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored and "!app" in ignored  # only the package goes into the context


def _docker_answers() -> str | None:
    """Why the image cannot be built here, or None when it can."""
    if os.environ.get("GEMBA_TEST_DOCKER") != "1":
        return "set GEMBA_TEST_DOCKER=1 to build the image (it downloads python:3.11-slim)"
    if shutil.which("docker") is None:
        return "docker is not installed"
    try:
        subprocess.run(["docker", "info"], capture_output=True, check=True, timeout=15)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return "the docker daemon does not answer (`docker info` failed)"
    return None


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    reason = _docker_answers()
    if reason is not None:
        pytest.skip(reason)
    tag = f"gemba-walk-test:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(
        ["docker", "build", "--tag", tag, str(ROOT)], capture_output=True, text=True, timeout=900
    )
    assert build.returncode == 0, build.stderr[-3000:]
    yield tag
    subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)


def _run(image: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "run", "--rm", image, *command], capture_output=True, text=True, timeout=120
    )


def test_the_built_image_runs_gemba_as_a_user_without_root(image: str) -> None:
    uid = _run(image, "id", "-u")
    assert uid.returncode == 0 and uid.stdout.strip() != "0"
    migrated = _run(image, "sh", "-c", "gemba db upgrade && gemba jobs list --json")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == "[]"
    git = _run(image, "git", "--version")
    assert git.returncode == 0 and git.stdout.startswith("git version")


def test_compose_config_is_valid(image: str) -> None:
    env = dict(os.environ, GEMBA_SECRET_KEY="a-secret-key-for-the-compose-check")
    checked = subprocess.run(
        ["docker", "compose", "--file", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
