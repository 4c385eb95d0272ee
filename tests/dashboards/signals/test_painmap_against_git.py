"""The pain map on a real git repository, with PRs and runs collected from the GitHub stand-in
that touch its files, against numbers computed here from git, the scenario and the flags.

The oracle reads the working tree and `git show`, never the code under test.
"""

from __future__ import annotations

import statistics
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.access import Viewer
from app.core.models import FlagAuthor, FrictionFlag, Person
from app.core.settings import Settings
from app.flags.lookup import lookup
from collectors.ci.fetch import collect_ci
from collectors.git.store import collect_git
from collectors.github_client import make_github
from collectors.pulls.sync import collect_pulls
from dashboards.reports import painmap, painmap_team
from dashboards.reports.painmap_team import team_answer
from dashboards.signals.painmap import BINARY
from tests import world as rows
from tests.world.ci import CiScenario
from tests.world.git import ALICE, BOB, CAROL, START, RepoBuilder
from tests.world.github import make_pull, make_review, make_review_comment
from tests.world.github_api import GithubApi

OWNER, NAME = "acme", "shop"
REPO = f"{OWNER}/{NAME}"
UNTIL = START + timedelta(days=30)
SINCE = START - timedelta(days=1)


def _t(day: float) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _build_git(path: Path) -> dict[str, str]:
    """Deep folders, a rename, a deletion, a binary file; returns the SHAs PRs point at."""
    repo = RepoBuilder(path)
    repo.lines("src/pay/ledger/core.py", 40)
    repo.lines("src/pay/ledger/util.py", 10)
    repo.lines("src/api/routes.py", 20)
    repo.lines("old/legacy.py", 7)
    repo.lines("docs/readme.md", 5)
    repo.write("assets/logo.png", b"\x89PNG\x00\x01\x02" * 30)
    repo.write("assets/banner.png", b"\x89PNG\x00" + bytes(range(256)) * 9)
    repo.commit("Start", author=ALICE)
    repo.lines("src/pay/ledger/core.py", 55, tag="v2")
    repo.move("src/api/routes.py", "src/web/routes.py")
    repo.commit("Fix ledger rounding (#2)", author=BOB)
    repo.git("rm", "-q", "old/legacy.py")
    repo.lines("src/a/b/c/d/deep.py", 3)
    deep = repo.commit("Deep module", author=ALICE)
    repo.lines("src/pay/ledger/util.py", 12, tag="v2")
    repo.commit("Tidy util (#4)", author=CAROL)
    return {"deep": deep}


def _pulls(shas: dict[str, str]) -> dict[str, Any]:
    pull = {
        2: make_pull(
            OWNER,
            NAME,
            2,
            author="bob",
            state="closed",
            created_at=_t(0.5),
            merged_at=_t(1.5),
            closed_at=_t(1.5),
            head_sha="e" * 40,
        ),
        3: make_pull(OWNER, NAME, 3, author="alice", created_at=_t(2.5), head_sha=shas["deep"]),
        4: make_pull(OWNER, NAME, 4, author="carol", created_at=_t(3.5), head_sha="f" * 40),
        5: make_pull(
            OWNER, NAME, 5, author="dan", created_at=_t(4), head_sha="d" * 40, review_comments=1
        ),
    }
    review_5 = make_review(OWNER, NAME, 5, reviewer="bob", state="COMMENTED", submitted_at=_t(4.5))
    reviews = {
        "2": [make_review(OWNER, NAME, 2, reviewer="cid", state="APPROVED", submitted_at=_t(0.75))],
        "3": [make_review(OWNER, NAME, 3, reviewer="bob", state="COMMENTED", submitted_at=_t(3.5))],
        "5": [review_5],
    }
    comment = make_review_comment(
        OWNER,
        NAME,
        5,
        author="bob",
        path="src/pay/ledger/util.py",
        created_at=_t(4.5),
        review_id=review_5["id"],
    )
    comments = {"5": [comment]}
    return {"pulls": list(pull.values()), "reviews": reviews, "review_comments": comments}


