"""An organisation's teams, their members and maintainers, and their child teams.

Scenario files in the organisation's folder (`SCENARIO_DIR/<org>/`, beside its repositories):
`teams.json`, a list of team objects as `make_team` builds them (GitHub's key set; `parent`
is the parent team or null), and `team_members.json`, `{slug: {"maintainer": [users],
"member": [users]}}` with simple users (`make_user`). As on GitHub, a team's members include
the members of its child teams, `role` filters maintainers or members (default all), and
every list is paged with a Link header.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.base_objects import API, EPOCH, WEB, node_id, stable_id
from app.sandbox.routing import Request, Response, Router, not_found, paginate, query_choice
from app.sandbox.scenario import RepoData

ORG = r"/orgs/(?P<org>[^/]+)"
TEAM = ORG + r"/teams/(?P<slug>[^/]+)"
DOCS = "https://docs.github.com/rest/teams/teams"
MEMBERS_DOCS = "https://docs.github.com/rest/teams/members#list-team-members"


def add_routes(router: Router) -> None:
    router.get(ORG, get_organization)
    router.get(ORG + r"/teams", list_teams)
    router.get(TEAM, get_team)
    router.get(TEAM + r"/members", list_members)
    router.get(TEAM + r"/teams", list_child_teams)


def make_team(
    org: str,
    name: str,
    *,
    slug: str | None = None,
    id: int | None = None,
    parent: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A team as `GET /orgs/{org}/teams` lists it; `parent` is another `make_team` result."""
    slug = slug or name.lower().replace(" ", "-")
    team_id = id if id is not None else stable_id("team", org, slug)
    url = f"{API}/orgs/{org}/teams/{slug}"
    return {
        "id": team_id,
        "node_id": node_id("Team", team_id),
        "url": url,
        "html_url": f"{WEB}/orgs/{org}/teams/{slug}",
        "name": name,
        "slug": slug,
        "description": description,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{url}/members{{/member}}",
        "repositories_url": f"{url}/repos",
        "type": "organization",
        "organization_id": stable_id("org", org),
        "parent": _simple(parent) if parent else None,
    }


def _simple(team: dict[str, Any]) -> dict[str, Any]:
    """The parent as GitHub nests it: a team without its own parent."""
    return {k: v for k, v in team.items() if k not in ("parent", "organization_id")}


def _folder(request: Request) -> RepoData:
    data = request.scenario.owner_folder(request.params["org"])
    if data is None or not data.list("teams.json"):
        raise not_found(f"{DOCS}#list-teams")
    return data


def _teams(request: Request) -> list[dict[str, Any]]:
    return _folder(request).list("teams.json")


def _team(request: Request) -> dict[str, Any]:
    wanted = request.params["slug"].lower()
    for team in _teams(request):
        if str(team.get("slug", "")).lower() == wanted:
            return team
    raise not_found(f"{DOCS}#get-a-team-by-name")


def get_organization(request: Request) -> Response:
    """The organisation as an outsider sees it; 404 for a folder that has no teams.json."""
    data = request.scenario.owner_folder(request.params["org"])
    if data is None or not data.list("teams.json"):
        raise not_found("https://docs.github.com/rest/orgs/orgs#get-an-organization")
    org = request.params["org"]
    public = {"name": org, "blog": f"{WEB}/{org}", "twitter_username": None, "is_verified": False}
    return Response(200, {**_organization(org), **public})


def list_teams(request: Request) -> Response:
    return paginate(request, _teams(request))


def get_team(request: Request) -> Response:
    """The full team: counts, dates and the organisation."""
    team = _team(request)
    org = request.params["org"]
    members = _members(request, team, "all")
    full = {
        **{k: v for k, v in team.items() if k != "organization_id"},
        "members_count": len(members),
        "repos_count": len(request.scenario.owner_repos(org)),
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "organization": _organization(org),
    }
    return Response(200, full)


def list_members(request: Request) -> Response:
    role = query_choice(request, "role", ("member", "maintainer", "all"), "all")
    return paginate(request, _members(request, _team(request), role))


def list_child_teams(request: Request) -> Response:
    team = _team(request)
    children = [t for t in _teams(request) if (t.get("parent") or {}).get("id") == team["id"]]
    return paginate(request, children)


def _members(request: Request, team: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """The team's own maintainers and members, then those of its child teams (as members),
    each once, in that order."""
    roles = _folder(request).load("team_members.json", {})
    seen: set[str] = set()
    found: list[dict[str, Any]] = []

    def add(users: list[dict[str, Any]], wanted: bool) -> None:
        for user in users:
            login = str(user.get("login", "")).lower()
            if login not in seen:
                seen.add(login)
                if wanted:
                    found.append(user)

    own = roles.get(team["slug"], {})
    add(own.get("maintainer", []), role in ("maintainer", "all"))
    add(own.get("member", []), role in ("member", "all"))
    for child in _descendants(_teams(request), team["id"]):
        add(roles.get(child["slug"], {}).get("maintainer", []), role in ("member", "all"))
        add(roles.get(child["slug"], {}).get("member", []), role in ("member", "all"))
    return found


def _descendants(teams: list[dict[str, Any]], team_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    frontier = {team_id}
    while frontier:
        children = [t for t in teams if (t.get("parent") or {}).get("id") in frontier]
        children = [t for t in children if t not in found]
        found += children
        frontier = {t["id"] for t in children}
    return found


def _organization(org: str) -> dict[str, Any]:
    org_id = stable_id("org", org)
    url = f"{API}/orgs/{org}"
    return {
        "login": org,
        "id": org_id,
        "node_id": node_id("Organization", org_id),
        "url": url,
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events",
        "hooks_url": f"{url}/hooks",
        "issues_url": f"{url}/issues",
        "members_url": f"{url}/members{{/member}}",
        "public_members_url": f"{url}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org_id}?v=4",
        "description": None,
        "html_url": f"{WEB}/{org}",
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "type": "Organization",
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "archived_at": None,
    }
