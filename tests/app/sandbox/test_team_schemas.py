"""The stand-in's organisation, teams, team members (by role) and child teams validate against
GitHub's OpenAPI schema, carry the keys of GitHub's examples, and page like GitHub."""

from __future__ import annotations

import httpx
import pytest

from tests.app.sandbox import openapi
from tests.world.teams import write_org

SERVED = [
    "/orgs/acme",
    "/orgs/acme/teams",
    "/orgs/acme/teams/payments",
    "/orgs/acme/teams/payments/members?role=maintainer",
    "/orgs/acme/teams/payments/members?role=member",
    "/orgs/acme/teams/engineering/members",
    "/orgs/acme/teams/engineering/teams",
]


@pytest.fixture
def org(github_api):
    write_org(github_api)
    return github_api


@pytest.mark.parametrize("path", SERVED)
def test_served_team_bodies_validate(org, path):
    answer = httpx.get(f"{org.url}{path}")
    assert answer.status_code == 200
    body = answer.json()
    assert body
    assert openapi.errors(openapi.template_for(path.split("?")[0]), body) == []


def test_team_objects_have_githubs_example_keys(org):
    listed = httpx.get(f"{org.url}/orgs/acme/teams").json()
    payments = next(t for t in listed if t["slug"] == "payments")
    assert set(openapi.example("/orgs/{org}/teams")[0]) <= set(payments) | {"parent"}
    assert payments["parent"]["slug"] == "engineering"
    full = httpx.get(f"{org.url}/orgs/acme/teams/payments").json()
    assert set(openapi.example("/orgs/{org}/teams/{team_slug}")) - set(full) <= {"parent"}


def test_members_by_role_include_child_teams_and_page(org):
    def logins(path: str) -> list[str]:
        return [u["login"] for u in httpx.get(f"{org.url}{path}").json()]

    assert logins("/orgs/acme/teams/payments/members?role=maintainer") == ["amara"]
    assert logins("/orgs/acme/teams/payments/members?role=member") == [
        "bruno",
        "chen",
        "kim",
        "lee",
    ]
    first = httpx.get(f"{org.url}/orgs/acme/teams/engineering/members?per_page=3")
    assert len(first.json()) == 3 and 'rel="next"' in first.headers["Link"]
    bad = httpx.get(f"{org.url}/orgs/acme/teams/payments/members?role=boss")
    assert bad.status_code == 422
    assert httpx.get(f"{org.url}/orgs/acme/teams/nobody/members").status_code == 404
    children = [t["slug"] for t in httpx.get(f"{org.url}/orgs/acme/teams/engineering/teams").json()]
    assert children == ["payments", "platform"]


def test_a_wrong_team_is_refused_by_the_check():
    bad = {"id": "one", "slug": "x"}
    assert openapi.errors("/orgs/{org}/teams", [bad])
