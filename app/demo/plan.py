"""Plans the demo's pull requests, commits and reviews from a seeded random generator.

Everything downstream (git history, GitHub scenario files, flags) is derived from this plan,
so a fixed seed and a fixed day give byte-identical output. Times are relative to `today`.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from app.demo import delivery, org
from app.demo.clock import add_work_hours, is_workday, local_time
from app.demo.planned import Edit, PlannedCommit, PlannedPull, PlannedReview, RepoPlan, new_pull

HISTORY_DAYS = 120
HOTSPOT = next(r.hotspot for r in org.REPOS if r.name == "payments-api")


TOPICS = {
    "payments-api": [
        "Round fees per currency",
        "Idempotent refund creation",
        "Ledger entries for partial captures",
        "Reconcile settlement batches",
        "Validate webhook signatures",
        "Split ledger balance query",
        "Handle chargeback reversals",
        "Add currency to fee schedule",
        "Cache merchant fee plans",
        "Log ledger corrections",
    ],
    "checkout-web": [
        "Remember address between steps",
        "Show card errors inline",
        "Lazy load the payment form",
        "Fix cart total rounding",
        "Retry api client on 502",
        "Dark mode for checkout",
        "Keyboard navigation in forms",
        "Track abandoned carts",
    ],
    "platform-infra": [
        "Pin terraform provider versions",
        "Add read replica for reporting",
        "Canary step in rollout",
        "Health checks before traffic shift",
        "Tag cluster nodes by team",
        "Rotate database credentials",
        "Faster plan with targeted modules",
    ],
}

COMMENTS = (
    "Could this handle the empty case?",
    "Nit: name this after what it returns.",
    "Is there a test for the rounding here?",
    "This duplicates the helper in fees.py, can we reuse it?",
    "Does this need a migration note?",
    "What happens if the webhook arrives twice?",
)


LABELS = ("feature", "bug", "chore")


class Planner:
    """Draws one repository's history: who opened what, who reviewed it, when it merged."""

    def __init__(self, spec: org.RepoSpec, rng: random.Random, today: date) -> None:
        self.spec = spec
        self.rng = rng
        self.today = today
        self.now = local_time(today, 0, 0)
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.offset = org.team(spec.team).utc_offset_hours
        self.pulls: list[PlannedPull] = []

    # -- who ------------------------------------------------------------------------------
    def _authors(self, day_index: int) -> list[tuple[str, float]]:
        people = [(m.login, 1.0) for m in org.team_members(self.spec.team)]
        people += [(login, 0.3) for login in self.spec.extra_authors]
        quiet = day_index > HISTORY_DAYS - org.QUIET_AFTER_DAYS
        weighted = []
        for login, weight in people:
            if login == org.QUIET_OWNER:
                if quiet:
                    continue
                weight = 3.0 if self.spec.hotspot else 0.5
            weighted.append((login, weight))
        return weighted

    def _reviewers(self, author: str, when: datetime) -> list[tuple[str, float]]:
        quiet_since = self.now - timedelta(days=org.QUIET_AFTER_DAYS)
        team = org.team(self.spec.team)
        pool = [(m.login, 1.0) for m in org.team_members(self.spec.team)] + [(team.manager, 0.6)]
        weighted = []
        for login, weight in pool:
            if login == author or (login == org.QUIET_OWNER and when > quiet_since):
                continue
            if login == org.BUSY_REVIEWER:
                weight = 7.0
            weighted.append((login, weight))
        return weighted

    def _pick(self, weighted: list[tuple[str, float]]) -> str:
        names = [name for name, _ in weighted]
        return self.rng.choices(names, weights=[w for _, w in weighted])[0]

    # -- when ------------------------------------------------------------------------------
    def _work_hours(self, start: datetime, hours: float) -> datetime:
        return add_work_hours(start, hours, self.offset)

    def _lognormal_hours(self, median: float, spread: float, cap: float) -> float:
        return min(cap, math.exp(self.rng.gauss(math.log(median), spread)))

    # -- what ------------------------------------------------------------------------------
    def _edits(self, author: str) -> list[Edit]:
        paths = [p for p in self.spec.files if p not in ("README.md",)]
        edits: list[Edit] = []
        hotspot = self.spec.hotspot
        if hotspot and author == org.QUIET_OWNER:
            edits.append(Edit(hotspot, modify=self.rng.randint(2, 6), add=self.rng.randint(35, 70)))
        elif hotspot and self.rng.random() < 0.5:
            edits.append(Edit(hotspot, modify=self.rng.randint(2, 7), add=self.rng.randint(0, 4)))
        others = [p for p in paths if p != hotspot and not p.endswith((".txt", ".json"))]
        for path in self.rng.sample(others, self.rng.randint(1, 2)):
            edits.append(
                Edit(
                    path,
                    modify=self.rng.randint(1, 8),
                    add=self.rng.randint(0, 15),
                    delete=self.rng.randint(0, 3),
                )
            )
        return edits

    def _commits(self, author: str, title: str, created_at: datetime) -> list[PlannedCommit]:
        count = self.rng.choices([1, 2, 3], weights=[5, 3, 2])[0]
        edits = self._edits(author)
        moments = [created_at - timedelta(minutes=5)]
        for _ in range(count - 1):
            moments.insert(0, moments[0] - timedelta(hours=self.rng.uniform(0.5, 5)))
        commits = []
        for index, moment in enumerate(moments):
            share = edits[index::count] or [Edit(edits[0].path, modify=1)]
            message = title if index == count - 1 else f"WIP: {title.lower()}"
            commits.append(PlannedCommit(author, moment, message, share))
        return commits

    def _initial_commits(self) -> list[PlannedCommit]:
        """The founder imports the project; each other file comes from its first owner, so
        only the hotspot (and its test) belongs to the person who later goes quiet."""
        founded = local_time(self.start - timedelta(days=4), 11, self.offset)
        owners = [m.login for m in org.team_members(self.spec.team) if m.login != org.QUIET_OWNER]
        groups: dict[str, list[Edit]] = {self.spec.founder: []}
        hotspot_files = {self.spec.hotspot, f"tests/test_{Path(self.spec.hotspot or '').name}"}
        for index, (path, lines) in enumerate(self.spec.files.items()):
            if path == "README.md" or path in hotspot_files:
                owner = self.spec.founder
            else:
                owner = owners[index % len(owners)]
            groups.setdefault(owner, []).append(Edit(path, create=lines))
        commits = []
        for index, (owner, edits) in enumerate(groups.items()):
            message = (
                f"Initial import of {self.spec.name}"
                if index == 0
                else "Add " + ", ".join(e.path for e in edits)
            )
            commits.append(
                PlannedCommit(owner, founded + timedelta(minutes=25 * index), message, edits)
            )
        return commits

    # -- pulls -----------------------------------------------------------------------------
    def plan(self) -> RepoPlan:
        initial = self._initial_commits()
        rate = self.spec.pulls_per_week / 5
        for day_index in range(2, HISTORY_DAYS + 1):
            day = self.start + timedelta(days=day_index)
            if not is_workday(day):
                continue
            count = int(rate) + (1 if self.rng.random() < rate - int(rate) else 0)
            for _ in range(count):
                author = self._pick(self._authors(day_index))
                hour = self.rng.uniform(9.5, 17)
                self._add_pull(author, local_time(day, hour, self.offset))
            if day_index % 19 == 7:
                self._add_bot_pull(local_time(day, 6.5, self.offset))
        if self.spec.name == "payments-api":
            self._add_waiting_pull()
        if self.spec.name == delivery.DEPLOYS:
            revert = delivery.plan_revert(self.pulls, self.today, self.offset)
            self.pulls += [revert] if revert else []
        self.pulls.sort(key=lambda p: p.created_at)
        for number, pull in enumerate(self.pulls, start=1):
            pull.number = number
        return RepoPlan(self.spec, initial, self.pulls)

    def _add_pull(self, author: str, created_at: datetime) -> None:
        if created_at >= self.now:
            return
        rng = self.rng
        title = rng.choice(TOPICS[self.spec.name])
        commits = self._commits(author, title, created_at)
        draft = rng.random() < 0.15
        ready_at = self._work_hours(created_at, rng.uniform(2, 14)) if draft else created_at
        pull = new_pull(author, title, created_at, commits, [rng.choice(LABELS)], ready_at)
        pull.opened_as_draft = draft
        self.pulls.append(pull)
        reviewers = self._reviewers(author, created_at)
        first = self._pick(reviewers)
        pull.requested = [first]
        if rng.random() < 0.3:
            second = self._pick([r for r in reviewers if r[0] != first] or reviewers)
            if second != first:
                pull.requested.append(second)
        if rng.random() < 0.06:
            pull.state = "closed"
            pull.closed_at = self._work_hours(ready_at, rng.uniform(4, 30))
            self._cut_at_now(pull)
            return
        self._review(pull, first, ready_at)
        self._cut_at_now(pull)

    def _review(self, pull: PlannedPull, first: str, ready_at: datetime) -> None:
        rng = self.rng
        busy = 1.8 if first == org.BUSY_REVIEWER else 1.0
        reviewer = (
            first if rng.random() < 0.85 else self._pick(self._reviewers(pull.author, ready_at))
        )
        moment = self._work_hours(ready_at, self._lognormal_hours(2.5 * busy, 0.9, 45))
        paths = [e.path for c in pull.commits for e in c.edits]
        if rng.random() < 0.25:
            comments = [(rng.choice(paths), rng.choice(COMMENTS)) for _ in range(rng.randint(1, 3))]
            pull.reviews.append(
                PlannedReview(reviewer, "CHANGES_REQUESTED", moment, "A few things.", 0, comments)
            )
            fix_at = self._work_hours(moment, rng.uniform(1, 8))
            pull.commits.append(
                PlannedCommit(
                    pull.author,
                    fix_at,
                    "Address review comments",
                    [Edit(paths[0], modify=rng.randint(1, 5), add=rng.randint(0, 4))],
                )
            )
            moment = self._work_hours(fix_at, self._lognormal_hours(1.5 * busy, 0.8, 30))
        elif rng.random() < 0.2:
            pull.reviews.append(
                PlannedReview(
                    reviewer,
                    "COMMENTED",
                    moment,
                    "",
                    0,
                    [(rng.choice(paths), rng.choice(COMMENTS))],
                )
            )
            moment = self._work_hours(moment, rng.uniform(0.5, 4))
        pull.reviews.append(
            PlannedReview(reviewer, "APPROVED", moment, "Looks good.", len(pull.commits) - 1)
        )
        pull.state = "merged"
        pull.merged_at = self._work_hours(moment, rng.uniform(0.2, 3))
        pull.closed_at = pull.merged_at

    def _cut_at_now(self, pull: PlannedPull) -> None:
        """What has not happened yet is not in the data: the PR is still open or a draft."""
        pull.commits = [c for c in pull.commits if c.authored_at < self.now]
        pull.reviews = [r for r in pull.reviews if r.submitted_at < self.now]
        for r in pull.reviews:
            r.commit_index = min(r.commit_index, len(pull.commits) - 1)
        if pull.ready_at and pull.ready_at >= self.now:
            pull.ready_at = None
        if pull.closed_at and pull.closed_at >= self.now:
            pull.state, pull.merged_at, pull.closed_at = "open", None, None

    def _add_bot_pull(self, created_at: datetime) -> None:
        manifest = "package.json" if "package.json" in self.spec.files else "requirements.txt"
        commit = PlannedCommit(
            org.BOT_LOGIN,
            created_at - timedelta(minutes=1),
            f"Bump dependencies in {manifest}",
            [Edit(manifest, modify=1)],
        )
        pull = new_pull(org.BOT_LOGIN, commit.message, created_at, [commit], ["dependencies"])
        reviewer = self._pick(self._reviewers(org.BOT_LOGIN, created_at))
        approved = self._work_hours(created_at, self.rng.uniform(1, 10))
        pull.reviews.append(PlannedReview(reviewer, "APPROVED", approved, "", 0))
        pull.state, pull.merged_at = "merged", approved + timedelta(minutes=3)
        pull.closed_at = pull.merged_at
        self._cut_at_now(pull)
        self.pulls.append(pull)

    def _add_waiting_pull(self) -> None:
        """The PR left waiting: ready for review for days, a reviewer asked, nobody came. It
        touches the hotspot, so the hotspot's box on the pain map holds it."""
        day = self.today - timedelta(days=org.WAITING_DAYS)
        while not is_workday(day):
            day -= timedelta(days=1)
        created_at = local_time(day, 10.25, self.offset)
        title = "Retry failed refund webhooks with backoff"
        commits = [
            PlannedCommit(
                org.WAITING_AUTHOR,
                created_at - timedelta(hours=3),
                "Retry refund webhooks",
                [Edit("payments/webhooks.py", modify=4, add=22)],
            ),
            PlannedCommit(
                org.WAITING_AUTHOR,
                created_at - timedelta(minutes=10),
                title,
                [Edit("payments/refunds.py", modify=3, add=9), Edit(HOTSPOT, modify=2, add=6)],
            ),
        ]
        pull = new_pull(org.WAITING_AUTHOR, title, created_at, commits, ["bug"])
        pull.requested = [org.BUSY_REVIEWER]
        self.pulls.append(pull)


def plan_organisation(seed: int, today: date) -> list[RepoPlan]:
    """One plan per repository, each from its own generator so they do not shift each other."""
    return [Planner(spec, random.Random(f"{seed}:{spec.name}"), today).plan() for spec in org.REPOS]
