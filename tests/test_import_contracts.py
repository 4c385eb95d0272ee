"""The import-linter contracts in pyproject.toml place every module of the three packages.

A layers contract says nothing about a module it does not name, so a new module outside every
layer would escape the picture in docs/architecture.md. Each module must sit in a layer of the
top contract, and a module of `dashboards` or `collectors` in a layer of its package's contract.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.paths import ROOT

PACKAGES = ("app", "collectors", "dashboards")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:  # the package itself is the root, not a layer
            names.append(".".join(parts))
    return names


def _layered(contract: dict[str, object]) -> list[str]:
    """Every module path a layers contract names, containers prefixed."""
    containers = contract.get("containers") or [""]
    names = []
    for layer in contract["layers"]:  # type: ignore[attr-defined]
        for entry in re.split(r"[|:]", layer):
            for container in containers:  # type: ignore[attr-defined]
                names.append(f"{container}.{entry.strip()}" if container else entry.strip())
    return names


def _placed(module: str, layers: list[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in layers)


def _contract(name_start: str) -> dict[str, object]:
    [contract] = [c for c in _contracts() if str(c["name"]).startswith(name_start)]
    assert contract["type"] == "layers"
    return contract


def test_every_module_sits_in_a_layer_of_the_top_contract() -> None:
    layers = _layered(_contract("Front doors over"))
    loose = [m for p in PACKAGES for m in _modules(p) if not _placed(m, layers)]
    assert loose == [], "add these to a layer of the first contract in pyproject.toml"


@pytest.mark.parametrize(
    ("package", "contract"), [("dashboards", "Dashboards:"), ("collectors", "Collectors:")]
)
def test_every_module_of_a_package_sits_in_a_layer_of_its_contract(
    package: str, contract: str
) -> None:
    layers = _layered(_contract(contract))
    loose = [m for m in _modules(package) if not _placed(m, layers)]
    assert loose == [], f"add these to a layer of the {contract} contract in pyproject.toml"


def test_a_module_outside_every_layer_is_found() -> None:
    """The check itself: a name no layer covers is reported, a nested one is covered."""
    layers = ["dashboards.pages", "app.core"]
    assert _placed("dashboards.pages.person", layers)
    assert not _placed("dashboards.pagesx", layers)
    assert not _placed("dashboards.newthing", layers)
