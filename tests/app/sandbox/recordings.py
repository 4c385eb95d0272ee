"""Readers for real GitHub recordings in ../shared/realdata (PyGithub replays, DevLake rows).

A test that reads one is skipped, with the reason, where that folder is absent.
"""

from __future__ import annotations

import ast
import csv
import json
import sys
from dataclasses import dataclass
from typing import Any

from tests.paths import realdata

DEVLAKE_RAW = ("devlake", "github", "e2e", "raw_tables")


@dataclass(frozen=True)
class Exchange:
    """One recorded request/response of a PyGithub replay file."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: Any


def replay(name: str) -> list[Exchange]:
    """Exchanges of realdata/pygithub/ReplayData/<name> (11-line records; see its README)."""
    lines = realdata("pygithub", "ReplayData", name).read_text(encoding="utf-8").split("\n")
    exchanges = []
    for start in range(0, len(lines) - 9, 11):
        record = lines[start : start + 10]
        raw_headers = ast.literal_eval(record[8]) if record[8] else []
        body = json.loads(record[9]) if record[9].strip() else None
        exchanges.append(Exchange(record[1], record[4], int(record[7]), dict(raw_headers), body))
    return exchanges


def devlake_rows(name: str, connection_id: int = 1) -> list[dict[str, Any]]:
    """Rows of a DevLake raw table with `data` and `input` parsed, one scope only.

    DevLake's files carry one duplicated row under another ConnectionId; keeping one scope
    and de-duplicating by item id leaves the real answers once each.
    """
    csv.field_size_limit(sys.maxsize)
    path = realdata(*DEVLAKE_RAW, name)
    rows, seen = [], set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if json.loads(row["params"]).get("ConnectionId") != connection_id:
                continue
            data = json.loads(row["data"])
            key = data.get("id") or data.get("sha")
            if key in seen:
                continue
            seen.add(key)
            rows.append({**row, "data": data, "input": json.loads(row["input"] or "null")})
    return rows
