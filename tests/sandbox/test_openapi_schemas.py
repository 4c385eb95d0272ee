"""Every body the stand-in serves for pull requests validates against GitHub's OpenAPI schema."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.github_objects import (
    make_commit,
    make_minimal_repository,
    make_pull,
    make_repository,
    make_review,
    make_review_comment,
    make_user,
)
from tests.sandbox import openapi

SERVED = [
    "/repos/acme/app",
    "/repos/acme/app/pulls?state=all",
    "/repos/acme/app/pulls/1",
    "/repos/acme/app/pulls/2",
    "/repos/acme/app/pulls/3",
    "/repos/acme/app/pulls/1/reviews",
    "/repos/acme/app/pulls/1/comments",
    "/repos/acme/app/pulls/comments?sort=updated&direction=desc",
    "/repos/acme/app/pulls/3/requested_reviewers",
    "/repos/acme/app/pulls/1/commits",
    "/repos/acme/app/issues/3/timeline",
    "/orgs/acme/repos",
    "/users/bob",
    "/users/renovate[bot]",
    "/rate_limit",
]


@pytest.mark.parametrize("path", SERVED)
def test_served_body_validates_against_githubs_schema(rich, path):
    answer = httpx.get(f"{rich.url}{path}")
    assert answer.status_code == 200
    body = answer.json()
    assert body, f"{path} served nothing to validate"
    assert openapi.errors(openapi.template_for(path.split("?")[0]), body) == []


def test_list_and_single_pull_have_githubs_example_key_sets(rich):
    listed = httpx.get(f"{rich.url}/repos/acme/app/pulls").json()[0]
    single = httpx.get(f"{rich.url}/repos/acme/app/pulls/3").json()
    assert set(listed) == set(openapi.example("/repos/{owner}/{repo}/pulls")[0])
    assert set(single) == set(openapi.example("/repos/{owner}/{repo}/pulls/{pull_number}"))


@pytest.mark.parametrize(
    ("template", "built", "omitted"),
    [
        ("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", make_review("o", "r", 1), set()),
        (
            "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
            make_review_comment("o", "r", 1),
            {"in_reply_to_id"},  # GitHub sends it only on replies
        ),
        ("/repos/{owner}/{repo}/pulls/{pull_number}/commits", make_commit("o", "r"), set()),
    ],
    ids=["review", "review_comment", "commit"],
)
def test_builders_cover_githubs_example_keys(template, built, omitted):
    """Builders carry every key of GitHub's example (newer keys may be added)."""
    assert set(openapi.example(template)[0]) - set(built) == omitted
    assert openapi.errors(template, [built]) == []


def test_user_and_repository_builders_match_examples():
    example_user = openapi.example("/repos/{owner}/{repo}/pulls/{pull_number}")["user"]
    assert set(make_user("x")) == set(example_user)
    repo_schema_keys = set(openapi.example("/repos/{owner}/{repo}"))
    assert set(make_repository("o", "r")) - repo_schema_keys <= {"language"}
    assert openapi.errors("/repos/{owner}/{repo}", make_repository("o", "r")) == []
    merged = make_pull("o", "r", 5, merged_at="2024-01-01T00:00:00Z")
    assert (merged["state"], merged["merged"], merged["closed_at"]) == (
        "closed",
        True,
        merged["merged_at"],
    )


def test_minimal_repository_is_the_form_runs_embed():
    run_example = openapi.example("/repos/{owner}/{repo}/actions/runs/{run_id}")
    assert set(make_minimal_repository("o", "r")) == set(run_example["repository"])


def test_validator_rejects_a_wrong_body():
    """The check can fail: a pull without `number` and with a string id is refused."""
    bad = make_pull("o", "r", 1)
    del bad["number"]
    bad["id"] = "one"
    problems = openapi.errors("/repos/{owner}/{repo}/pulls/{pull_number}", bad)
    assert any("'number' is a required property" in p for p in problems)
    assert any(p.startswith("id:") for p in problems)
