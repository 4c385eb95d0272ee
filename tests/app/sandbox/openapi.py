"""GitHub's OpenAPI 3.0 response schemas (copied to tests/fixtures/github_rest) as JSON Schema.

OpenAPI 3.0 marks nulls with `nullable: true`, which plain JSON Schema ignores; this converts
them so jsonschema accepts a null exactly where GitHub's description allows one.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft7Validator

from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURE = TEST_FIXTURES / "github_rest" / "openapi-200.json"
DELIVERY_FIXTURE = TEST_FIXTURES / "github_rest" / "openapi-delivery-200.json"
TEAMS_FIXTURE = TEST_FIXTURES / "github_rest" / "openapi-teams-200.json"


@cache
def _spec() -> dict[str, Any]:
    paths = dict(json.loads(FIXTURE.read_text())["paths"])
    paths.update(json.loads(DELIVERY_FIXTURE.read_text())["paths"])
    paths.update(json.loads(TEAMS_FIXTURE.read_text())["paths"])
    return paths


def to_json_schema(node: Any) -> Any:
    """Rewrite `nullable: true` into JSON Schema's null type, recursively."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        else:
            return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def validator(template: str) -> Draft7Validator:
    return Draft7Validator(to_json_schema(_spec()[template]["schema"]))


def example(template: str) -> Any:
    return _spec()[template]["example"]


def template_for(path: str) -> str:
    """The OpenAPI template of a concrete path; the one with most literal segments wins
    (so /pulls/comments is the repo-wide list, not PR number "comments")."""
    matches = [
        template
        for template in _spec()
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path)
    ]
    if not matches:
        raise KeyError(f"no OpenAPI path for {path}")
    return max(matches, key=lambda t: sum(not part.startswith("{") for part in t.split("/")))


def errors(template: str, body: Any) -> list[str]:
    """Every schema violation of `body`, as `path: message` lines (empty = valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator(template).iter_errors(body)
    ]
