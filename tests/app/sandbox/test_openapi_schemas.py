"""Every body the stand-in serves for pull requests validates against GitHub's OpenAPI schema."""

from __future__ import annotations

import httpx
import pytest
from jsonschema import Draft7Validator

from tests.app.sandbox import openapi
from tests.world.github import (
    make_commit,
    make_minimal_repository,
    make_pull,
    make_repository,
    make_review,
    make_review_comment,
    make_timeline_event,
    make_user,
    timeline_commit,
    timeline_review,
)

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


TIMELINE = "/repos/{owner}/{repo}/issues/{issue_number}/timeline"
EVENT_SCHEMAS = {
    "review_requested": "Review Requested Issue Event",
    "review_request_removed": "Review Request Removed Issue Event",
    "review_dismissed": "Review Dismissed Issue Event",
    "labeled": "Labeled Issue Event",
    "ready_for_review": "State Change Issue Event",
    "convert_to_draft": "State Change Issue Event",
    "head_ref_force_pushed": "State Change Issue Event",
    "reopened": "State Change Issue Event",
    "closed": "State Change Issue Event",
    "merged": "State Change Issue Event",
    "committed": "Timeline Committed Event",
    "reviewed": "Timeline Reviewed Event",
}


def _timeline_items() -> dict[str, dict]:
    extra = {
        "review_requested": {"requested_reviewer": make_user("bob")},
        "review_request_removed": {"requested_reviewer": make_user("bob")},
        "review_dismissed": {
            "dismissed_review": {
                "state": "approved",
                "review_id": 1,
                "dismissal_message": "stale",
                "dismissal_commit_id": "c" * 40,
            }
        },
        "labeled": {"label": {"name": "bug", "color": "d73a4a"}},
    }
    items = {
        event: make_timeline_event("o", "r", 1, event, **extra.get(event, {}))
        for event in EVENT_SCHEMAS
        if event not in ("committed", "reviewed")
    }
    items["committed"] = timeline_commit(make_commit("o", "r", parents=["b" * 40]))
    items["reviewed"] = timeline_review(make_review("o", "r", 1))
    return items


@pytest.mark.parametrize("event", sorted(EVENT_SCHEMAS))
def test_timeline_builders_match_their_own_event_schema(event):
    """Each builder matches the specific anyOf member (not just the catch-all state change)."""
    members = openapi.validator(TIMELINE).schema["items"]["anyOf"]
    schema = next(m for m in members if m.get("title") == EVENT_SCHEMAS[event])
    item = _timeline_items()[event]
    assert set(schema["required"]) - set(item) == set()
    assert list(Draft7Validator(schema).iter_errors(item)) == []


def test_timeline_event_builder_refuses_items_with_their_own_shape():
    with pytest.raises(ValueError, match="timeline_commit"):
        make_timeline_event("o", "r", 1, "committed")
