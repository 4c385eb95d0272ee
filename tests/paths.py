"""Where the tests find the checkout, its fixtures and the shared recordings beside it."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# Recordings from other public repositories (DevLake rows, PyGithub replays) stay outside the
# checkout, in ../shared/realdata (see its README).
REALDATA = ROOT.parent / "shared" / "realdata"


def realdata(*parts: str) -> Path:
    """A file of ../shared/realdata; the calling test is skipped where the folder is absent."""
    path = REALDATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"needs {path} (recordings kept beside the checkout, not in it)")
    return path
