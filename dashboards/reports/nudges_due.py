"""What nudges are due, read from the collected rows: each an ask to act, never a number.

`review_waiting`: an open, ready PR with no first review past the author's team's
`first_review_hours` agreement (24 h without one), to each requested reviewer (or the team's
channel); once a first review lands, the sent nudge is updated in place. The line is read as
`gemba agreements check` reads it: past the limit (exactly at it is not past), counted in
working days with `working_hours: true`, and PRs with an `exclude_labels` label left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.core.agreements import agreements_of
from app.core.models import Person, PullRequest, Review, Team, TeamMember
from app.core.models.base import as_utc
from app.core.settings import Settings
from dashboards.signals.agreements import Targets, passes_at
from dashboards.signals.reviews.rules import WorkCalendar

DEFAULT_FIRST_REVIEW_HOURS = 24.0


@dataclass(frozen=True)
class DueNudge:
    kind: str
    recipient: str  # a login, or "#<team name>" for the team's channel
    team_id: int
    item: str
    stretch: str
    text: str
    url: str | None = None


def team_of(db: Session, login: str | None) -> Team | None:
    """The first team the person belongs to (nudges use its zone, agreements and channel)."""
    if not login:
        return None
    return db.exec(
        select(Team)
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .join(Person, col(Person.id) == col(TeamMember.person_id))
        .where(Person.login == login)
        .order_by(col(Team.id))
    ).first()


def first_review_at(db: Session, pull: PullRequest) -> datetime | None:
    """The first review by a person other than the author (bots do not count)."""
    found = db.exec(
        select(Review.submitted_at)
        .where(
            Review.pull_request_id == pull.id,
            col(Review.reviewer_is_bot).is_(False),
            col(Review.submitted_at).is_not(None),
            Review.reviewer_login != pull.author_login,
        )
        .order_by(col(Review.submitted_at))
    ).first()
    return as_utc(found) if found else None


def _passes_at(db: Session, team: Team, pull: PullRequest, settings: Settings) -> datetime | None:
    """When the PR's wait passes the team's first-review line (None: the PR is left out)."""
    targets = Targets.from_stored(agreements_of(db, team.id or 0))
    if targets.exclude_labels & set(pull.labels or []):
        return None
    limit = float(targets.limits.get("first_review_hours") or DEFAULT_FIRST_REVIEW_HOURS)
    calendar = WorkCalendar.from_settings(settings, team.timezone)
    ready = as_utc(pull.ready_at or pull.created_at)
    return passes_at(ready, limit, calendar if targets.working_hours else None)


def review_waiting(db: Session, now: datetime, settings: Settings) -> list[DueNudge]:
    """Open PRs whose wait for a first review passed the team's agreement, as of `now`."""
    due: list[DueNudge] = []
    pulls = db.exec(
        select(PullRequest).where(
            PullRequest.state == "open",
            col(PullRequest.draft).is_(False),
            col(PullRequest.author_is_bot).is_(False),
        )
    )
    for pull in pulls:
        team = team_of(db, pull.author_login)
        if team is None or team.id is None or first_review_at(db, pull) is not None:
            continue
        line = _passes_at(db, team, pull, settings)
        if line is None or now <= line:
            continue
        ready = as_utc(pull.ready_at or pull.created_at)
        text = f"PR #{pull.number} “{pull.title}” has waited for a first review. Could you look?"
        recipients = [r for r in pull.requested_reviewers if r != pull.author_login]
        for recipient in recipients or [f"#{team.name}"]:
            due.append(
                DueNudge(
                    "review_waiting",
                    recipient,
                    team.id,
                    f"pr:{pull.id}",
                    ready.isoformat(),
                    text,
                    pull.html_url,
                )
            )
    return due


PROMPT_WITHIN = timedelta(days=2)  # ask while it is fresh, or not at all


def prompts(db: Session, now: datetime, settings: Settings) -> list[DueNudge]:
    """ "Did this get in your way?" to a PR's author once its first review came after the
    team's agreement, within two days of that review."""
    due: list[DueNudge] = []
    pulls = db.exec(
        select(PullRequest).where(
            col(PullRequest.author_is_bot).is_(False), col(PullRequest.draft).is_(False)
        )
    )
    for pull in pulls:
        team = team_of(db, pull.author_login)
        reviewed = first_review_at(db, pull)
        if team is None or team.id is None or reviewed is None or pull.author_login is None:
            continue
        if not reviewed <= now < reviewed + PROMPT_WITHIN:
            continue
        line = _passes_at(db, team, pull, settings)
        if line is None or reviewed <= line:
            continue
        ready = as_utc(pull.ready_at or pull.created_at)
        text = f"Your PR #{pull.number} “{pull.title}” waited long for its first review."
        due.append(
            DueNudge(
                "prompt",
                pull.author_login,
                team.id,
                f"pr:{pull.id}",
                ready.isoformat(),
                text,
                pull.html_url,
            )
        )
    return due
