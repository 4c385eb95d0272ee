"""Schema-driven fuzzing: schemathesis generates requests from the app's own OpenAPI document
and checks that no answer is a 5xx or breaks the documented schema.

In-process (ASGI), signed in as an admin so that every operation is reached, on a SQLite
database with the small organisation of `access_world`. Bounded to a few examples per
operation so the run stays well under a minute.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session, select

from app.core.db import make_engine
from app.core.models import ApiToken, Person
from app.core.settings import Settings
from app.core.tokens import hash_token
from app.http.main import create_app
from tests.app.http.access_world import build_world

ADMIN_SECRET = "gw_fuzz-admin-secret-not-for-production"
ADMIN_TOKEN_ID = 999_999  # out of reach of the ids the fuzzer revokes
EXAMPLES = 6
# What the issue asks: no 5xx, and every answer (status, content type, body) as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_app(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    path = tmp_path_factory.mktemp("fuzz") / "gemba.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{path}",
        data_dir=path.parent / "data",
        flags_per_minute=100_000,
        flags_burst=100_000,
    )
    engine = make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        build_world(session)
        root = session.exec(select(Person).where(Person.login == "root")).one()
        session.add(
            ApiToken(
                id=ADMIN_TOKEN_ID,
                person_id=root.id,
                token_hash=hash_token(ADMIN_SECRET),
                is_admin=True,
            )
        )
        session.commit()
    engine.dispose()
    yield create_app(settings)


def test_no_5xx_and_no_response_outside_the_schema(fuzz_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, checks=CHECKS
            )

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # report every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert failures == [], "\n\n".join(failures)


# Answers the random queries above rarely reach (they need the world's repository or a person
# it knows): each is called once and its 200 checked against the documented schema. The world
# has PRs (8 rows in /pulls) but no CI runs; CI rows with data are checked by FastAPI against
# the same response models in tests/app/http/api/test_ci.py.
REACHED = {
    "/api/v1/pulls": {"repo": "acme/pay"},
    "/api/v1/reviews/flow": {"repo": "acme/pay"},
    "/api/v1/ci/health": {"repo": "acme/pay"},
    "/api/v1/ci/flaky": {"person": "bob"},
}


@pytest.mark.parametrize(("path", "query"), REACHED.items())
def test_answers_with_data_match_their_schema(fuzz_app: FastAPI, path: str, query: dict) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    case = schema[path]["GET"].Case(query=query)
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, checks=CHECKS
    )
    assert response.status_code == 200
    assert response.json()  # the schema had something to check
