"""Walk every route of the app with every role and look for leaks.

Routes come from the app itself (`iter_route_contexts(app.routes)`), so routes that other
modules add later are walked too; path parameters are filled from the built organisation by
their name. A leak is a response that carries a private marker (email, 1:1 note, named flag) of
someone the viewer may not see, an anonymous flag shown next to its author, or any answer to
a signed-out visitor or a revoked token on a route that is not public.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import ApiToken, PageView, Person
from app.core.settings import Settings
from app.http.main import create_app
from dashboards.digest.build import developer_digest, manager_digest, render_parts
from tests.app.http.access_world import (
    ANON_PAYMENTS,
    ANON_SEARCH,
    MAY_SEE,
    ROLES,
    World,
    build_world,
)
from tests.signed_in import sign_in

# Routes a signed-out visitor may open; everything else must refuse or send them to sign in.
# /metrics: operational counters for a scraper (the marker checks still apply to it).
PUBLIC = {
    "/healthz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/signin",
}
PUBLIC_PREFIXES = ("/static/",)
# 422: FastAPI validates a form body before the viewer dependency runs; it carries no data.
REFUSED = {401, 403, 404, 405, 422}
MAX_COMBINATIONS = 12
PER_TEMPLATE = 8  # discovered links walked per route template
# Oneself, a report, a manager, a skip-level manager, another team: every relation once.
WALKED_LOGINS = ["bob", "carol", "alice", "dana", "tom"]
PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) for every route the app serves, mounts excluded."""
    found = set()
    for context in iter_route_contexts(app.routes):
        for method in getattr(context, "methods", None) or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, context.path))
    return sorted(found)


def _public(template: str) -> bool:
    return template in PUBLIC or template.startswith(PUBLIC_PREFIXES)


def _candidates(name: str, path: str, world: World) -> list[str]:
    lowered = name.lower()
    teams = [str(i) for i in world.team_ids.values()]
    if "login" in lowered or lowered in ("user", "username", "who", "author"):
        return WALKED_LOGINS
    if "person" in lowered or ("people" in path and lowered in ("id", "pid")):
        return [str(i) for i in world.ids.values()]
    if "team" in lowered or ("/teams/" in path and lowered in ("id", "name", "slug")):
        return teams + list(world.team_ids)
    if "flag" in lowered or ("/friction/" in path and lowered == "id"):
        return [str(i) for i in world.flag_ids.values()]
    if "token" in lowered:
        return [str(world.spare_token_id)]  # never a token the walk itself signs in with
    if lowered in ("owner", "org"):
        return ["acme"]
    if lowered in ("repo", "repository", "repo_name", "full_name"):
        return ["acme/pay", "pay", "1"]
    if "number" in lowered or lowered in ("pr", "pull"):
        return ["3", "1"]
    if "path" in lowered or "file" in lowered:
        return ["a.py"]
    return ["1", "acme/pay"]


def instances(method: str, template: str, world: World) -> Iterator[str]:
    names = PARAM.findall(template)
    choices = [_candidates(n, template, world) for n in names]
    for values in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        path = template
        for name, value in zip(names, values, strict=True):
            path = PARAM.sub(lambda m, v=value, n=name: v if m.group(1) == n else m.group(0), path)
        yield path


def forbidden_markers(world: World, login: str | None, *, team_only: bool = False) -> set[str]:
    """Markers this viewer must never receive."""
    allowed = set(MAY_SEE.get(login, set())) if login else set()
    if team_only:
        allowed = {login} if login else set()
    found = set()
    for owner, kinds in world.markers.items():
        if owner in allowed:
            continue
        for kind, marker in kinds.items():
            if team_only and kind == "flag" and login and owner in MAY_SEE[login]:
                continue  # flags are not individual pages; team-only mode does not hide them
            found.add(marker)
    found.add(ANON_SEARCH)  # a one-person team: never shown one by one, to anyone
    if login not in ("bob", "carol", "erin", "alice", "dana", "root"):
        found.add(ANON_PAYMENTS)
    return found


def _anonymous_author_shown(text: str) -> bool:
    """True when a response puts the anonymous Payments flag next to its author, carol."""
    if ANON_PAYMENTS not in text:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return any(
            "carol" in text[max(0, m.start() - 600) : m.end() + 600].lower()
            for m in re.finditer(re.escape(ANON_PAYMENTS), text)
        )
    return any(_mentions_carol(obj) for obj in _objects_with(data, ANON_PAYMENTS))


