"""The digest's delivery line: the team's four keys for the digest week, from real rows, in both
the text and the HTML part; a team whose repositories were never collected gets no line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.core.models import PullRequest, Repository, SyncCursor
from app.core.settings import Settings
from dashboards.digest.build import manager_digest, render
from tests import world
from tests.dashboards.digest.org import NOW, W47, WEEK, build_org


def test_the_managers_digest_has_the_teams_delivery_keys_for_the_week(
    session: Session, settings: Settings
) -> None:
    org = build_org(session)
    repo = session.exec(select(Repository).where(Repository.name == "acme/payments")).one()
    merged = session.exec(select(PullRequest).where(PullRequest.number == 1)).one()
    merged.merge_commit_sha = "c" * 40
    session.add(
        SyncCursor(source="delivery", repository=repo.name, position='{"source": "releases"}')
    )
    world.make_deployment(
        session, repo, "c" * 40, at=W47 + timedelta(days=2), key="release:v1", source="releases",
        environment="", pulls=(merged,),
    )  # fmt: skip
    world.make_deployment(
        session, repo, "d" * 40, at=W47 + timedelta(days=3, hours=2), key="release:v2",
        source="releases", environment="",
    )  # fmt: skip
    world.make_deployment(
        session, repo, "e" * 40, at=W47 + timedelta(days=8), key="release:v3", source="releases"
    )  # the week after: not this digest's
    world.make_delivery_failure(
        session, repo, "revert", "pull:9", started_at=W47 + timedelta(days=3), number=9,
        title='Revert "Change 1"', deployment_key="release:v1", reverted_number=1,
    )  # fmt: skip
    session.commit()

    data = manager_digest(session, org.people["alice"], WEEK, settings, NOW)
    assert data is not None
    [line] = data.delivery
    assert (line.team, line.deployments, line.deployment_days) == ("Payments", 2, 2)
    assert line.lead_time_median_hours == pytest.approx(48.0)  # opened Monday, shipped Wednesday
    assert (line.failed_deployments, line.change_failure_rate) == (1, 0.5)
    assert line.restore_median_hours == pytest.approx(2.0)  # the next release, two hours on
    assert line.url.endswith("/teams/Payments#delivery")
    assert "1 of 2 deployments caused a failure (50 %)" in line.text
    message = render(data)
    text, html = (str(part.get_content()) for part in message.iter_parts())
    assert f"- Team Payments: {line.text} <{line.url}>" in text
    assert 'data-delivery-team="Payments"' in html and "caused a failure (50 %)" in html

    search = manager_digest(session, org.people["dave"], WEEK, settings, NOW)
    assert search is not None and search.delivery == []  # never collected: no line, no zero
    assert "FROM MERGE TO PRODUCTION" not in str(render(search).get_body(("plain",)).get_content())
