"""A small organisation with every role the access rules know, for the access and flag tests.

    dana (director) manages Leads = [alice]
    alice (manager) manages Payments = [bob, carol, erin]     (3 members: anonymity holds)
    sam manages Search = [tom]                                (1 member: counts only)
    root is an admin; bob also has a revoked token.

Every person owns "private markers": strings that only people allowed to see that person's
individual data may ever receive (their named flag's summary, their 1:1 note, their email).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.models import Team
from app.core.people import import_people, person_for_login
from app.core.tokens import create_token, revoke_token
from app.flags.schemas import FlagCreate
from app.flags.store import create_flag
from tests import world as rows

PEOPLE = {
    "teams": [
        {"name": "Leads", "manager": "dana", "members": ["alice"]},
        {"name": "Payments", "manager": "alice", "members": ["bob", "carol", "erin"]},
        {"name": "Search", "manager": "sam", "members": ["tom"], "timezone": "Europe/Berlin"},
    ],
    "people": [
        {"login": login, "name": f"{login.title()} Zq", "email": f"{login}.mail@example.com"}
        for login in ("dana", "alice", "bob", "carol", "erin", "sam", "tom", "root")
    ],
}

PEOPLE_LOGINS = [p["login"] for p in PEOPLE["people"]]

ROLES = {
    "person": "bob",
    "manager": "alice",
    "skip_level": "dana",
    "other_team": "tom",
    "other_manager": "sam",
    "admin": "root",
}

# Who may see whose individual data (admins: everyone).
MAY_SEE = {
    "bob": {"bob"},
    "alice": {"alice", "bob", "carol", "erin"},
    "dana": {"dana", "alice", "bob", "carol", "erin"},
    "tom": {"tom"},
    "sam": {"sam", "tom"},
    "root": set(PEOPLE_LOGINS),
}

ANON_PAYMENTS = "ANONPAY-deploys-hurt-x1"
ANON_SEARCH = "ANONSEARCH-ci-hurts-x2"


@dataclass
class World:
    ids: dict[str, int]
    team_ids: dict[str, int]
    secrets: dict[str, str]  # role -> token secret ("revoked" included)
    flag_ids: dict[str, str]
    spare_token_id: int
    # login -> {"email" | "note" | "flag": a string only those allowed to see them may receive}
    markers: dict[str, dict[str, str]] = field(default_factory=dict)
    repo: str = "acme/pay"


def viewer(world: World, login: str, *, is_admin: bool = False) -> Viewer:
    return Viewer(person_id=world.ids[login], login=login, is_admin=is_admin)


def build_world(session: Session) -> World:
    import_people(session, PEOPLE)
    ids = {}
    for login in PEOPLE_LOGINS:
        person = person_for_login(session, login)
        assert person is not None and person.id is not None
        ids[login] = person.id
    team_ids = {t.name: t.id for t in session.exec(select(Team)) if t.id is not None}
    secrets: dict[str, str] = {}
    for role, login in ROLES.items():
        person = person_for_login(session, login)
        assert person is not None
        _, secrets[role] = create_token(session, person, is_admin=(role == "admin"))
    bob = person_for_login(session, "bob")
    assert bob is not None
    revoked, secrets["revoked"] = create_token(session, bob, label="old laptop")
    assert revoked.id is not None
    revoke_token(session, revoked.id)
    spare, _ = create_token(session, bob, label="spare, for routes that revoke")
    assert spare.id is not None

    repo = rows.make_repo(session, "acme/pay", html_url=None, default_branch=None)
    when = datetime(2026, 3, 2, 10, tzinfo=UTC)
    markers: dict[str, dict[str, str]] = {}
    pulls = {}
    for n, login in enumerate(PEOPLE_LOGINS, start=1):
        rows.make_commit(
            session,
            repo,
            email=f"{login}.mail@example.com",
            at=when,
            files={},
            name=f"{login} Zq",
            loc=None,
            sha=f"{n:040x}",
            summary=f"commit by {login}",
        )
        pulls[n] = rows.make_pull(
            session,
            repo,
            login,
            number=n,
            ready_at=None,
            id=1000 + n,
            title=f"pr by {login}",
            html_url=None,
            created_at=when,
            updated_at=when,
            first_commit_at=None,
            head_sha=None,
        )
        note = f"NOTE-about-{login}-private"
        manager = {"bob": "alice", "carol": "alice", "tom": "sam", "alice": "dana"}.get(login)
        if manager:
            about, author = person_for_login(session, login), person_for_login(session, manager)
            assert about is not None and author is not None
            rows.make_note(session, about, author, body=note, at=None, shared=False)
        markers[login] = {"email": f"{login}.mail@example.com"}
        if manager:
            markers[login]["note"] = note
    rows.make_review(session, pulls[3], "alice", at=None, state="APPROVED", id=1)

    flag_ids: dict[str, str] = {}
    for login in ("bob", "carol", "tom", "alice"):
        summary = f"NAMED-{login}-flag-private"
        view, _ = create_flag(
            session,
            viewer_for(ids, login),
            FlagCreate(
                category="review_wait", summary=summary, repo="acme/pay", pull_number=3, path="a.py"
            ),
        )
        flag_ids[f"named_{login}"] = view.id
        markers[login]["flag"] = summary
    for key, login, summary in (
        ("anon_payments", "carol", ANON_PAYMENTS),
        ("anon_search", "tom", ANON_SEARCH),
    ):
        view, _ = create_flag(
            session,
            viewer_for(ids, login),
            FlagCreate(category="flaky_build", summary=summary, anonymous=True, workflow="ci"),
        )
        flag_ids[key] = view.id
    session.flush()
    return World(
        ids=ids,
        team_ids=team_ids,
        secrets=secrets,
        flag_ids=flag_ids,
        spare_token_id=spare.id,
        markers=markers,
    )


def viewer_for(ids: dict[str, int], login: str) -> Viewer:
    return Viewer(person_id=ids[login], login=login)
