"""The CI agreements on runs collected through the GitHub stand-in: exactly N is not an
exception, N and a minute is; only the team's builds count (the CI attribution rule)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.agreements import set_agreements
from app.core.models import Team
from app.core.people import import_people
from app.core.settings import Settings
from dashboards.queries.ci import attempts_for, rule_attempts
from dashboards.queries.ci_rows import RuleAttempt
from dashboards.reports.agreements import team_exceptions
from tests.collectors.ci.test_fetch import _collect
from tests.world.ci import SHA_A, T0, CiScenario
from tests.world.github_api import GithubApi

NOW = T0 + timedelta(days=5)
PEOPLE = {"teams": [{"name": "core", "members": ["ann"]}], "people": [{"login": "ann"}]}


def _scenario() -> CiScenario:
    """CI: four SHAs at 20 minutes each, one failed and then passed on a rerun (1 flaky of 4
    groups, 25 %); Lint: 21 minutes; zed's Deploy takes an hour, and zed is not in the team."""
    ci = CiScenario()
    ci.workflow(10, "CI")
    ci.workflow(20, "Lint")
    ci.workflow(30, "Deploy")
    twenty, at = timedelta(minutes=20), T0
    ci.run(1, 10, at, head_sha=SHA_A, actor="ann", conclusion="failure", duration=twenty)
    ci.rerun(1, at + timedelta(minutes=30), conclusion="success", duration=twenty)
    for run_id in (2, 3, 4):
        ci.run(run_id, 10, at + timedelta(hours=run_id), actor="ann", duration=twenty)
    ci.run(5, 20, at, actor="ann", duration=twenty + timedelta(minutes=1))
    ci.run(6, 30, at, actor="zed", duration=timedelta(hours=1))
    return ci


def _found(session: Session, settings: Settings, targets: dict[str, float]) -> set[str]:
    team = session.exec(select(Team).where(Team.name == "core")).one()
    assert team.id is not None
    set_agreements(session, team.id, targets, by="test", replace=True)
    since = NOW - timedelta(days=7)
    result = team_exceptions(session, team, settings, since=since, until=NOW, now=NOW)
    return {f"{e.rule} {e.workflow} {e.value}" for e in result.exceptions}


def test_ci_p90_minutes_and_flaky_percent_at_their_boundaries(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi
) -> None:
    _scenario().write(github_api)
    _collect(engine, settings, github_api, now=NOW)
    import_people(session, PEOPLE)
    session.commit()
    assert _found(session, settings, {"ci_p90_minutes": 20}) == {"ci_p90_minutes Lint 21.0"}
    assert _found(session, settings, {"ci_p90_minutes": 21}) == set()
    assert _found(session, settings, {"flaky_percent": 25}) == set()
    assert _found(session, settings, {"flaky_percent": 24}) == {"flaky_percent CI 25.0"}


def test_the_rules_read_the_runs_attempts_for_gives_in_its_order(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi
) -> None:
    """`rule_attempts` is `attempts_for` with fewer fields: the same team's runs (zed's Deploy
    left out), the same order, the same values read through its faster column types."""
    _scenario().write(github_api)
    _collect(engine, settings, github_api, now=NOW)
    import_people(session, PEOPLE)
    session.commit()
    window = {"since": T0 - timedelta(days=1), "until": NOW, "logins": {"ann"}}
    full = attempts_for(session, **window)  # type: ignore[arg-type]
    lean = rule_attempts(session, **window)  # type: ignore[arg-type]
    runs = [(a.workflow, a.run_id, a.attempt) for a in full]
    assert runs == [("CI", 1, 1), ("CI", 1, 2), ("Lint", 5, 1)] + [("CI", n, 1) for n in (2, 3, 4)]
    assert lean == [tuple(getattr(a, field) for field in RuleAttempt._fields) for a in full]
    assert all(a.created_at.tzinfo is not None for a in lean)
