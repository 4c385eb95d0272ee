"""A small organisation with something worth talking about, written as real rows.

Maya manages team platform (Alice, Bob). Alice's PR #412 waited 3.1 days for a first review
while the team usually gets one within hours; one of her PRs hit a flaky build; she has an open
flag. Bob has a quiet, uneventful period. Carol is on another team, managed by Dan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.models import Person, PullRequest, Repository, SyncCursor, Team, WorkflowRun
from tests import world as f

NOW = f.NOW
SHIPPED_SHA = "a" * 40  # the merge commit of #412 in `delivery_story`


@dataclass
class World:
    maya: Person
    alice: Person
    bob: Person
    carol: Person
    dan: Person
    platform: Team
    other: Team
    repo: Repository
    slow_pull: PullRequest
    flaky_run: WorkflowRun
    tokens: dict[str, str]


def build_world(session: Session, now: datetime = NOW) -> World:
    """Write the world as of `now` (tests pin it; the browser test uses the wall clock)."""
    maya = f.make_person(session, "maya")
    alice = f.make_person(session, "alice")
    bob = f.make_person(session, "bob")
    carol = f.make_person(session, "carol")
    dan = f.make_person(session, "dan")
    platform = f.make_team(session, "platform", manager=maya, members=[alice, bob])
    other = f.make_team(session, "payments", manager=dan, members=[carol])
    repo = f.make_repo(session, "acme/shop")
    # Usual flow for the team: first review about 2 hours after ready, over the past months.
    number = 300
    for days_ago in range(5, 80, 4):
        for author, reviewer in (("alice", "bob"), ("bob", "alice"), ("carol", "bob")):
            number += 1
            ready = now - timedelta(days=days_ago, hours=3)
            f.make_pull(
                session,
                repo,
                author,
                number=number,
                ready_at=ready,
                first_review_at=ready + timedelta(hours=2),
                reviewer=reviewer,
                merged_at=ready + timedelta(hours=5),
            )
    ready = now - timedelta(days=8)
    slow = f.make_pull(
        session,
        repo,
        "alice",
        number=412,
        title="Speed up <checkout> totals",
        ready_at=ready,
        first_review_at=ready + timedelta(days=3.1),
        reviewer="bob",
        merged_at=ready + timedelta(days=3.5),
    )
    flaky = f.make_run(
        session,
        repo,
        actor="alice",
        head_sha=slow.head_sha or "",
        created_at=ready + timedelta(hours=1),
        attempts=[("failure", timedelta(minutes=20)), ("success", timedelta(minutes=18))],
        pull_number=412,
    )
    for days_ago in (2, 4, 6):
        f.make_run(
            session,
            repo,
            actor="bob",
            head_sha=f"{days_ago:040x}",
            created_at=now - timedelta(days=days_ago),
            attempts=[("success", timedelta(minutes=15))],
        )
    f.make_flag(
        session,
        alice,
        summary="Staging deploys take an hour",
        category="slow_build",
        created_at=now - timedelta(days=6),
        team=platform,
    )
    f.make_flag(
        session,
        None,
        summary="Nobody owns the billing module",
        category="process",
        created_at=now - timedelta(days=3),
        team=platform,
    )
    for day in range(1, 30, 3):
        f.make_commit(
            session,
            repo,
            email="alice@example.com",
            name="Alice",
            at=now - timedelta(days=day),
            files={"src/checkout.py": 12, "src/totals.py": 4},
        )
    # Delivery was collected too: GitHub Deployments, one two months ago.
    f.make_deployment(session, repo, f"{99:040x}", at=now - timedelta(days=60), key="deployment:99")
    session.add(
        SyncCursor(source="delivery", repository=repo.name, position='{"source": "deployments"}')
    )
    tokens = {p.login: f.make_token(session, p) for p in (maya, alice, bob, carol, dan)}
    session.commit()
    return World(maya, alice, bob, carol, dan, platform, other, repo, slow, flaky, tokens)


def flaky_again(session: Session, world: World, now: datetime) -> WorkflowRun:
    """A second PR of Alice's that flaked in the same weeks: flaky builds on 2 PRs where there
    were none before is unusual, so her page gets a flaky-builds point (one is bad luck)."""
    ready = now - timedelta(days=5)
    second = f.make_pull(
        session,
        world.repo,
        "alice",
        number=413,
        ready_at=ready,
        first_review_at=ready + timedelta(hours=2),
        merged_at=ready + timedelta(hours=4),
    )
    run = f.make_run(
        session,
        world.repo,
        actor="alice",
        head_sha=second.head_sha or "",
        created_at=ready + timedelta(hours=1),
        attempts=[("failure", timedelta(minutes=20)), ("success", timedelta(minutes=18))],
        pull_number=413,
    )
    session.commit()
    return run


def delivery_story(session: Session, world: World, now: datetime) -> None:
    """Delivery to talk about: #412 ships in deploy 1, is reverted (#420), deploy 2 restores it,
    an incident follows deploy 2 and is closed three hours on, deploy 3 ships nothing new."""
    world.slow_pull.merge_commit_sha = SHIPPED_SHA
    session.add(world.slow_pull)
    revert = f.make_pull(
        session,
        world.repo,
        "alice",
        number=420,
        title='Revert "Speed up <checkout> totals"',
        ready_at=now - timedelta(days=4, hours=2),
        first_review_at=now - timedelta(days=4, hours=1),
        merged_at=now - timedelta(days=3, hours=12),
        merge_commit_sha="b" * 40,
    )
    f.make_deployment(
        session,
        world.repo,
        SHIPPED_SHA,
        at=now - timedelta(days=4),
        key="deployment:1",
        pulls=(world.slow_pull,),
    )
    f.make_deployment(
        session,
        world.repo,
        "b" * 40,
        at=now - timedelta(days=3),
        key="deployment:2",
        pulls=(revert,),
    )
    f.make_deployment(session, world.repo, "b" * 40, at=now - timedelta(days=1), key="deployment:3")
    f.make_delivery_failure(
        session,
        world.repo,
        "revert",
        "pull:420",
        started_at=now - timedelta(days=3, hours=12),
        number=420,
        title=revert.title,
        html_url=revert.html_url,
        deployment_key="deployment:1",
        reverted_number=412,
    )
    f.make_delivery_failure(
        session,
        world.repo,
        "incident",
        "issue:500",
        started_at=now - timedelta(days=2, hours=20),
        restored_at=now - timedelta(days=2, hours=17),
        number=500,
        title="Checkout is down",
        html_url="https://github.com/acme/shop/issues/500",
    )
    session.commit()
