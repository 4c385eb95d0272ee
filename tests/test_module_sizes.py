"""Small modules with one job: no module of the three packages is over 400 lines.

Migrations are generated history and stay as written; the GraphQL schema is GitHub's SDL, not
a Python module.
"""

from __future__ import annotations

from tests.paths import ROOT

LIMIT = 400


def test_no_module_is_over_the_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for package in ("app", "collectors", "dashboards")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.relative_to(ROOT).parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}, f"split these modules (over {LIMIT} lines)"