# Expected review waits (hours to first review; still waiting: hours so far, to UNTIL)
WAITS = {
    2: 6.0,
    3: 24.0,
    4: (UNTIL - (START + timedelta(days=3.5))).total_seconds() / 3600,
    5: 12.0,
}
# Which files each PR touched: #2 and #4 by squash subject, #3 by head commit, #5 by comment
PR_FILES = {
    2: {"src/pay/ledger/core.py", "src/web/routes.py"},
    3: {"src/a/b/c/d/deep.py"},
    4: {"src/pay/ledger/util.py"},
    5: {"src/pay/ledger/util.py"},
}
FAILED = {2: {100}, 5: {103}}
FLAKY = {2: {101}}


def _ci(shas: dict[str, str]) -> CiScenario:
    ci = CiScenario(OWNER, NAME)
    ci.workflow(10, "CI")
    base = START + timedelta(days=1)
    for run_id, hour, pull in ((100, 0, 2), (101, 1, 2), (103, 4, 5)):
        head = "e" * 40 if pull == 2 else "d" * 40
        ci.run(
            run_id,
            10,
            base + timedelta(hours=hour),
            head_sha=head,
            event="pull_request",
            pull_numbers=(pull,),
            conclusion="failure",
        )
    ci.rerun(101, base + timedelta(hours=2), conclusion="success")
    ci.run(102, 10, base + timedelta(hours=3), head_sha=shas["deep"], conclusion="success")
    ci.run(104, 10, base + timedelta(hours=5), head_sha="9" * 40, conclusion="failure")
    return ci


def _flags(session: Session) -> tuple[Viewer, dict[str, set[str]]]:
    """A manager of a big team (3) and a small one (2): anonymous flags of the small team are
    never shown one by one (k >= 3). Returns the viewer and, per file, the flags they see."""
    people = [rows.make_person(session, f"p{i}", name=None, email=None) for i in range(6)]
    boss = people[0]
    big = rows.make_team(session, "big", manager=boss, members=people[1:4])
    small = rows.make_team(session, "small", manager=boss, members=people[4:6])
    at = START + timedelta(days=5)

    def flag(**kw: Any) -> FrictionFlag:
        row = FrictionFlag(
            category="review_wait", summary="waiting", repo=REPO, created_at=at, **kw
        )
        session.add(row)
        session.flush()
        return row

    named = flag(team_id=big.id, path="src/pay/ledger/core.py")
    session.add(FlagAuthor(flag_id=named.id, person_id=people[1].id))
    anon_big = flag(team_id=big.id, anonymous=True, pull_number=4)
    flag(team_id=small.id, anonymous=True, path="src/pay/ledger/core.py")  # hidden: k < 3
    flag(team_id=small.id, anonymous=True, pull_number=2)  # hidden: k < 3
    outside = flag(team_id=big.id, path="old/legacy.py")  # deleted file: on no box
    session.commit()
    assert outside.public_id
    expected = {
        "src/pay/ledger/core.py": {named.public_id},
        "src/pay/ledger/util.py": {anon_big.public_id},
    }
    return Viewer(person_id=boss.id or 0, login="p0"), expected


@pytest.fixture
def mapped(
    engine: Engine, session: Session, settings: Settings, github_api: GithubApi, tmp_path: Path
) -> tuple[dict[str, Any], painmap.Evidence, dict[str, set[str]], Path]:
    shas = _build_git(tmp_path / "shop")
    collect_git(engine, tmp_path / "shop", name=REPO)
    github_api.write_repo(OWNER, NAME, **_pulls(shas), **_ci(shas).files())
    config = settings.model_copy(
        update={"github_api_url": github_api.url, "github_token": "ghp_test", "github_retries": 2}
    )
    collect_pulls(engine, make_github(config), REPO)
    collect_ci(engine, make_github(config), REPO, config, now=UNTIL)
    viewer, flags = _flags(session)
    query = painmap.MapQuery(REPO, SINCE, UNTIL, viewer, lookup, config)
    answer = painmap.answer(session, query, color="review")
    evidence = painmap.gather(session, query)
    return answer, evidence, flags, tmp_path / "shop"


