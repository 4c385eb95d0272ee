"""Page builders take the flag lookup and return the page finished (dashboards/pages/flags.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core.access import Viewer
from app.core.settings import Settings
from dashboards.item_flags import PageItems, pull_key, workflow_key
from dashboards.pages.person import person_page
from dashboards.pages.repo import repo_page
from dashboards.pages.team import team_page
from tests.dashboards.world import NOW, World
from tests.world import make_flag


@dataclass(frozen=True)
class Flag:
    """A flag as the lookup hands it over (the `FlagLike` shape)."""

    id: str
    summary: str
    pull_number: int | None = None
    workflow: str | None = None
    category: str = "slow_build"
    status: str = "open"
    anonymous: bool = False
    author_login: str | None = "alice"
    created_at: datetime = NOW
    repo: str | None = "acme/shop"
    path: str | None = None


class Lookup:
    """Answers every page with the same two flags and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[PageItems] = []

    def __call__(self, session: Session, viewer: Viewer, items: PageItems) -> Sequence[Flag]:
        self.asked.append(items)
        return [
            Flag("f-pr", "412 waited days", pull_number=412),
            Flag("f-ci", "Hangs", workflow="tests"),
        ]


def test_builders_put_the_flags_beside_their_items_with_one_lookup(
    session: Session, world: World, settings: Settings
) -> None:
    maya = Viewer(person_id=world.maya.id or 0, login="maya")
    lookup = Lookup()
    person = person_page(session, maya, "alice", "30d", NOW, settings, flag_lookup=lookup)
    assert [f.summary for f in person.item_flags[pull_key("acme/shop", 412)]] == ["412 waited days"]
    evidence = [e for p in person.talking_points for e in p.evidence if e.flags]
    assert evidence, "the talking points' evidence carries the open flags too"
    team = team_page(session, maya, "platform", "30d", NOW, settings, flag_lookup=lookup)
    repo = repo_page(session, maya, "acme/shop", "30d", NOW, settings, flag_lookup=lookup)
    for page in (team, repo):
        assert [f.summary for f in page.item_flags[workflow_key("acme/shop", "tests")]] == ["Hangs"]
    # one lookup per page; the pain maps ask only about the paths and PRs that a stored flag
    # names, and no flag is stored here
    assert len(lookup.asked) == 3
    # once a flag names one of the repository's files, its map asks once more, about that file
    make_flag(
        session,
        world.alice,
        summary="Checkout tests are slow",
        created_at=NOW,
        repo="acme/shop",
        path="src/checkout.py",
    )
    session.commit()
    repo_page(session, maya, "acme/shop", "30d", NOW, settings, flag_lookup=lookup)
    assert len(lookup.asked) == 5
    mapped = lookup.asked[3]  # the map is drawn before the page's items are looked up
    assert (mapped.paths, mapped.pulls) == ({("acme/shop", "src/checkout.py")}, set())
    # without a lookup a page has no flags beside its items
    assert person_page(session, maya, "alice", "30d", NOW, settings).item_flags == {}