def _objects_with(data: Any, needle: str) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if needle in data.values():
            yield data
        for value in data.values():
            yield from _objects_with(value, needle)
    elif isinstance(data, list):
        for item in data:
            yield from _objects_with(item, needle)


def _mentions_carol(obj: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and "carol" in v.lower() for v in obj.values())


@pytest.fixture
def world_app(settings: Settings, engine: Engine) -> Iterator[tuple[TestClient, World, Engine]]:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, world, engine


ROLE_LOGIN = {**ROLES, "anonymous": None, "revoked": None}


def _headers(world: World, role: str) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": f"Bearer {world.secrets[role]}"}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"({[^}]+})", template)
    pattern = "".join(
        (".+" if ":path" in p else "[^/]+") if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{pattern}$")


LINK = re.compile(r"""(?:href|src|data-url)=["'](/[^"'#?]*)""")


def discovered(client: TestClient, world: World, known: set[str]) -> list[tuple[str, str]]:
    """Links the admin's pages point to (chart data, exports...) that the fill-in missed.

    Path parameters such as a chart's key are not guessable from their names; the pages
    themselves link to every export, so following those links walks them too.
    """
    templates = [(t, _template_regex(t)) for m, t in routes(client.app) if m == "GET"]  # type: ignore[arg-type]
    found: dict[str, str] = {}
    for template, _ in templates:
        if _public(template) or template.startswith("/api/"):
            continue
        for path in instances("GET", template, world):
            page = client.get(path, headers=_headers(world, "admin"), follow_redirects=False)
            if "html" not in page.headers.get("content-type", ""):
                continue
            for link in LINK.findall(page.text):
                match = next((t for t, rx in templates if rx.match(link)), None)
                if match and not _public(match) and link not in known:
                    found.setdefault(link, match)
    per_template: dict[str, list[str]] = {}
    for link, template in sorted(found.items()):
        if link.endswith(".csv") and link[: -len(".csv")] + ".json" in found:
            continue  # the same rows as the .json twin
        per_template.setdefault(template, []).append(link)
    # Spread over templates: every export kind gets walked, none crowds out the others.
    picked = [
        (t, link)
        for t, links in per_template.items()
        for link in links[:: max(1, len(links) // PER_TEMPLATE)][:PER_TEMPLATE]
    ]
    return picked


def _walk(
    client: TestClient, world: World, *, team_only: bool = False, roles: list[str] | None = None
) -> list[str]:
    problems = []
    walked_roles = {r: ROLE_LOGIN[r] for r in roles or ROLE_LOGIN}
    planned = [
        (method, template, path, n)
        for method, template in routes(client.app)  # type: ignore[arg-type]
        for n, path in enumerate(instances(method, template, world))
    ]
    known = {path for _, _, path, _ in planned}
    planned += [("GET", t, p, 1) for t, p in discovered(client, world, known)]
    for method, template, path, n in planned:
        for role, login in walked_roles.items():
            if login is None and n > 0:
                continue  # refused everywhere: one instance of each route is enough
            response = client.request(
                method,
                path,
                headers=_headers(world, role),
                json={} if method != "GET" else None,
                follow_redirects=False,
            )
            where = f"{role} {method} {path} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            if login is None and not _public(template):
                redirect = response.headers.get("location", "")
                if response.status_code not in REFUSED and "signin" not in redirect:
                    problems.append(f"{where}: answered a visitor without a valid token")
            text = response.text
            leaked = [m for m in forbidden_markers(world, login, team_only=team_only) if m in text]
            if leaked:
                problems.append(f"{where}: leaked {sorted(leaked)}")
            if _anonymous_author_shown(text):
                problems.append(f"{where}: anonymous flag shown with its author")
    return problems


def test_every_route_with_every_role_leaks_nothing(
    world_app: tuple[TestClient, World, Engine],
) -> None:
    client, world, _ = world_app
    walked = routes(client.app)  # type: ignore[arg-type]
    assert ("POST", "/api/v1/friction") in walked and ("GET", "/api/v1/people/{login}") in walked
    problems = _walk(client, world)
    assert problems == [], "\n".join(problems)


def test_team_only_mode_hides_individual_data_from_everyone_else(
    settings: Settings, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    only = settings.model_copy(update={"team_only_mode": True})
    with TestClient(create_app(only), raise_server_exceptions=False) as client:
        problems = _walk(client, world, team_only=True, roles=["manager", "skip_level", "admin"])
        assert problems == [], "\n".join(problems)
        admin = _headers(world, "admin")
        assert client.get("/api/v1/people/bob", headers=admin).status_code == 404
        own = client.get("/api/v1/people/bob", headers=_headers(world, "person"))
        assert own.status_code == 200


def test_state_changing_routes_refuse_a_cookie_without_csrf_token(
    world_app: tuple[TestClient, World, Engine],
) -> None:
    client, world, _ = world_app
    sign_in(client, world.secrets["admin"])
    unprotected = []
    for method, template in routes(client.app):  # type: ignore[arg-type]
        if method == "GET" or template == "/signin":
            continue
        path = next(instances(method, template, world))
        response = client.request(method, path, json={}, follow_redirects=False)
        # Slack's callback carries no cookie: its signature is its credential (401 without it)
        refused = 401 if template == "/slack/interactions" else 403
        if response.status_code != refused:
            unprotected.append(f"{method} {path} -> {response.status_code}")
    assert unprotected == []


def test_views_of_a_person_are_logged_and_shown_only_to_them(
    world_app: tuple[TestClient, World, Engine],
) -> None:
    client, world, engine = world_app
    assert client.get("/api/v1/people/bob", headers=_headers(world, "manager")).status_code == 200
    assert client.get("/api/v1/people/bob", headers=_headers(world, "person")).status_code == 200
    assert (
        client.get("/api/v1/people/bob", headers=_headers(world, "other_team")).status_code == 404
    )
    views = client.get("/api/v1/people/bob/views", headers=_headers(world, "person")).json()
    assert [(v["viewer_login"], v["what"]) for v in views] == [("alice", "api:person")]
    for role in ("manager", "skip_level", "other_team"):
        response = client.get("/api/v1/people/bob/views", headers=_headers(world, role))
        assert response.status_code == 404
    assert (
        client.get("/api/v1/people/bob/views", headers=_headers(world, "admin")).status_code == 200
    )
    with Session(engine) as session:
        assert len(session.exec(select(PageView)).all()) == 1


def test_revoked_token_and_cookie_stop_working_at_once(
    world_app: tuple[TestClient, World, Engine],
) -> None:
    client, world, engine = world_app
    me = client.get("/api/v1/me", headers=_headers(world, "person"))
    assert me.status_code == 200 and me.json()["login"] == "bob"
    assert client.get("/api/v1/me", headers=_headers(world, "revoked")).status_code == 401
    with Session(engine) as session:
        token_hashes = [t.token_hash for t in session.exec(select(ApiToken))]
    assert all(world.secrets[r] not in token_hashes for r in world.secrets)
    listed = client.get("/api/v1/admin/tokens", headers=_headers(world, "admin")).text
    assert not any(secret in listed for secret in world.secrets.values())
    assert not any(h in listed for h in token_hashes)


def test_digests_carry_no_one_elses_private_data_nor_an_anonymous_author(
    world_app: tuple[TestClient, World, Engine], settings: Settings
) -> None:
    """Every person's digest (manager's and developer's), HTML and text, same rules as pages."""
    _, world, engine = world_app
    now = datetime.now(UTC)
    problems = []
    with Session(engine, expire_on_commit=False) as session:
        for login, person_id in world.ids.items():
            person = session.get(Person, person_id)
            assert person is not None
            built = [developer_digest(session, person, None, settings, now)]
            built.append(manager_digest(session, person, None, settings, now))
            for data in filter(None, built):
                for text in render_parts(data):
                    # Digests have no admin view: root's digest follows the person rules.
                    viewer = login if login != "root" else "nobody"
                    leaked = [m for m in forbidden_markers(world, viewer) if m in text]
                    if viewer == "nobody":
                        leaked = [
                            m for m in leaked if m not in world.markers.get(login, {}).values()
                        ]
                    if leaked:
                        problems.append(f"{login} {data.kind}: leaked {sorted(leaked)}")
                    if _anonymous_author_shown(text):
                        problems.append(f"{login} {data.kind}: anonymous flag with its author")
    assert problems == [], "\n".join(problems)
