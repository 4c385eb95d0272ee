"""Every hotspot metric against an independent count from plain `git log` on a real repository.

The oracle below reads the repository with `git log --follow --no-merges --numstat` per file
(git's own rename following) and `git cat-file`, never with the code under test.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.models import Commit, FileChange, Identity
from collectors.git.store import collect_git
from dashboards.queries.git import AuthorFileRow, ChangeRow, FileTotals, HeadFile, PersonKey
from dashboards.reports.hotspots import (
    UnknownRepository,
    coupling,
    files_touched_by,
    hotspots,
    knowledge_risk,
    ownership,
)
from dashboards.signals.hotspots import (
    Coupling,
    compute_coupling,
    compute_file_stats,
    compute_hotspots,
    compute_knowledge_risk,
    compute_ownership,
    rank_files,
)
from tests import world
from tests.world.git import (
    ALICE,
    BOB,
    CAROL,
    START,
    RepoBuilder,
    build_rich_history,
    git_out,
)

NOW = START + timedelta(days=100)
SINCE = START - timedelta(days=1)
BOT_LOGINS = ["renovate"]


def _is_bot(name: str, email: str) -> bool:
    return "[bot]" in name or "[bot]" in email or name in BOT_LOGINS


@dataclass
class Truth:
    """What plain git says about one file at HEAD."""

    commits: int = 0
    churn: int = 0
    last: datetime | None = None
    added_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    commits_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    names: dict[str, str] = field(default_factory=dict)
    loc: int = 0


def oracle(path: Path) -> dict[str, Truth]:
    truths: dict[str, Truth] = {}
    for entry in git_out(path, "ls-tree", "-r", "-z", "HEAD").split(b"\0"):
        if not entry:
            continue
        meta, raw = entry.split(b"\t", 1)
        if meta.split()[1] != b"blob":
            continue  # a submodule is a commit, not a file of this repository
        truth = Truth()
        log = git_out(
            path,
            "log",
            "--follow",
            "--no-merges",
            "--numstat",
            "--format=COMMIT %at%x09%aN%x09%aE",
            "--",
            raw,
        ).decode("utf-8", "replace")
        email = ""
        for line in log.splitlines():
            if line.startswith("COMMIT "):
                stamp, name, email = line[7:].split("\t")
                truth.commits += 1
                when = datetime.fromtimestamp(int(stamp), UTC)
                truth.last = max(truth.last or when, when)
                if not _is_bot(name, email):
                    truth.names[email] = name
                    truth.commits_by[email] += 1
                    truth.added_by[email] += 0
                continue
            if not line.strip():
                continue
            added, deleted = (0 if v == "-" else int(v) for v in line.split("\t")[:2])
            truth.churn += added + deleted
            if email in truth.names:
                truth.added_by[email] += added
        blob = git_out(path, "cat-file", "-p", b"HEAD:" + raw)
        unterminated = 1 if blob and not blob.endswith(b"\n") else 0  # as git's numstat counts
        truth.loc = 0 if b"\0" in blob[:8000] else blob.count(b"\n") + unterminated
        truths[raw.decode("utf-8", "backslashreplace")] = truth
    return truths


def _main(truth: Truth) -> tuple[str | None, float | None]:
    """docs/metrics.md: the person who added the most lines; nobody when nobody added one."""
    total = sum(truth.added_by.values())
    if not total:
        return None, None
    ranked = sorted(
        truth.added_by, key=lambda e: (-truth.added_by[e], -truth.commits_by[e], f"email:{e}")
    )
    top = ranked[0]
    return truth.names[top], truth.added_by[top] / total


@pytest.fixture(scope="module")
def rich_repo(tmp_path_factory: pytest.TempPathFactory) -> RepoBuilder:
    """Built once per module: the tests only read it."""
    return build_rich_history(tmp_path_factory.mktemp("rich") / "rich")


@pytest.fixture
def rich(rich_repo: RepoBuilder, engine: Engine) -> RepoBuilder:
    collect_git(engine, rich_repo.path, name="rich", bot_logins=BOT_LOGINS)
    return rich_repo


def test_commits_merges_and_bots_match_git(rich: RepoBuilder, session: Session) -> None:
    total = int(git_out(rich.path, "rev-list", "--count", "HEAD"))
    merges = git_out(rich.path, "rev-list", "--merges", "HEAD").split()
    assert session.exec(select(func.count()).select_from(Commit)).one()[0] == total
    stored_merges = session.exec(select(Commit.sha).where(Commit.is_merge)).all()
    assert sorted(s for (s,) in stored_merges) == sorted(m.decode() for m in merges)
    merge_changes = session.exec(
        select(func.count())
        .select_from(FileChange)
        .join(Commit, Commit.id == FileChange.commit_id)
        .where(Commit.is_merge)
    ).one()[0]
    assert merge_changes == 0
    log = git_out(rich.path, "log", "--format=%aN%x09%aE").decode().splitlines()
    bots = sum(_is_bot(*line.split("\t")) for line in log)
    assert session.exec(select(func.count()).select_from(Commit).where(Commit.is_bot)).one()[0] == (
        bots
    )
    emails = {e for (e,) in session.exec(select(Commit.author_email).distinct()).all()}
    assert "alice@old.example" not in emails  # .mailmap applied


def test_hotspots_match_plain_git(rich: RepoBuilder, session: Session) -> None:
    truths = oracle(rich.path)
    spots = hotspots(session, repo="rich", now=NOW, since=SINCE)
    assert {h.path for h in spots} == {p for p, t in truths.items() if t.commits}
    assert "caf\\xe9 menu.txt" in truths and "docs/a => b.md" in truths
    max_commits = max(t.commits for t in truths.values())
    max_loc = max(t.loc for t in truths.values() if t.commits)
    for spot in spots:
        truth = truths[spot.path]
        main, share = _main(truth)
        assert (spot.commits, spot.churn, spot.loc, spot.last_changed) == (
            truth.commits,
            truth.churn,
            truth.loc,
            truth.last,
        ), spot.path
        assert (spot.authors, spot.main_author) == (len(truth.added_by), main), spot.path
        assert spot.main_author_share == pytest.approx(share), spot.path
        assert spot.score == pytest.approx((truth.commits / max_commits) * (truth.loc / max_loc))
    scores = [h.score for h in spots]
    assert scores == sorted(scores, reverse=True)
    renamed = next(h for h in spots if h.path == "lib/help ers.py")
    assert renamed.commits == 4  # created as src/util.py, renamed twice, grown once


def test_window_limits_the_counts(rich: RepoBuilder, session: Session) -> None:
    since = START + timedelta(days=9)
    spots = {h.path: h for h in hotspots(session, repo="rich", now=NOW, since=since)}
    log = git_out(
        rich.path,
        "log",
        "--no-merges",
        f"--since={int(since.timestamp())}",
        "--format=",
        "--name-only",
    ).decode()
    expected: dict[str, int] = defaultdict(int)
    for name in log.splitlines():
        if name:
            expected[name] += 1
    assert {p: h.commits for p, h in spots.items()} == dict(expected)
    assert hotspots(session, repo="rich", now=NOW, since=since, limit=1)[0] == max(
        spots.values(), key=lambda h: h.score
    )


def test_people_mapped_to_one_person_count_once(rich: RepoBuilder, session: Session) -> None:
    before = {o.path: o for o in ownership(session, repo="rich", now=NOW, since=SINCE)}
    person = world.make_person(session, "bc", name="Bob and Carol", email=None)
    for email in (BOB[1], CAROL[1].upper()):
        session.add(Identity(kind="email", value=email, person_id=person.id))
    session.flush()
    after = {o.path: o for o in ownership(session, repo="rich", now=NOW, since=SINCE)}
    helpers = "lib/help ers.py"  # Alice (via mailmap), Bob, Carol
    assert before[helpers].authors == 3
    assert after[helpers].authors == 2
    merged = {c.key: c for c in after[helpers].contributors}
    truth = oracle(rich.path)[helpers]
    assert merged[f"person:{person.id}"].added == (
        truth.added_by[BOB[1]] + truth.added_by[CAROL[1]]
    )
    assert merged[f"email:{ALICE[1]}"].commits == truth.commits_by[ALICE[1]]


def test_knowledge_risk_matches_last_commit_dates(rich: RepoBuilder, session: Session) -> None:
    last: dict[str, datetime] = {}
    for line in git_out(rich.path, "log", "--format=%at%x09%aE").decode().splitlines():
        stamp, email = line.split("\t")
        when = datetime.fromtimestamp(int(stamp), UTC)
        last[email] = max(last.get(email, when), when)
    truths = oracle(rich.path)
    expected = set()
    for path, truth in truths.items():
        if not sum(truth.added_by.values()):
            continue  # a binary file, or nobody added a line: nobody's knowledge
        top = sorted(truth.added_by, key=lambda e: (-truth.added_by[e], -truth.commits_by[e], e))
        if NOW - last[top[0]] > timedelta(days=90):
            expected.add(path)
    risks = knowledge_risk(session, repo="rich", now=NOW, since=SINCE)
    assert {r.path for r in risks} == expected
    owners = {o.path: o for o in ownership(session, repo="rich", now=NOW, since=SINCE)}
    assert truths["logo.png"].commits_by  # people changed the image, none added a line
    assert (owners["logo.png"].main_author, owners["logo.png"].main_author_share) == (None, None)
    assert "logo.png" not in {r.path for r in risks}
    assert expected and expected != {p for p, t in truths.items() if t.added_by}
    for risk in risks:
        assert risk.idle_days == (NOW - risk.main_author_last_commit).days > 90


def test_files_touched_by_a_person(rich: RepoBuilder, session: Session) -> None:
    touched = files_touched_by(session, emails=[BOB[1].upper()], now=NOW, since=SINCE)
    truths = oracle(rich.path)
    expected = {p: t.commits_by[BOB[1]] for p, t in truths.items() if t.commits_by.get(BOB[1])}
    assert {t.path: t.commits for t in touched} == expected
    assert all(t.repo == "rich" for t in touched)
    assert files_touched_by(session, emails=[], now=NOW) == []


def test_unknown_repository_raises(session: Session) -> None:
    with pytest.raises(UnknownRepository):
        hotspots(session, repo="nope", now=NOW)


# --- temporal coupling ------------------------------------------------------------------------


def _coupled_repo(path: Path) -> RepoBuilder:
    repo = RepoBuilder(path)
    for n in range(6):
        repo.lines("a.py", 10 + n)
        repo.lines("b.py", 5 + n)
        repo.commit(f"a and b {n}", author=BOB)
    for n in range(3):
        repo.lines("a.py", 20 + n)
        repo.lines("c.py", 3 + n)
        repo.commit(f"a and c {n}")
    for n in range(2):
        repo.lines("c.py", 30 + n)
        repo.commit(f"c alone {n}")
    for n in range(31):
        repo.lines(f"many/f{n}.txt", 1)
    repo.lines("a.py", 40)
    repo.lines("b.py", 40)
    repo.commit("big sweep touching 33 files")
    repo.git("checkout", "-q", "-b", "side")
    repo.lines("a.py", 41)
    repo.lines("b.py", 41)
    repo.commit("a and b on a branch")
    repo.git("checkout", "-q", "main")
    repo.lines("d.py", 2)
    repo.commit("d")
    repo.merge("side")
    return repo


def _code_maat(path: Path, *, max_changeset: int, min_revs: int, min_shared: int, min_deg: float):  # type: ignore[no-untyped-def]
    sets: list[set[str]] = []
    for block in git_out(path, "log", "--no-merges", "--format=format:COMMIT", "--name-only").split(
        b"COMMIT"
    ):
        names = set(block.decode().split())
        if names and len(names) <= max_changeset:
            sets.append(names)
    revs: dict[str, int] = defaultdict(int)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for names in sets:
        for name in names:
            revs[name] += 1
        for pair in combinations(sorted(names), 2):
            shared[pair] += 1
    result = set()
    for (a, b), n in shared.items():
        degree = 100 * n / ((revs[a] + revs[b]) / 2)
        if n >= min_shared and revs[a] >= min_revs and revs[b] >= min_revs and degree >= min_deg:
            result.add((a, b, n, revs[a], revs[b], round(degree, 6)))
    return result


def _as_set(rows: list[Coupling]) -> set[tuple[str, str, int, int, int, float]]:
    return {
        (c.path, c.coupled_path, c.shared, c.commits, c.coupled_commits, round(c.degree, 6))
        for c in rows
    }


def test_coupling_matches_code_maat_counts(
    tmp_path: Path, engine: Engine, session: Session
) -> None:
    repo = _coupled_repo(tmp_path / "coupled")
    collect_git(engine, repo.path, name="coupled")
    found = coupling(session, repo="coupled", now=NOW, since=SINCE)
    expected = _code_maat(repo.path, max_changeset=30, min_revs=5, min_shared=5, min_deg=30)
    assert _as_set(found) == expected
    assert {(c.path, c.coupled_path) for c in found} == {("a.py", "b.py")}
    assert found[0].shared == 7  # six commits on main, one on the merged branch
    loose = coupling(
        session, repo="coupled", now=NOW, since=SINCE, min_shared=3, min_revs=3, min_degree=10
    )
    assert _as_set(loose) == _code_maat(
        repo.path, max_changeset=30, min_revs=3, min_shared=3, min_deg=10
    )
    assert ("a.py", "c.py") in {(c.path, c.coupled_path) for c in loose}
    wide = coupling(session, repo="coupled", now=NOW, since=SINCE, max_changeset=40)
    assert _as_set(wide) == _code_maat(
        repo.path, max_changeset=40, min_revs=5, min_shared=5, min_deg=30
    )


def test_pure_coupling_ignores_files_gone_from_head() -> None:
    rows = [ChangeRow(commit_id=n, path=p) for n in range(5) for p in ("a", "b", "gone")]
    found = compute_coupling(rows, {"a", "b"})
    assert [(c.path, c.coupled_path, c.degree) for c in found] == [("a", "b", 100.0)]


def test_git_out_helper_runs_in_repo(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "r")
    repo.lines("x.txt", 2)
    sha = repo.commit("x")
    assert git_out(repo.path, "rev-parse", "HEAD").decode().strip() == sha


# --- the worked example of docs/metrics.md, on the pure functions --------------------------


def test_worked_example_from_the_docs() -> None:
    day = datetime(2026, 6, 1, tzinfo=UTC)
    rows = [
        AuthorFileRow("api.py", "ann@work.example", "Ann", False, 6, 200, 60, day),
        AuthorFileRow("api.py", "ann@home.example", "ann", False, 2, 40, 20, day),
        AuthorFileRow("api.py", "bob@example.com", "Bob", False, 2, 60, 20, day),
        AuthorFileRow("db.py", "bob@example.com", "Bob", False, 4, 80, 20, day),
        AuthorFileRow("deps.txt", "1+dependabot[bot]@x", "dependabot[bot]", True, 8, 8, 8, day),
    ]
    ann = PersonKey("person:1", "Ann", False)
    people = {"ann@work.example": ann, "ann@home.example": ann}
    stats = compute_file_stats(rows, people)
    totals = [FileTotals(path, s.commits, s.added, s.deleted, day) for path, s in stats.items()]
    head = [HeadFile("api.py", 400, False), HeadFile("db.py", 800, False)]
    head.append(HeadFile("deps.txt", 20, False))
    spots = compute_hotspots(rank_files(totals, head), stats)
    assert [(h.path, h.churn, h.authors, h.main_author) for h in spots] == [
        ("api.py", 400, 2, "Ann"),
        ("db.py", 100, 1, "Bob"),
        ("deps.txt", 16, 0, None),
    ]
    assert [h.score for h in spots] == pytest.approx([0.5, 0.4, 0.02])
    assert [h.main_author_share for h in spots] == [pytest.approx(0.8), 1.0, None]
    changes = [ChangeRow(n, "api.py") for n in range(10)]
    changes += [ChangeRow(n, "db.py") for n in range(4)]
    head_paths = {"api.py", "db.py"}
    assert compute_coupling(changes, head_paths) == []  # db.py has 4 commits < 5
    found = compute_coupling(changes, head_paths, min_revs=4, min_shared=4)
    assert [round(c.degree) for c in found] == [57]
    owners = compute_ownership(stats, head)
    now = day + timedelta(days=1)
    seen = {"person:1": now - timedelta(days=7), "email:bob@example.com": now - timedelta(120)}
    risks = compute_knowledge_risk(owners, seen, now=now)
    assert [(r.path, r.idle_days) for r in risks] == [("db.py", 120)]


def build_edge_history(path: Path) -> RepoBuilder:
    """What real repositories hold besides plain edits: a mode-only change, a symlink, an empty
    commit, tab and newline in file names, a submodule, an octopus merge, a rename with edits."""
    sub = RepoBuilder(path.parent / "library")
    sub.lines("lib.c", 3)
    sub.commit("library")
    repo = RepoBuilder(path)
    repo.lines("run.sh", 4)
    repo.commit("start", author=ALICE)
    (repo.path / "run.sh").chmod(0o755)
    repo.commit("make it executable", author=BOB)
    (repo.path / "link-to-run").symlink_to("run.sh")
    repo.commit("symlink", author=BOB)
    repo.commit("nothing at all", author=CAROL)
    repo.lines("tab\tname.txt", 2)
    repo.lines("new\nline.txt", 3)
    repo.commit("control characters in names", author=CAROL)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor")
    repo.commit("vendor the library", author=ALICE)
    for branch, name in (("one", "a.txt"), ("two", "b.txt")):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.lines(name, 5)
        repo.commit(f"work on {branch}", author=BOB)
    repo.git("checkout", "-q", "main")
    repo.lines("c.txt", 2)
    repo.commit("main moves on", author=ALICE)
    repo.git("merge", "-q", "--no-ff", "-m", "octopus", "one", "two")
    repo.move("run.sh", "bin/run.sh")
    repo.write("bin/run.sh", (repo.path / "bin/run.sh").read_text() + "echo done\n")
    repo.commit("move and grow the script", author=CAROL)
    return repo


def test_edge_history_matches_plain_git(tmp_path: Path, engine: Engine, session: Session) -> None:
    repo = build_edge_history(tmp_path / "edge")
    result = collect_git(engine, repo.path, name="edge")
    assert result.commits_added == int(git_out(repo.path, "rev-list", "--count", "HEAD"))
    octopus = session.exec(select(Commit.is_merge).where(Commit.summary == "octopus")).one()
    assert octopus[0] is True
    truths = oracle(repo.path)
    spots = {h.path: h for h in hotspots(session, repo="edge", now=NOW, since=SINCE)}
    assert set(spots) == {p for p, t in truths.items() if t.commits}
    assert {"bin/run.sh", "link-to-run", "tab\tname.txt", "new\nline.txt"} <= set(spots)
    assert "vendor" not in spots  # the submodule is no file of ours
    for path, spot in spots.items():
        truth = truths[path]
        assert (spot.commits, spot.churn, spot.loc) == (truth.commits, truth.churn, truth.loc), path
    assert spots["bin/run.sh"].commits == 3  # created, made executable (0 lines), moved and grown