def _oracle_loc(path: Path) -> dict[str, int]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=path, check=True, capture_output=True, text=True
    ).stdout.split()
    result = {}
    for name in names:
        data = (path / name).read_bytes()
        result[name] = 0 if b"\0" in data else data.count(b"\n")
    return result


def _inside(directory: str, files: set[str]) -> set[str]:
    return {f for f in files if not directory or f.startswith(directory + "/")}


def test_lines_per_file_and_directory_sums(mapped: Any) -> None:
    answer, _, _, path = mapped
    loc = _oracle_loc(path)
    nodes = {n["id"]: n for n in answer["nodes"]}
    files = {n["path"]: n for n in answer["nodes"] if n["kind"] in ("file", "binary")}
    assert set(files) == set(loc)  # the deleted file is gone, the renamed one is at its new path
    assert "old/legacy.py" not in files and "src/api/routes.py" not in files
    for name, count in loc.items():
        assert files[name]["loc"] == count
    assert files["assets/logo.png"]["parent"] == f"{REPO}/{BINARY}"
    for node in answer["nodes"]:
        children = [c for c in answer["nodes"] if c["parent"] == node["id"]]
        if children:
            assert node["loc"] == sum(c["loc"] for c in children), node["id"]
    assert nodes[f"{REPO}/src/a/b/c/d"]["loc"] == 3
    assert nodes[REPO]["loc"] == sum(loc.values())
    assert all(n["parent"] in nodes for n in answer["nodes"] if n["parent"])


def test_review_wait_medians_ci_counts_and_flags_per_file_and_directory(mapped: Any) -> None:
    answer, _, flags, path = mapped
    text = {p for p, n in _oracle_loc(path).items() if n or not p.endswith(".png")}
    for node in answer["nodes"]:
        if node["kind"] in ("file",):
            inside = {node["path"]}
        elif node["kind"] in ("dir", "root"):
            inside = _inside(node["path"], text)
        else:
            continue
        prs = {n for n, touched in PR_FILES.items() if touched & inside}
        waits = [WAITS[n] for n in prs]
        median = round(statistics.median(waits), 2) if waits else None
        assert node["review_wait_median_hours"] == pytest.approx(median), node["id"]
        assert node["pulls"] == len(prs)
        assert node["ci_failed_runs"] == len(set().union(*(FAILED.get(n, set()) for n in prs)))
        assert node["ci_flaky_runs"] == len(set().union(*(FLAKY.get(n, set()) for n in prs)))
        seen = set().union(*(ids for p, ids in flags.items() if p in inside))
        assert node["flags"] == len(seen), node["id"]
    root = next(n for n in answer["nodes"] if n["kind"] == "root")
    assert root["flags"] == 2  # the small team's anonymous flags never count (k < 3)
    assert root["ci_failed_runs"] == 2  # run 104 belongs to no PR


def test_binary_boxes_are_sized_by_bytes_in_their_share_of_the_map(mapped: Any) -> None:
    answer, _, _, path = mapped
    loc = _oracle_loc(path)
    binaries = {p: (path / p).stat().st_size for p in loc if b"\0" in (path / p).read_bytes()}
    assert len(binaries) == 2 and len(set(binaries.values())) == 2
    text_lines = sum(n for p, n in loc.items() if p not in binaries)
    share = text_lines * len(binaries) / len(loc)  # binary files' share of the files, as area
    boxes = {n["path"]: n for n in answer["nodes"] if n["kind"] == "binary"}
    for name, size in binaries.items():
        assert boxes[name]["size_bytes"] == size and boxes[name]["loc"] == 0
        assert boxes[name]["area"] == pytest.approx(share * size / sum(binaries.values()), abs=1e-3)
    group = next(n for n in answer["nodes"] if n["kind"] == "binary-group")
    assert group["size_bytes"] == sum(binaries.values()) and group["area"] == 0


def test_path_panel_lists_the_evidence_behind_a_directory(mapped: Any) -> None:
    _, evidence, flags, _ = mapped
    panel = painmap.path_panel(evidence, "src/pay/ledger")
    assert [p["number"] for p in panel["pulls"]] == [2, 4, 5]
    assert all(p["url"] for p in panel["pulls"])
    assert {r["id"] for r in panel["runs"]} == {100, 101, 103}
    assert {f["id"] for f in panel["flags"]} == flags["src/pay/ledger/core.py"] | flags[
        "src/pay/ledger/util.py"
    ]
    with pytest.raises(LookupError):
        painmap.path_panel(evidence, "no/such/dir")


