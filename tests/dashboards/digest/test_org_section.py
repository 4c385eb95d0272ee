"""The digest's organisation section: a director reads each team below them in alphabetical
order with the page's numbers and a link to its part of /org; a manager of one team gets none."""

from __future__ import annotations

from sqlmodel import Session

from app.core.settings import Settings
from dashboards.digest.build import manager_digest, render
from tests.dashboards.digest.org import NOW, WEEK, build_org, person, team


def _text(data: object) -> str:
    message = render(data)  # type: ignore[arg-type]
    return "\n".join(str(part.get_content()) for part in message.iter_parts())


def test_a_director_reads_each_team_in_order(session: Session, settings: Settings) -> None:
    org = build_org(session)
    vera = person(session, "vera", name="Vera")
    team(
        session,
        "Leads",
        vera,
        [org.people["alice"], org.people["dave"], org.people["frank"]],
        "UTC",
    )
    session.flush()
    data = manager_digest(session, vera, WEEK, settings, NOW)
    assert data is not None
    assert [line.team for line in data.org] == ["Payments", "Platform", "Search"]
    payments = data.org[0]
    assert payments.text.startswith("first review 5.0 hours; 1 PR waiting now;")  # as the page
    assert payments.url.endswith("/org/Payments")
    text = _text(data)
    assert "YOUR ORGANISATION" in text and 'data-org-team="Search"' in text
    assert data.links[0].url.endswith("/org")


def test_a_manager_of_one_team_gets_no_organisation_section(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None and data.org == []
    assert "YOUR ORGANISATION" not in _text(data)
