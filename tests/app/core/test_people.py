"""People import and identity resolution, on both backends."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.identities import Directory
from app.core.models import Identity, Person, Team, TeamMember
from app.core.people import (
    PeopleError,
    import_people,
    map_identity,
    person_for_login,
    resolve_email,
    resolve_login,
    unknown_identities,
)
from app.core.settings import Settings
from app.core.tokens import create_token
from app.http.main import create_app
from tests import world as rows

DOC = """
teams:
  - name: Payments
    manager: alice
    members: [bob, carol]
    timezone: Europe/Berlin
people:
  - login: alice
    name: Alice Doe
    email: alice@example.com
    emails: [alice@users.noreply.github.com]
  - login: bob
    name: Bob
    email: bob@example.com
  - login: carol
"""


def _load(text: str = DOC) -> dict:
    return yaml.safe_load(text)


def test_import_creates_people_teams_and_identities(session: Session) -> None:
    report = import_people(session, _load())
    session.commit()
    assert sorted(report.people_created) == ["alice", "bob", "carol"]
    assert report.teams_created == ["Payments"]
    team = session.exec(select(Team)).one()
    alice = person_for_login(session, "alice")
    assert alice is not None and team.manager_id == alice.id and team.timezone == "Europe/Berlin"
    members = set(session.exec(select(TeamMember.person_id)))
    assert members == {resolve_login(session, "bob"), resolve_login(session, "carol")}
    assert resolve_email(session, "ALICE@users.noreply.github.com") == alice.id


def test_reimport_updates_and_never_duplicates(session: Session) -> None:
    import_people(session, _load())
    session.commit()
    again = import_people(session, _load())
    session.commit()
    assert not again.changed
    changed = _load(DOC.replace("Bob\n", "Robert\n").replace("[bob, carol]", "[bob]"))
    report = import_people(session, changed)
    session.commit()
    assert report.people_updated == ["bob"] and report.teams_updated == ["Payments"]
    assert len(session.exec(select(Person)).all()) == 3
    assert len(session.exec(select(Team)).all()) == 1
    assert len(session.exec(select(TeamMember)).all()) == 1
    values = [i.value for i in session.exec(select(Identity))]
    assert len(values) == len(set(values))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"people": [{"login": "x", "email": "not-an-email"}]}, "people[0] (login 'x'): email"),
        ({"people": [{"login": "x", "colour": "red"}]}, "people[0] (login 'x'): colour"),
        ({"teams": [{"name": "T", "manager": "ghost"}]}, "teams[0] (name 'T'): manager: 'ghost'"),
        ({"teams": [{"name": "T", "timezone": "Mars/Base"}]}, "unknown time zone"),
        ({"people": [{"login": "a"}, {"login": "A"}]}, "listed more than once"),
        (["not", "a", "mapping"], "must be a mapping"),
    ],
)
def test_bad_entries_are_named_in_the_error(session: Session, doc: object, message: str) -> None:
    with pytest.raises(PeopleError, match=re.escape(message)):
        import_people(session, doc)
    assert session.exec(select(Person)).all() == []


def test_unknown_identities_are_listed_and_can_be_mapped(session: Session) -> None:
    import_people(session, _load())
    repo = rows.make_repo(session, "acme/pay")
    when = datetime(2026, 1, 5, tzinfo=UTC)
    for email in ("Bob@Example.com", "stranger@corp.example", "stranger@corp.example"):
        rows.make_commit(session, repo, email=email, at=when, files={}, name="x")
    rows.make_pull(session, repo, "Carol", number=1, ready_at=when)
    rows.make_pull(session, repo, "bob-alt", number=2, ready_at=when)
    session.commit()
    unknown = {(u.kind, u.value): u.seen for u in unknown_identities(session)}
    assert unknown == {("email", "stranger@corp.example"): 2, ("login", "bob-alt"): 1}
    bob = resolve_login(session, "bob")
    assert bob is not None
    assert Directory.load(session).emails_of(bob) == {"bob@example.com", "Bob@Example.com"}
    map_identity(session, "login", "bob-alt", "bob")
    map_identity(session, "email", "stranger@corp.example", "carol")
    session.commit()
    assert unknown_identities(session) == []
    assert Directory.load(session).logins_of(bob) == {"bob", "bob-alt"}
    carol = resolve_login(session, "carol")
    assert carol is not None and "Carol" in Directory.load(session).logins_of(carol)
    assert resolve_email(session, "stranger@corp.example") == carol


@pytest.mark.parametrize(
    ("kind", "value", "login", "message"),
    [
        ("phone", "1", "bob", "kind must be"),
        ("email", "nope", "bob", "not an email"),
        ("login", "x", "ghost", "no person with login 'ghost'"),
    ],
)
def test_map_identity_refuses_bad_input(
    session: Session, kind: str, value: str, login: str, message: str
) -> None:
    import_people(session, _load())
    with pytest.raises(PeopleError, match=message):
        map_identity(session, kind, value, login)


def test_admin_api_imports_yaml_or_json_and_maps_identities(
    settings: Settings, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        import_people(session, {"people": [{"login": "root"}]})
        root = person_for_login(session, "root")
        assert root is not None
        _, admin = create_token(session, root, is_admin=True)
        _, plain = create_token(session, root)
        session.commit()
    url = "/api/v1/admin/people/import"
    with TestClient(create_app(settings)) as client:
        as_admin = {"Authorization": f"Bearer {admin}"}
        yaml_body = {**as_admin, "Content-Type": "application/yaml"}
        first = client.post(url, content=DOC, headers=yaml_body)
        assert first.status_code == 200 and first.json()["teams_created"] == ["Payments"]
        again = client.post(url, json=_load(), headers=as_admin)
        assert again.status_code == 200 and again.json()["people_created"] == []
        bad = client.post(url, content="people: [{login: x, email: nope}]", headers=yaml_body)
        assert bad.status_code == 422 and "people[0] (login 'x'): email" in bad.json()["detail"][0]
        broken = client.post(url, content="people: [unclosed", headers=yaml_body)
        assert broken.status_code == 422 and "cannot parse" in broken.json()["detail"]
        refused = client.post(url, content=DOC, headers={"Authorization": f"Bearer {plain}"})
        assert refused.status_code == 403
        mapped = client.post(
            "/api/v1/admin/identities/map",
            json={"kind": "email", "value": "bob@laptop.local", "login": "bob"},
            headers=as_admin,
        )
        assert mapped.status_code == 200
        ghost = client.post(
            "/api/v1/admin/identities/map",
            json={"kind": "login", "value": "x", "login": "ghost"},
            headers=as_admin,
        )
        assert ghost.status_code == 422 and "ghost" in ghost.json()["detail"]
        unknown = client.get("/api/v1/admin/identities/unknown", headers=as_admin)
        assert unknown.status_code == 200 and unknown.json() == []
    with Session(engine) as session:
        assert resolve_email(session, "bob@laptop.local") == resolve_login(session, "bob")


def test_slack_ids_and_channels_come_from_the_file_and_reimport_changes_nothing(session: Session):
    doc = {
        "people": [{"login": "ada", "slack": "U0ADA0001"}, {"login": "bob"}],
        "teams": [{"name": "Pay", "members": ["ada", "bob"], "slack_channel": "C0PAYMENTS1"}],
    }
    import_people(session, doc)
    session.commit()
    assert not import_people(session, doc).changed
    ada, bob = (person_for_login(session, x) for x in ("ada", "bob"))
    assert (ada.slack_user_id, bob.slack_user_id) == ("U0ADA0001", None)
    assert session.exec(select(Team)).one().slack_channel == "C0PAYMENTS1"
    moved = {**doc, "teams": [{**doc["teams"][0], "slack_channel": "#pay-team"}]}
    assert import_people(session, moved).teams_updated == ["Pay"]


@pytest.mark.parametrize(
    "doc",
    [
        {"people": [{"login": "x", "slack": "ada"}]},
        {"teams": [{"name": "T", "slack_channel": "general channel"}]},
    ],
)
def test_bad_slack_ids_are_refused(session: Session, doc: object) -> None:
    with pytest.raises(PeopleError, match="slack"):
        import_people(session, doc)