def test_folding_keeps_at_most_max_boxes_and_every_line(mapped: Any) -> None:
    _, evidence, _, path = mapped
    small = painmap.nodes(evidence, max_boxes=8)
    assert len(small) <= 8
    root = next(n for n in small if n["kind"] == "root")
    assert root["loc"] == sum(_oracle_loc(path).values())
    assert any(n["kind"] == "other" for n in small)


def test_hotspot_score_matches_the_hotspot_report(mapped: Any, session: Session) -> None:
    from dashboards.reports.hotspots import hotspots

    answer, _, _, _ = mapped
    spots = {h.path: h.score for h in hotspots(session, repo=REPO, now=UNTIL, since=SINCE)}
    files = {n["path"]: n for n in answer["nodes"] if n["kind"] == "file"}
    for name, node in files.items():
        assert node["hotspot_score"] == pytest.approx(round(spots.get(name, 0.0), 4))
    assert files["src/pay/ledger/core.py"]["owner"] in {"Alice", "Bob"}
    assert files["src/pay/ledger/core.py"]["commits"] == 2


def _boss_query(session: Session, settings: Settings) -> painmap.MapQuery:
    boss = session.exec(select(Person).where(Person.login == "p0")).one()
    return painmap.MapQuery(REPO, SINCE, UNTIL, Viewer(boss.id or 0, "p0"), lookup, settings)


def _named_people(nodes: list[dict[str, Any]]) -> set[str]:
    """Every person's name or login found on a box anywhere but its `owner` field."""
    people = {"alice", "bob", "carol", "dan", "cid", "p0", "p1", "p4"}
    text = " ".join(
        str(v).lower() for n in nodes for k, v in n.items() if k != "owner" and isinstance(v, str)
    )
    return {p for p in people if p in text.replace("/", " ").split()}


def test_team_map_holds_the_repository_map_under_the_team(
    mapped: Any, session: Session, settings: Settings
) -> None:
    answer, _, _, _ = mapped
    team = team_answer(
        session,
        _boss_query(session, settings),
        team="payments",
        logins=frozenset({"bob", "carol"}),
        color="flags",
    )
    assert team["repos"] == [REPO]
    root, *rest = team["nodes"]
    assert root["id"] == "team:payments" and root["parent"] is None
    repo_map = {n["id"]: n for n in answer["nodes"]}
    for node in rest:
        assert node["flags"] == repo_map[node["id"]]["flags"], node["id"]
    assert root["flags"] == 2  # as on the repository's map: small-team anonymous flags unseen
    assert _named_people(team["nodes"]) == set()


def test_person_map_is_the_files_they_changed(
    mapped: Any, session: Session, settings: Settings
) -> None:
    _, _, flags, path = mapped
    changed = subprocess.run(
        ["git", "log", "-M", "--no-merges", f"--author={BOB[1]}", "--name-only", "--format="],
        cwd=path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    at_head = set(_oracle_loc(path))
    mine = painmap_team.person_answer(
        session,
        _boss_query(session, settings),
        emails=frozenset({BOB[1].upper()}),
        color="flags",
        max_boxes=50,
    )
    files = {n["path"]: n for n in mine["nodes"] if n["kind"] == "file"}
    assert set(files) == set(changed) & at_head == {"src/pay/ledger/core.py", "src/web/routes.py"}
    assert files["src/pay/ledger/core.py"]["flags"] == len(flags["src/pay/ledger/core.py"])
    root = mine["nodes"][0]
    assert root["name"] == "files worked in" and root["loc"] == sum(
        _oracle_loc(path)[p] for p in files
    )
    assert _named_people(mine["nodes"]) == set()
    assert (
        painmap_team.person_answer(
            session,
            _boss_query(session, settings),
            emails=frozenset(),
            color="hotspot",
            max_boxes=50,
        )["nodes"][0]["loc"]
        == 0
    )
