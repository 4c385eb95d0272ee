"""Working agreements: which targets a team may set, how they are checked, and where they live.

The people file sets them under each team (`agreements: {first_review_hours: 24}`); the team
page and `gemba agreements set` change them. Every change is kept with who and when. The
people file stays the source of truth for the teams whose entry has an `agreements:` key: an
import makes the stored targets equal to the file's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.core.access import Viewer
from app.core.models import PullRequest, Repository, Team
from app.core.models.agreements import AgreementChange, ExpectedException, TeamAgreement
from app.core.models.base import utcnow
from app.core.settings import parse_hours

PEOPLE_FILE = "people file"
CACHE_KEY = "gemba_agreement_exceptions"  # a session's counted exceptions; a change drops them


@dataclass(frozen=True)
class Rule:
    """One agreement: its name, the unit of its limit and of the values it reports."""

    name: str
    unit: str  # hours, lines, days, count, minutes, percent; "" for a yes/no rule
    summary: str
    now_only: bool = False  # about the state right now (queues), not about past items


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("first_review_hours", "hours", "hours from ready for review to a first review"),
        Rule("review_hours", "hours", "hours from the first review to approval (or merge)"),
        Rule("pr_size_lines", "lines", "lines added + deleted in a PR"),
        Rule("open_days", "days", "days a non-draft PR stays open"),
        Rule("merge_without_review", "", "merging with no approving review from someone else"),
        Rule(
            "pending_reviews_per_person",
            "count",
            "review requests waiting on one person now",
            now_only=True,
        ),
        Rule("wip_prs_per_person", "count", "open non-draft PRs of one person now", now_only=True),
        Rule("ci_p90_minutes", "minutes", "a workflow's p90 duration over 7 days"),
        Rule("flaky_percent", "percent", "a workflow's flaky rate over 7 days"),
    )
}
OPTIONS = ("working_hours", "exclude_labels", "nudge_hours")
MAX_LIMIT = 1_000_000


class AgreementError(ValueError):
    """A name or value no agreement takes; the message says which and what is allowed."""


def check_value(name: str, value: Any) -> Any:
    """The value as stored: a number > 0, true for a yes/no rule, a label list for exclusions."""
    if name == "working_hours":
        if not isinstance(value, bool):
            raise AgreementError("working_hours takes true or false")
        return value
    if name == "nudge_hours":  # when Slack nudges may reach the team (GEMBA_NUDGES_WORKING_HOURS)
        try:
            parse_hours(str(value))
        except ValueError as error:
            raise AgreementError(f"nudge_hours: {error}") from None
        return str(value).strip()
    if name == "exclude_labels":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise AgreementError("exclude_labels takes a list of label names")
        return sorted({v.strip() for v in value})
    rule = RULES.get(name)
    if rule is None:
        known = ", ".join([*RULES, *OPTIONS])
        raise AgreementError(f"no agreement named {name!r} (known: {known})")
    if not rule.unit:
        if value is not True:
            raise AgreementError(f"{name} takes true (remove it to turn it off)")
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AgreementError(f"{name} takes a number of {rule.unit}, not {value!r}")
    if not 0 < value <= MAX_LIMIT:
        raise AgreementError(f"{name} must be more than 0 and at most {MAX_LIMIT:,}")
    return int(value) if float(value).is_integer() else float(value)


def check_all(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every value checked; errors name the agreement."""
    return {name: check_value(name, value) for name, value in values.items()}


def parse_assignment(text: str) -> tuple[str, Any]:
    """`NAME=VALUE` from the command line: numbers, true/false, or labels separated by commas."""
    name, equals, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not equals or not name:
        raise AgreementError(f"expected NAME=VALUE, not {text!r}")
    value: Any
    if name == "exclude_labels":
        value = [label.strip() for label in raw.split(",") if label.strip()]
    elif name == "nudge_hours":
        value = raw
    elif raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        try:
            value = float(raw)
        except ValueError:
            raise AgreementError(f"{name}: {raw!r} is not a number") from None
    if name in RULES and not RULES[name].unit and value is False:
        return name, None  # merge_without_review=false turns it off
    return name, None if raw == "" else check_value(name, value)


