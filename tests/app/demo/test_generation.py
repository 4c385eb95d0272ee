"""The demo organisation is reproducible and really contains the patterns it promises."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.demo.build import Manifest, build_demo, load_or_build

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    return folder, build_demo(folder, today=TODAY)


def _git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def _load(manifest: Manifest, repo: str, name: str) -> object:
    return json.loads((Path(manifest.scenario_dir) / repo / name).read_text())


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text()
        for p in sorted((folder / "github").rglob("*.json"))
    }


def test_same_seed_and_day_give_identical_output(
    demo: tuple[Path, Manifest], tmp_path: Path
) -> None:
    folder, manifest = demo
    again = build_demo(tmp_path / "again", today=TODAY)
    assert again.counts == manifest.counts
    assert again.patterns == manifest.patterns
    assert _tree_digest(tmp_path / "again") == _tree_digest(folder)
    for first, second in zip(manifest.repos, again.repos, strict=True):
        assert _git(first["path"], "rev-parse", "main") == _git(second["path"], "rev-parse", "main")


def test_a_second_load_reuses_the_folder(demo: tuple[Path, Manifest]) -> None:
    folder, manifest = demo
    reused, built = load_or_build(folder)
    assert not built
    assert reused.counts == manifest.counts


def test_three_repositories_with_history_over_the_last_120_days(
    demo: tuple[Path, Manifest],
) -> None:
    _, manifest = demo
    assert len(manifest.repos) == 3
    for repo in manifest.repos:
        dates = _git(repo["path"], "log", "--format=%aI", "main").split()
        oldest = datetime.fromisoformat(min(dates, key=datetime.fromisoformat))
        newest = datetime.fromisoformat(max(dates, key=datetime.fromisoformat))
        assert (datetime(2026, 11, 25, tzinfo=UTC) - oldest).days in range(120, 130)
        assert newest < datetime(2026, 11, 25, tzinfo=UTC)
        commits = int(_git(repo["path"], "rev-list", "--count", "main"))
        assert commits == manifest.counts[repo["full_name"]]["commits"]


def test_one_reviewer_carries_most_payments_reviews(demo: tuple[Path, Manifest]) -> None:
    _, manifest = demo
    reviews = _load(manifest, "acme/payments-api", "reviews.json")
    assert isinstance(reviews, dict)
    by_reviewer = Counter(r["user"]["login"] for rs in reviews.values() for r in rs)
    busiest, count = by_reviewer.most_common(1)[0]
    assert busiest == manifest.patterns["busy_reviewer"]
    assert count > sum(by_reviewer.values()) / 2


def test_a_pull_request_is_left_waiting(demo: tuple[Path, Manifest]) -> None:
    _, manifest = demo
    waiting = manifest.patterns["waiting_pull"]
    pulls = _load(manifest, waiting["repo"], "pulls.json")
    reviews = _load(manifest, waiting["repo"], "reviews.json")
    assert isinstance(pulls, list) and isinstance(reviews, dict)
    pull = next(p for p in pulls if p["number"] == waiting["number"])
    assert pull["state"] == "open" and not pull["draft"]
    assert [r["login"] for r in pull["requested_reviewers"]] == ["chen"]
    assert reviews[str(waiting["number"])] == []
    opened = datetime.fromisoformat(pull["created_at"])
    assert datetime(2026, 11, 25, tzinfo=UTC) - opened > timedelta(days=4)


def test_the_flaky_job_fails_then_passes_on_the_same_sha(demo: tuple[Path, Manifest]) -> None:
    _, manifest = demo
    flaky = manifest.patterns["flaky"]
    attempts = _load(manifest, flaky["repo"], "run_attempts.json")
    jobs = _load(manifest, flaky["repo"], "jobs.json")
    assert isinstance(attempts, dict) and isinstance(jobs, dict)
    reruns = {run_id: runs for run_id, runs in attempts.items() if len(runs) > 1}
    assert len(reruns) == flaky["runs"] >= 10
    for run_id, runs in reruns.items():
        assert [r["conclusion"] for r in runs] == ["failure", "success"]
        assert runs[0]["head_sha"] == runs[1]["head_sha"]
        failed = [j["name"] for j in jobs[run_id] if j["conclusion"] == "failure"]
        assert failed == [flaky["job"]]
        assert {j["run_attempt"] for j in jobs[run_id]} == {1, 2}


def test_the_hotspot_owner_has_gone_quiet(demo: tuple[Path, Manifest]) -> None:
    _, manifest = demo
    hotspot = manifest.patterns["hotspot"]
    repo = next(r["path"] for r in manifest.repos if r["full_name"] == hotspot["repo"])
    touched = Counter(_git(repo, "log", "--format=", "--name-only", "main").split())
    assert touched.most_common(1)[0][0] == hotspot["path"]
    added: Counter[str] = Counter()
    author = ""
    for line in _git(
        repo, "log", "--format=@%an", "--numstat", "main", "--", hotspot["path"]
    ).splitlines():
        if line.startswith("@"):
            author = line[1:]
        elif line.strip():
            added[author] += int(line.split()[0])
    owner, lines = added.most_common(1)[0]
    assert owner == "Kai Lindqvist" and lines > sum(added.values()) / 2
    last = _git(repo, "log", "-1", "--format=%aI", "--author=Kai", "main").strip()
    assert datetime(2026, 11, 25, tzinfo=UTC) - datetime.fromisoformat(last) > timedelta(days=90)


def test_people_file_has_two_teams_and_about_ten_people(demo: tuple[Path, Manifest]) -> None:
    import yaml

    _, manifest = demo
    people = yaml.safe_load(Path(manifest.people_file).read_text())
    assert [t["name"] for t in people["teams"]] == ["Payments", "Platform", "Engineering"]
    leads = people["teams"][2]  # the director's team of managers, so /org has a reader
    assert (leads["manager"], leads["members"]) == ("rosa", ["amara", "farah"])
    assert 9 <= len(people["people"]) <= 12
    assert len(manifest.flags) >= 5
    assert any(flag["anonymous"] for flag in manifest.flags)


def test_a_relative_folder_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    manifest = build_demo(Path(".gemba/demo"), today=TODAY)
    assert Path(manifest.scenario_dir).is_absolute()
    assert all(Path(repo["path"], ".git").is_dir() for repo in manifest.repos)


def test_each_team_sets_working_agreements_the_product_accepts(
    demo: tuple[Path, Manifest],
) -> None:
    import yaml

    from app.core.agreements import check_all

    _, manifest = demo
    people = yaml.safe_load(Path(manifest.people_file).read_text())
    for team in people["teams"][:2]:  # the teams that work; not the director's team of managers
        assert check_all(team["agreements"]) == team["agreements"]
        assert "first_review_hours" in team["agreements"]
