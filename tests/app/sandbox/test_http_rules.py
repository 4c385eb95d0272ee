"""GitHub's HTTP rules as PyGithub, unchanged, meets them: ETag/304, rate-limit headers, faults."""

from __future__ import annotations

import time

import httpx
import pytest
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    GithubRetry,
    RateLimitExceededException,
)

from tests.world.github import make_pull, make_repository


def _gh(github_api, *, retries: int = 0, token: str | None = None) -> Github:
    retry = (
        GithubRetry(total=retries, backoff_factor=0.01, secondary_rate_wait=1) if retries else None
    )

    return Github(
        base_url=github_api.url,
        auth=Auth.Token(token) if token else None,
        retry=retry,
        per_page=100,
        seconds_between_requests=None,
    )


@pytest.fixture
def acme(github_api):
    github_api.write_repo("acme", "app", pulls=[make_pull("acme", "app", n) for n in (1, 2, 3)])
    return github_api


def test_etag_and_if_none_match_give_304_without_spending_rate_limit(acme):
    first = httpx.get(f"{acme.url}/repos/acme/app/pulls/1")
    etag = first.headers["ETag"]
    again = httpx.get(f"{acme.url}/repos/acme/app/pulls/1", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    assert again.headers["X-RateLimit-Used"] == first.headers["X-RateLimit-Used"]
    changed = make_pull("acme", "app", 1, title="Renamed")
    acme.write_repo("acme", "app", pulls=[changed])
    fresh = httpx.get(f"{acme.url}/repos/acme/app/pulls/1", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.json()["title"] == "Renamed"


def test_pygithub_conditional_update_sees_304_until_the_object_changes(acme):
    pull = _gh(acme).get_repo("acme/app").get_pull(1)
    assert pull.last_modified_datetime == pull.updated_at
    acme.clear_requests()
    assert pull.update() is False
    assert [r.status for r in acme.requests] == [304]
    renamed = make_pull("acme", "app", 1, title="Renamed", updated_at="2024-02-01T00:00:00Z")
    acme.write_repo("acme", "app", pulls=[renamed])
    assert pull.update() is True
    assert pull.title == "Renamed"


def test_if_modified_since_alone_compares_updated_at(acme):
    url = f"{acme.url}/repos/acme/app/pulls/2"
    modified = httpx.get(url).headers["Last-Modified"]
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Sun, 31 Dec 2023 00:00:00 GMT"
    assert httpx.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


def test_rate_limit_headers_count_down_and_rate_limit_endpoint_agrees(acme):
    answers = [httpx.get(f"{acme.url}/repos/acme/app") for _ in range(3)]
    used = [int(a.headers["X-RateLimit-Used"]) for a in answers]
    assert used == [used[0], used[0] + 1, used[0] + 2]
    assert {a.headers["X-RateLimit-Resource"] for a in answers} == {"core"}
    assert int(answers[-1].headers["X-RateLimit-Reset"]) > time.time()
    core = _gh(acme).get_rate_limit().resources.core
    assert (core.limit, core.remaining) == (5000, 5000 - used[-1])


def test_primary_budget_runs_out_with_403_and_comes_back_after_reset(acme):
    acme.set_rate_limit(limit=10, remaining=1, reset_in=1)
    gh = _gh(acme)
    assert gh.get_repo("acme/app").full_name == "acme/app"
    with pytest.raises(RateLimitExceededException) as raised:
        gh.get_repo("acme/app")
    assert raised.value.status == 403
    assert raised.value.headers["x-ratelimit-remaining"] == "0"
    reset_at = int(raised.value.headers["x-ratelimit-reset"])
    assert 0 < reset_at - time.time() <= 2
    time.sleep(max(reset_at - time.time(), 0) + 0.05)
    assert gh.get_repo("acme/app").full_name == "acme/app"


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "5xx", "status": 502},
        {"kind": "reset"},
        {"kind": "secondary_rate_limit", "retry_after": 1},
        {"kind": "primary_rate_limit", "reset_in": 1},
    ],
    ids=lambda f: f["kind"],
)
def test_pygithub_retry_gets_through_each_fault(acme, fault):
    acme.inject(path=r"/repos/acme/app/pulls/2$", times=1, **fault)
    acme.clear_requests()
    pull = _gh(acme, retries=3).get_repo("acme/app").get_pull(2)
    assert pull.number == 2
    tries = [r.status for r in acme.requests if r.path == "/repos/acme/app/pulls/2"]
    assert tries[-1] == 200 and len(tries) == 2


def test_secondary_rate_limit_is_worded_like_github(acme):
    acme.inject(path="/repos/acme/app$", kind="secondary_rate_limit", retry_after=7)
    answer = httpx.get(f"{acme.url}/repos/acme/app")
    assert answer.status_code == 403 and answer.headers["Retry-After"] == "7"
    assert answer.json()["message"].startswith("You have exceeded a secondary rate limit")


def test_primary_limit_as_429_carries_remaining_zero_and_reset(acme):
    """PyGithub's GithubRetry retries only 403 rate limits: a 429 reaches the collector."""
    acme.inject(path="/repos/acme/app$", kind="primary_rate_limit", status=429, reset_in=30)
    with pytest.raises(GithubException) as raised:
        _gh(acme, retries=2).get_repo("acme/app")
    headers = raised.value.headers
    assert (raised.value.status, headers["x-ratelimit-remaining"]) == (429, "0")
    assert 25 <= int(headers["x-ratelimit-reset"]) - time.time() <= 31


def test_faults_can_be_armed_over_http_and_expire(acme):
    armed = httpx.post(
        f"{acme.url}/_sandbox/faults", json={"path": "pulls", "kind": "5xx", "times": 2}
    )
    assert armed.status_code == 201
    statuses = [httpx.get(f"{acme.url}/repos/acme/app/pulls").status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    log = httpx.get(f"{acme.url}/_sandbox/requests").json()
    assert log[-1] == {"method": "GET", "path": "/repos/acme/app/pulls", "query": {}, "status": 200}
    bad = httpx.post(f"{acme.url}/_sandbox/faults", json={"kind": "meteor"})
    assert bad.status_code == 422 and "unknown fault kind" in bad.json()["message"]
    never = httpx.post(f"{acme.url}/_sandbox/faults", json={"kind": "5xx", "times": 0})
    assert never.status_code == 422 and "positive count" in never.json()["message"]


def test_repositories_id_form_resolves_to_the_same_repository(acme):
    repo_id = make_repository("acme", "app")["id"]
    by_id = httpx.get(f"{acme.url}/repositories/{repo_id}/pulls/3")
    assert by_id.status_code == 200 and by_id.json()["number"] == 3
    assert httpx.get(f"{acme.url}/repositories/999/pulls/3").status_code == 404


def test_enterprise_api_v3_prefix_works_with_pygithub(acme):
    gh = Github(base_url=f"{acme.url}/api/v3", retry=None, seconds_between_requests=None)
    pulls = gh.get_repo("acme/app").get_pulls(state="all")
    assert [p.number for p in pulls] == [3, 2, 1]
    assert pulls[0].url.startswith(f"{acme.url}/api/v3/repos/acme/app/pulls/")


def test_configured_tokens_reject_others_with_bad_credentials(acme):
    acme.set_tokens({"good-token": "alice"})
    assert _gh(acme, token="good-token").get_user().login == "alice"
    with pytest.raises(BadCredentialsException) as raised:
        _gh(acme, token="wrong").get_repo("acme/app")
    assert raised.value.data["message"] == "Bad credentials"
