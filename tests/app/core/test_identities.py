"""The one identity rule (app.core.identities): a person's logins and emails, and the reverse."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from app.core.identities import Directory, directory
from app.core.models import Identity
from app.core.people import map_identity
from tests import world as rows

WHEN = datetime(2026, 1, 5, tzinfo=UTC)


def _world(session: Session) -> tuple[int, int]:
    ann = rows.make_person(session, "ann", name="Ann", email="ann@corp.example")
    bob = rows.make_person(session, "bob", name=None, email="bob@corp.example")
    repo = rows.make_repo(session, "acme/pay")
    assert ann.id is not None and bob.id is not None
    rows.make_team(session, "Payments", manager=None, members=[ann])
    session.add(Identity(kind="login", value="ann-work", person_id=ann.id, first_seen_at=WHEN))
    # bob's own email is also claimed for ann: a mapped identity wins over Person.email
    session.add(
        Identity(kind="email", value="bob@corp.example", person_id=ann.id, first_seen_at=WHEN)
    )
    for number, login in ((1, "ANN"), (2, "Ann-Work"), (3, "stranger")):
        rows.make_pull(session, repo, login, number=number, ready_at=WHEN)
    for email in ("Ann@Corp.Example", "ann@corp.example", "other@corp.example"):
        rows.make_commit(session, repo, email=email, at=WHEN, files={}, name="x")
    session.flush()
    return ann.id, bob.id


def test_a_person_is_every_spelling_of_their_own_and_mapped_identities(session: Session) -> None:
    ann, bob = _world(session)
    people = Directory.load(session)
    assert people.logins_of(ann) == {"ann", "ANN", "ann-work", "Ann-Work"}
    assert people.emails_of(ann) == {"ann@corp.example", "Ann@Corp.Example", "bob@corp.example"}
    assert people.logins_of(ann, bob) == people.logins_of(ann) | {"bob"}
    assert people.teams_of(ann) == ("Payments",) and people.teams_of(bob) == ()


def test_the_reverse_finds_the_person_case_insensitively(session: Session) -> None:
    ann, _ = _world(session)
    people = Directory.load(session)
    assert people.person_of_login("ANN-WORK") == ann
    assert people.own_login("Ann-Work") == "ann"
    assert people.own_login("stranger") == "stranger"  # an unknown login stands for itself
    assert people.person_of_email("BOB@corp.example") == ann  # the mapping wins
    assert people.person_of_email("other@corp.example") is None


def test_a_digest_run_reads_every_spelling_at_once_with_the_same_answer(session: Session) -> None:
    ann, bob = _world(session)
    lazy, eager = Directory.load(session), Directory.load(session, every_spelling=True)
    for pid in (ann, bob):
        assert lazy.logins_of(pid) == eager.logins_of(pid)
        assert lazy.emails_of(pid) == eager.emails_of(pid)
    assert eager.every_email() == {"ann@corp.example", "other@corp.example"}


def test_one_directory_per_transaction_and_a_new_mapping_is_seen_after_commit(
    session: Session,
) -> None:
    ann, bob = _world(session)
    session.commit()
    first = directory(session)
    assert directory(session) is first
    map_identity(session, "login", "stranger", "bob")
    session.commit()
    assert "stranger" in directory(session).logins_of(bob)
    assert "stranger" not in directory(session).logins_of(ann)
