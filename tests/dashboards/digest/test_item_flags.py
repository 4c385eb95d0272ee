"""Open friction flags beside the digest's PRs, files and talking points, as the recipient may
see them: named flags listed, anonymous ones only counted (and only where the rules allow),
answered ones left out, another team's never shown.

The org (tests/dashboards/digest/org.py): alice runs Payments (bob, carol: two members, so its
anonymous
flags are not shown one by one); dave runs Search (erin). Carol's PR #2 waits for bob's
review; pay/ledger.py is a hotspot and pay/legacy.py a knowledge risk; bob's PR #1 flaked on
the "build" workflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.models import FrictionFlag, Person, Team
from app.core.settings import Settings
from app.core.tokens import create_token
from app.flags.lookup import lookup
from app.http.main import create_app
from dashboards.digest.build import developer_digest, manager_digest, render_parts
from dashboards.digest.data import DigestData
from tests import world
from tests.dashboards.digest.org import NOW, SECRET, W47, WEEK, Org, build_org, flag, person

PAY = "acme/payments"


def _tie(row: FrictionFlag, session: Session, category: str = "tooling", **links: Any) -> None:
    for name, value in {"repo": PAY, "category": category, **links}.items():
        setattr(row, name, value)
    session.add(row)


@pytest.fixture
def org(session: Session) -> Org:
    org = build_org(session)
    pay, search = org.teams["Payments"], org.teams["Search"]
    bob, carol, erin = org.people["bob"], org.people["carol"], org.people["erin"]
    _tie(flag(session, pay, "PR 2 is stuck", W47, author=bob), session, pull_number=2)
    _tie(flag(session, pay, "Payments whisper on 2", W47), session, pull_number=2)
    _tie(flag(session, search, f"{SECRET} on pay 2", W47, author=erin), session, pull_number=2)
    _tie(flag(session, pay, "Ledger is a maze", W47, author=carol), session, path="pay/ledger.py")
    answered = flag(session, pay, "Ledger answered", W47, author=bob, answered_at=W47)
    _tie(answered, session, path="pay/ledger.py")
    _tie(flag(session, pay, "Olga's code", W47, author=bob), session, path="pay/legacy.py")
    build = flag(session, pay, "build flakes", W47, author=bob)
    _tie(build, session, category="flaky_build", workflow="build")
    session.commit()
    return org


def _alice(session: Session, org: Org, settings: Settings) -> DigestData:
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW, flags=lookup)
    assert data is not None
    return data


def _grow_payments(session: Session, org: Org) -> None:
    """A third member: Payments' anonymous flags may now be shown, to its people, counted."""
    newcomer = person(session, "nina")
    team: Team = org.teams["Payments"]
    world.make_member(session, team, newcomer)
    session.commit()


def test_manager_digest_lines_carry_the_open_flags_she_may_see(
    session: Session, settings: Settings, org: Org
) -> None:
    data = _alice(session, org, settings)
    [waiting] = [pr for pr in data.waiting_now if pr.number == 2]
    assert waiting.flags.line == "Open flags: “PR 2 is stuck” (tooling, by bob)"
    assert waiting.flags.anonymous == 0  # Payments has two members: not even counted
    [ledger] = [f for f in data.hotspots if f.path == "pay/ledger.py"]
    assert ledger.flags.line == "Open flags: “Ledger is a maze” (tooling, by carol)"
    [legacy] = [f for f in data.knowledge_risk if f.path == "pay/legacy.py"]
    assert [f.summary for f in legacy.flags.named] == ["Olga's code"]
    text, html = render_parts(data)
    for body in (text, html):
        assert "PR 2 is stuck" in body and "Ledger is a maze" in body
        assert "Ledger answered" not in body  # answered: nothing left to follow up
        assert SECRET not in body and "Payments whisper" not in body
    assert "  Open flags: “PR 2 is stuck” (tooling, by bob)\n" in text


def test_talking_point_mentions_the_open_flags_on_its_evidence(
    session: Session, settings: Settings, org: Org
) -> None:
    """Carol's point is her PR #2 waiting for a review; Bob's flag on that PR goes with it."""
    data = _alice(session, org, settings)
    [carol] = [tp for tp in data.talking_points if tp.login == "carol"]
    assert "PR #2" in carol.text
    assert carol.flags.line == "Open flags: “PR 2 is stuck” (tooling, by bob)"
    text, html = render_parts(data)
    assert "#2 has been waiting" in text
    assert text.count("  Open flags: “PR 2 is stuck” (tooling, by bob)\n") == 2  # PR, point
    assert 'class="open-flags"' in html


def test_anonymous_flags_are_counted_never_described_and_only_in_big_teams(
    session: Session, settings: Settings, org: Org
) -> None:
    _grow_payments(session, org)
    data = _alice(session, org, settings)
    [waiting] = [pr for pr in data.waiting_now if pr.number == 2]
    assert waiting.flags.anonymous == 1
    assert waiting.flags.line == "Open flags: “PR 2 is stuck” (tooling, by bob); 1 anonymous flag"
    for body in render_parts(data):
        assert "Payments whisper" not in body


def test_developer_digest_shows_the_flags_beside_the_prs_waiting_on_them(
    session: Session, settings: Settings, org: Org
) -> None:
    data = developer_digest(session, org.people["bob"], WEEK, settings, NOW, flags=lookup)
    [request] = [pr for pr in data.review_requests if pr.number == 2]
    assert [f.summary for f in request.flags.named] == ["PR 2 is stuck"]  # his own flag
    assert request.flags.anonymous == 0
    carol = developer_digest(session, org.people["carol"], WEEK, settings, NOW, flags=lookup)
    for pr in carol.own_waiting + carol.review_requests:
        assert not pr.flags.named  # Bob's flag is not Carol's to see, though the PR is hers


def test_digest_without_a_lookup_shows_no_flags(
    session: Session, settings: Settings, org: Org
) -> None:
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    assert not any(line.flags for line in data.waiting_now + data.hotspots)
    assert "Open flags" not in render_parts(data)[0]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_digest_preview_passes_the_lookup(client: TestClient, session: Session, org: Org) -> None:
    alice: Person = org.people["alice"]
    _, secret = create_token(session, alice)
    session.commit()
    response = client.get(
        f"/api/v1/digest/preview?week={WEEK}&format=text",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert "Open flags: “Ledger is a maze” (tooling, by carol)" in response.text