def may_edit(viewer: Viewer, team: Team) -> bool:
    """The team's manager and admins set its targets; members read them."""
    return viewer.is_admin or team.manager_id == viewer.person_id


def author_of(session: Session, item: str) -> str | None:
    """The author login of the PR an item names (`acme/api#12`), lower-cased."""
    repo, hash_, number = item.rpartition("#")
    if not hash_ or not number.isdigit():
        return None
    login = session.exec(
        select(PullRequest.author_login)
        .join(Repository, Repository.id == PullRequest.repository_id)  # type: ignore[arg-type]
        .where(Repository.name == repo, PullRequest.number == int(number))
    ).first()
    return login.lower() if login else None


def may_mark_expected(session: Session, viewer: Viewer, team: Team, item: str) -> bool:
    """The PR's author or the team's manager (and admins) call an exception expected."""
    author = author_of(session, item)
    return may_edit(viewer, team) or (author is not None and author == viewer.login.lower())


def agreements_of(session: Session, team_id: int) -> dict[str, Any]:
    rows = session.exec(select(TeamAgreement).where(TeamAgreement.team_id == team_id))
    return {row.name: row.value for row in rows}


def set_agreements(
    session: Session,
    team_id: int,
    values: Mapping[str, Any],
    *,
    by: str,
    replace: bool = False,
) -> list[AgreementChange]:
    """Store targets (None removes one); with `replace`, names not given are removed.

    Returns the changes made: none when every value is already stored, so imports and
    repeated `set`s are idempotent.
    """
    checked = {n: None if v is None else check_value(n, v) for n, v in values.items()}
    stored = {
        row.name: row
        for row in session.exec(select(TeamAgreement).where(TeamAgreement.team_id == team_id))
    }
    if replace:
        checked = {**dict.fromkeys(stored), **checked}
    changes = []
    now = utcnow()
    for name, value in checked.items():
        row = stored.get(name)
        old = None if row is None else row.value
        if old == value:
            continue
        if value is None:
            session.delete(row)
        elif row is None:
            session.add(TeamAgreement(team_id=team_id, name=name, value=value, set_by=by))
        else:
            row.value, row.set_by, row.set_at = value, by, now
            session.add(row)
        change = AgreementChange(
            team_id=team_id, name=name, old_value=old, new_value=value, changed_by=by
        )
        session.add(change)
        changes.append(change)
    session.flush()
    if changes:
        session.info.pop(CACHE_KEY, None)
    return changes


def history_of(session: Session, team_id: int, limit: int = 50) -> list[AgreementChange]:
    """The latest changes first."""
    return list(
        session.exec(
            select(AgreementChange)
            .where(AgreementChange.team_id == team_id)
            .order_by(col(AgreementChange.changed_at).desc(), col(AgreementChange.id).desc())
            .limit(limit)
        )
    )


def expected_of(session: Session, team_id: int) -> dict[tuple[str, str], ExpectedException]:
    rows = session.exec(select(ExpectedException).where(ExpectedException.team_id == team_id))
    return {(row.rule, row.item): row for row in rows}


def mark_expected(
    session: Session, team_id: int, rule: str, item: str, reason: str, *, by: str
) -> ExpectedException:
    """Mark one exception expected (again: the reason is replaced)."""
    if rule not in RULES:
        raise AgreementError(f"no agreement named {rule!r}")
    reason = " ".join(reason.split())
    if not reason or len(reason) > 200:
        raise AgreementError("give a one-line reason of at most 200 characters")
    found = session.exec(
        select(ExpectedException).where(
            ExpectedException.team_id == team_id,
            ExpectedException.rule == rule,
            ExpectedException.item == item,
        )
    ).first()
    if found is None:
        found = ExpectedException(
            team_id=team_id, rule=rule, item=item, reason=reason, marked_by=by
        )
    else:
        found.reason, found.marked_by, found.marked_at = reason, by, utcnow()
    session.add(found)
    session.flush()
    session.info.pop(CACHE_KEY, None)
    return found
