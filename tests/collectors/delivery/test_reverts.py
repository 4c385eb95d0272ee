"""Which PR a revert PR reverts, through collect_delivery, PyGithub and the stand-in: titles
repeat, so a revert names its PR by GitHub's body link, by git's reverted commit, else by the
latest PR of that title merged before the revert was opened."""

from __future__ import annotations

from typing import Any

from github import Github
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import DeliveryFailure
from app.core.settings import Settings
from collectors.delivery.sync import collect_delivery
from collectors.pulls.sync import collect_pulls
from tests.world import delivery as sc
from tests.world.github import make_pull

# number: (title, opened, merged, commit index of the merge, body); times in hours
PULLS: dict[int, tuple[str, int, int, int, str]] = {
    1: ("Add cart", 0, 1, 1, ""),
    2: ('Revert "Add cart"', 2, 3, 2, ""),  # by title: #1, not #3 merged after it was opened
    3: ("Add cart", 3, 4, 3, ""),  # the same title again, merged after the revert was opened
    4: ("Checkout", 4, 5, 4, ""),
    5: ("Checkout", 5, 6, 5, ""),
    6: ('Revert "Checkout"', 7, 8, 6, "This reverts commit {c4}.\n"),  # git revert: #4
    7: ("Docs", 8, 9, 7, ""),
    8: ("Docs", 9, 10, 8, ""),
    9: ('Revert "Docs"', 11, 12, 9, "Reverts acme/shop#7\n\nBroke the docs."),  # the button: #7
}


def _pulls(c: list[str]) -> list[dict[str, Any]]:
    made = []
    for number, (title, opened, merged, at, body) in PULLS.items():
        pull = make_pull(
            sc.OWNER,
            sc.NAME,
            number,
            title=title,
            created_at=sc.iso(opened),
            merged_at=sc.iso(merged),
            body=body.format(c4=c[4]) or None,
        )
        pull["merge_commit_sha"] = c[at]
        made.append(pull)
    return made


def _reverts(engine: Engine) -> dict[int, tuple[int | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(DeliveryFailure).where(DeliveryFailure.kind == "revert"))
        return {f.number: (f.reverted_number, f.deployment_key) for f in rows}  # type: ignore[misc]


def test_a_revert_names_the_pr_it_reverts_when_titles_repeat(engine: Engine, github_api) -> None:
    commits = sc.history(10)
    c = [commit["sha"] for commit in commits]
    github_api.write_repo(sc.OWNER, sc.NAME, commits=commits, pulls=_pulls(c))
    gh = Github(base_url=github_api.url, per_page=100, seconds_between_requests=0)
    collect_pulls(engine, gh, sc.FULL_NAME, graphql=False)
    github_api.clear_requests()
    stats = collect_delivery(engine, gh, sc.FULL_NAME, Settings())
    assert stats.source == "merges"  # each merge a deployment: merge:N shipped PR N
    assert _reverts(engine) == {
        2: (1, "merge:1"),
        6: (4, "merge:4"),
        9: (7, "merge:7"),
    }
    bodies = sorted(r.path for r in github_api.requests if "/pulls/" in r.path)
    assert bodies == [f"/repos/{sc.FULL_NAME}/pulls/{n}" for n in (2, 6, 9)]
    github_api.clear_requests()
    collect_delivery(engine, gh, sc.FULL_NAME, Settings())
    assert _reverts(engine) == {2: (1, "merge:1"), 6: (4, "merge:4"), 9: (7, "merge:7")}
    assert not any("/pulls/" in r.path for r in github_api.requests)  # found once, kept
