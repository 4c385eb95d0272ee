"""Working agreements over PRs collected through PyGithub from the GitHub stand-in.

Every PR below is one case of one rule, placed just inside or just past the team's line:
exactly N is not an exception and N plus a minute is. Monday 2026-11-02 is day 0 and `t(H)`
is hour H after its midnight, UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.everything import cli
from app.core.agreements import mark_expected, set_agreements
from app.core.db import session_scope
from app.core.models import Team
from app.core.people import import_people
from app.core.settings import Settings, get_settings
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls
from dashboards.reports.agreements import team_exceptions
from tests.world.github_api import GithubApi
from tests.world.reviews import FULL_NAME, MONDAY, OWNER, REPO, Scenario, dt, t

MINUTE = 1 / 60
NOW = MONDAY + timedelta(days=14)
PEOPLE = {
    "teams": [
        {"name": "core", "manager": "mia", "members": ["ann", "bob", "cid"]},
        {
            "name": "berlin",
            "manager": "mia",
            "members": ["dee"],
            "timezone": "Europe/Berlin",
        },
    ],
    "people": [{"login": login} for login in ("ann", "bob", "cid", "dee", "mia")],
}


def build() -> Scenario:
    s = Scenario()
    # first_review_hours = 24: 1 exactly 24 h (no), 2 24 h and a minute (yes)
    s.pull(1, created_at=t(9), merged_at=t(40))
    s.review(1, "bob", "APPROVED", 9 + 24)
    s.pull(2, created_at=t(9), merged_at=t(40))
    s.review(2, "bob", "APPROVED", 9 + 24 + MINUTE)
    # 3 by a bot, waited 48 h: bots are left out
    s.pull(3, author="dependabot[bot]", created_at=t(9), merged_at=t(60))
    s.review(3, "bob", "APPROVED", 57)
    # 4 a draft for 3 days, reviewed 10 h after it was marked ready (no)
    s.pull(4, created_at=t(9), merged_at=t(100))
    s.event(4, "ready_for_review", 81)
    s.review(4, "bob", "APPROVED", 91)
    # 5 the author approved it herself at once; bob came 30 h later (yes: 30 h)
    s.pull(5, created_at=t(9), merged_at=t(45))
    s.review(5, "ann", "APPROVED", 10)
    s.review(5, "bob", "APPROVED", 39)
    # 6 labelled release, waited 30 h (left out: the team excludes `release`)
    s.pull(6, created_at=t(9), merged_at=t(45), labels=["release"])
    s.review(6, "bob", "APPROVED", 39)
    # 7 closed and reopened, first review 31 h after it opened (yes)
    s.pull(7, created_at=t(9), merged_at=t(45))
    s.event(7, "closed", 11)
    s.event(7, "reopened", 12)
    s.review(7, "bob", "APPROVED", 40)
    # review_hours = 10: 8 first review to approval exactly 10 h (no), 9 and a minute (yes)
    s.pull(8, created_at=t(9), merged_at=t(30))
    s.review(8, "bob", "COMMENTED", 10)
    s.review(8, "cid", "APPROVED", 20)
    s.pull(9, created_at=t(9), merged_at=t(30))
    s.review(9, "bob", "COMMENTED", 10)
    s.review(9, "cid", "APPROVED", 20 + MINUTE)
    # pr_size_lines = 400: 10 has 400 lines (no), 11 has 401 (yes)
    s.pull(10, created_at=t(9), merged_at=t(12), additions=300, deletions=100)
    s.review(10, "bob", "APPROVED", 10)
    s.pull(11, created_at=t(9), merged_at=t(12), additions=301, deletions=100)
    s.review(11, "bob", "APPROVED", 10)
    # open_days = 4: 12 open exactly 4 days (no), 13 4 days and a minute (yes)
    s.pull(12, created_at=t(9), merged_at=t(9 + 96))
    s.review(12, "bob", "APPROVED", 10)
    s.pull(13, created_at=t(9), merged_at=t(9 + 96 + MINUTE))
    s.review(13, "bob", "APPROVED", 10)
    # merge_without_review: 14 merged with only a comment (yes)
    s.pull(14, created_at=t(9), merged_at=t(12))
    s.review(14, "bob", "COMMENTED", 10)
    # queues now: bob is asked on 15 and 16, cid on 16; ann has 15 and 16 open
    s.pull(15, created_at=t(300), requested_reviewers=["bob"])
    s.pull(16, created_at=t(300), requested_reviewers=["bob", "cid"])
    # working hours for berlin: ready Friday 16:00 Berlin, reviewed Monday 11:00 Berlin:
    # 67 hours on the clock, 8 + 11 = 19 working hours
    s.pull(20, author="dee", created_at=t(4 * 24 + 15), merged_at=t(7 * 24 + 12))
    s.review(20, "ann", "APPROVED", 7 * 24 + 10)
    return s


@pytest.fixture
def gemba(collected: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GEMBA_DATABASE_URL", collected.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def collected(session: Session, settings: Settings, github_api: GithubApi) -> Settings:
    github_api.write_repo(OWNER, REPO, **build().files())
    config = settings.model_copy(update={"github_api_url": github_api.url, "github_token": "x"})
    collect_pulls(session.get_bind(), make_github(config), FULL_NAME)  # type: ignore[arg-type]
    import_people(session, PEOPLE)
    session.commit()
    return config


def _team(session: Session, name: str) -> Team:
    return session.exec(select(Team).where(Team.name == name)).one()


def _check(session: Session, config: Settings, team: str, targets: dict[str, Any]) -> set[str]:
    found = _team(session, team)
    assert found.id is not None
    set_agreements(session, found.id, targets, by="test", replace=True)
    result = team_exceptions(session, found, config, since=MONDAY, until=NOW, now=NOW)
    return {f"{e.rule} {e.item}" for e in result.exceptions if not e.expected}


def test_first_review_hours_boundary_bots_drafts_self_review_labels_reopened(
    session: Session, collected: Settings
) -> None:
    found = _check(
        session, collected, "core", {"first_review_hours": 24, "exclude_labels": ["release"]}
    )
    assert found == {
        "first_review_hours acme/api#2",  # 24 h and a minute
        "first_review_hours acme/api#5",  # her own approval is not a review
        "first_review_hours acme/api#7",  # reopened: counted from when it opened
        "first_review_hours acme/api#15",  # still waiting now
        "first_review_hours acme/api#16",
    }


def test_without_the_label_exclusion_the_release_pr_counts(
    session: Session, collected: Settings
) -> None:
    assert "first_review_hours acme/api#6" in _check(
        session, collected, "core", {"first_review_hours": 24}
    )


def test_still_waiting_is_dated_when_it_passed_the_line_and_marked_ongoing(
    session: Session, collected: Settings
) -> None:
    _check(session, collected, "core", {"first_review_hours": 24})
    result = team_exceptions(
        session, _team(session, "core"), collected, since=MONDAY, until=NOW, now=NOW
    )
    [waiting] = [e for e in result.exceptions if e.item == "acme/api#15"]
    assert waiting.ongoing and waiting.at == dt(300 + 24)
    assert waiting.value == round((NOW - dt(300)).total_seconds() / 3600, 2)


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ({"review_hours": 10}, {"review_hours acme/api#9"}),
        ({"pr_size_lines": 400}, {"pr_size_lines acme/api#11"}),
        ({"open_days": 4}, {"open_days acme/api#13"}),
        ({"merge_without_review": True}, {"merge_without_review acme/api#14"}),
        ({"pending_reviews_per_person": 1}, {"pending_reviews_per_person @bob"}),
        ({"wip_prs_per_person": 1}, {"wip_prs_per_person @ann"}),
        ({"pending_reviews_per_person": 2}, set()),  # bob has exactly 2 waiting on him
        ({"wip_prs_per_person": 2}, set()),  # ann has exactly 2 open
    ],
)
def test_each_rule_at_its_boundary(
    session: Session, collected: Settings, targets: dict[str, Any], expected: set[str]
) -> None:
    assert _check(session, collected, "core", targets) == expected


def test_working_hours_leave_the_weekend_out_in_the_teams_time_zone(
    session: Session, collected: Settings
) -> None:
    assert _check(session, collected, "berlin", {"first_review_hours": 24}) == {
        "first_review_hours acme/api#20"
    }
    assert (
        _check(session, collected, "berlin", {"first_review_hours": 24, "working_hours": True})
        == set()
    )
    assert _check(
        session, collected, "berlin", {"first_review_hours": 18, "working_hours": True}
    ) == {"first_review_hours acme/api#20"}


def test_backtest_equals_a_later_check_and_expected_leaves_the_count(
    engine: Any, gemba: CliRunner
) -> None:
    runner = gemba
    days = (datetime.now(UTC) - MONDAY).days + 1
    tried = runner.invoke(
        cli,
        [
            "agreements",
            "backtest",
            "--team",
            "core",
            "review_hours=10",
            "--days",
            str(days),
            "--json",
        ],
    )
    assert tried.exit_code == 0, tried.output
    backtest = json.loads(tried.stdout)
    assert backtest["counts"] == {"review_hours": 1}
    stored = runner.invoke(cli, ["agreements", "set", "--team", "core", "review_hours=10"])
    assert stored.exit_code == 0, stored.output
    again = runner.invoke(cli, ["agreements", "set", "--team", "core", "review_hours=10"])
    assert "nothing changed" in again.stdout
    since = backtest["since"]
    checked = runner.invoke(
        cli, ["agreements", "check", "--team", "core", "--since", since[:19], "--json"]
    )
    assert checked.exit_code == 0, checked.output
    check = json.loads(checked.stdout)
    assert check["counts"] == backtest["counts"]
    [exception] = check["exceptions"]
    assert (exception["rule"], exception["pull_number"], exception["value_hours"]) == (
        "review_hours",
        9,
        10.02,
    )
    with session_scope(engine) as session:
        from app.core.agreements import mark_expected

        team = _team(session, "core")
        assert team.id is not None
        mark_expected(session, team.id, "review_hours", "acme/api#9", "big migration", by="mia")
    after = json.loads(
        runner.invoke(
            cli, ["agreements", "check", "--team", "core", "--since", since[:19], "--json"]
        ).stdout
    )
    assert after["counts"] == {}
    assert after["exceptions"][0]["expected"] is True
    assert after["exceptions"][0]["expected_reason"] == "big migration"


def test_bad_agreements_are_clear_errors_and_store_nothing(gemba: CliRunner) -> None:
    runner = gemba
    for pair, message in (
        ("first_review_hourz=24", "no agreement named 'first_review_hourz'"),
        ("pr_size_lines=-3", "must be more than 0"),
        ("pr_size_lines=lots", "is not a number"),
    ):
        result = runner.invoke(cli, ["agreements", "set", "--team", "core", pair])
        assert result.exit_code == 1 and message in result.stderr, result.output
    shown = runner.invoke(cli, ["agreements", "show", "--team", "core", "--json"])
    assert json.loads(shown.stdout)["agreements"] == {}
    unknown = runner.invoke(cli, ["agreements", "show", "--team", "nope"])
    assert unknown.exit_code == 1 and "no team named 'nope'" in unknown.stderr


def test_the_people_file_sets_agreements_idempotently(
    session: Session, collected: Settings
) -> None:
    people = json.loads(json.dumps(PEOPLE))
    people["teams"][0]["agreements"] = {"first_review_hours": 24, "pr_size_lines": 400}
    first = import_people(session, people)
    assert "core" in first.teams_updated
    second = import_people(session, people)
    assert not second.changed
    team = _team(session, "core")
    from app.core.agreements import agreements_of, history_of

    assert team.id is not None
    assert agreements_of(session, team.id) == {"first_review_hours": 24, "pr_size_lines": 400}
    assert {c.changed_by for c in history_of(session, team.id)} == {"people file"}
    bad = json.loads(json.dumps(PEOPLE))
    bad["teams"][0]["agreements"] = {"first_review_hours": "soon"}
    with pytest.raises(ValueError, match="first_review_hours takes a number"):
        import_people(session, bad)


def test_a_session_counts_a_team_once_until_a_target_or_an_expected_mark_changes(
    session: Session, collected: Settings
) -> None:
    core = _team(session, "core")
    assert core.id is not None
    set_agreements(session, core.id, {"review_hours": 10}, by="test")
    window = {"since": MONDAY, "until": NOW, "now": NOW}
    first = team_exceptions(session, core, collected, **window)
    assert team_exceptions(session, core, collected, **window) is first
    assert first.counts == {"review_hours": 1}
    mark_expected(session, core.id, "review_hours", "acme/api#9", "schema change", by="mia")
    assert team_exceptions(session, core, collected, **window).counts == {}
    set_agreements(session, core.id, {"pr_size_lines": 400}, by="test")
    assert team_exceptions(session, core, collected, **window).counts == {"pr_size_lines": 1}
