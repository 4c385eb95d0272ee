"""The JSON routes document what they answer in /openapi.json, with the unit in every number's
name, so clients can read the shapes and the schemathesis fuzz test can check the answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.http.main import create_app

DOCUMENTED = ["/api/v1/pulls", "/api/v1/reviews/flow", "/api/v1/ci/health", "/api/v1/ci/flaky"]
UNITLESS = ("_rate", "share")  # ratios from 0 to 1


@pytest.fixture
def spec(settings: Settings) -> dict[str, Any]:
    with TestClient(create_app(settings)) as client:
        return client.get("/openapi.json").json()


def reachable(spec: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    """Every component schema the 200 answer of `GET path` uses, by name, through $refs."""
    answer = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    found: dict[str, dict[str, Any]] = {}
    todo = [answer["schema"]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.rsplit("/", 1)[1] not in found:
                name = ref.rsplit("/", 1)[1]
                found[name] = spec["components"]["schemas"][name]
                todo.append(found[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def number_fields(schemas: dict[str, dict[str, Any]]) -> set[str]:
    """Names of the number (not integer) properties of `schemas`, nullable ones included."""
    return {
        name
        for schema in schemas.values()
        for name, field in schema.get("properties", {}).items()
        if any(kind.get("type") == "number" for kind in [field, *field.get("anyOf", [])])
    }


@pytest.mark.parametrize("path", DOCUMENTED)
def test_each_route_documents_its_answer_with_flags_beside_its_rows(
    spec: dict[str, Any], path: str
) -> None:
    schemas = reachable(spec, path)
    assert schemas, f"{path} has no response model"
    assert "FlagsBeside" in schemas and "ItemFlag" in schemas
    assert all(schema.get("properties") for schema in schemas.values())


@pytest.mark.parametrize("path", [*DOCUMENTED, "/api/v1/ci/lost"])
def test_every_number_names_its_unit(spec: dict[str, Any], path: str) -> None:
    numbers = number_fields(reachable(spec, path))
    assert numbers, path  # the answer documents its durations at all
    unnamed = {n for n in numbers if not n.endswith(("_hours", "_minutes", *UNITLESS))}
    assert unnamed == set(), path


def test_durations_are_described_with_their_unit(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    week = schemas["WeekOut"]["properties"]
    assert "minutes" in week["duration_p50_minutes"]["description"]
    assert week["red_hours"]["description"].startswith("Hours")
    pull = schemas["PullOut"]["properties"]
    assert pull["pickup_hours"]["description"].startswith("Hours")
    assert pull["pickup_working_hours"]["description"].startswith("Working hours")
    assert schemas["FlakyGroupOut"]["properties"]["waited_hours"]["description"].startswith("Hours")
