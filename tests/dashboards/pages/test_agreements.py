"""The repository page lists the CI agreements its workflows passed, for the teams one may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.core.access import Viewer
from app.core.agreements import set_agreements
from app.core.settings import Settings
from dashboards.pages.repo import repo_page
from tests import world as f

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_the_repository_page_shows_the_ci_agreements_its_workflows_passed(
    session: Session, settings: Settings
) -> None:
    mia, ann, zed = (f.make_person(session, login) for login in ("mia", "ann", "zed"))
    core = f.make_team(session, "core", manager=mia, members=[ann])
    f.make_team(session, "other", manager=zed, members=[zed])
    repo = f.make_repo(session, "acme/api")
    for day in range(3):  # 20, 21 and 22 minutes in the last week: p90 21.8 minutes
        f.make_run(
            session,
            repo,
            actor="ann",
            head_sha=f"{day:040x}",
            created_at=NOW - timedelta(days=day + 1),
            attempts=[("success", timedelta(minutes=20 + day))],
            workflow="build",
        )
    assert core.id is not None
    set_agreements(session, core.id, {"ci_p90_minutes": 20, "first_review_hours": 24}, by="mia")
    as_mia = repo_page(session, Viewer(mia.id or 0, "mia"), "acme/api", "2w", NOW, settings)
    [row] = as_mia.ci_agreements
    assert (row.team, row.rule, row.workflow) == ("core", "ci_p90_minutes", "build")
    assert row.text.startswith("build on acme/api took 21.8 minutes at p90 over the 7 days to")
    assert row.text.endswith("; the team agreed on 20")
    assert row.url and row.url.startswith("https://github.com/acme/api/actions/runs/")
    as_zed = repo_page(session, Viewer(zed.id or 0, "zed"), "acme/api", "2w", NOW, settings)
    assert as_zed.ci_agreements == []  # not a team zed may see
    set_agreements(session, core.id, {"ci_p90_minutes": 22}, by="mia")
    calmer = repo_page(session, Viewer(mia.id or 0, "mia"), "acme/api", "2w", NOW, settings)
    assert calmer.ci_agreements == []
