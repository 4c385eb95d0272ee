"""The GitHub stand-in's organisation acme: nested teams, their members by role, and the users."""

from __future__ import annotations

import json
from typing import Any

from app.sandbox.base_objects import make_public_user, make_user
from app.sandbox.teams import make_team
from tests.world.github_api import GithubApi

ORG = "acme"


def write_org(github_api: GithubApi, *, platform: str = "Platform", gus: str = "gus") -> None:
    """Engineering (vera) over Payments (amara) and Platform (farah); Mobile (kim) under
    Payments. Chen is in Payments and Platform; Olga is Engineering's own member."""
    eng = make_team(ORG, "Engineering", id=1)
    payments = make_team(ORG, "Payments", id=2, parent=eng)
    slug = platform.lower().replace(" ", "-")
    plat = make_team(ORG, platform, slug=slug, id=3, parent=eng)
    mobile = make_team(ORG, "Mobile", id=4, parent=payments)
    ids = {"gus": 107}

    def user(login: str) -> dict[str, Any]:
        return make_user(login, id=ids.get("gus") if login == gus else None)

    roles = {
        "engineering": {"maintainer": [user("vera")], "member": [user("olga")]},
        "payments": {"maintainer": [user("amara")], "member": [user("bruno"), user("chen")]},
        slug: {"maintainer": [user("farah")], "member": [user("chen"), user(gus)]},
        "mobile": {"maintainer": [user("kim")], "member": [user("lee")]},
    }
    folder = github_api.scenario_dir / ORG
    folder.mkdir(exist_ok=True)
    (folder / "teams.json").write_text(json.dumps([eng, payments, plat, mobile]))
    (folder / "team_members.json").write_text(json.dumps(roles))
    logins = ["vera", "olga", "amara", "bruno", "chen", "farah", gus, "kim", "lee"]
    users = [
        make_public_user(user(login), name=login.title(), email=f"{login}@acme.example")
        for login in logins
    ]
    (folder / "users.json").write_text(json.dumps(users))
