"""A person's exceptions to their team's working agreements, as one thing to talk about.

An exception is an item and a situation ("#412 waited 31 hours for a first review; the team
agreed on 24"), never a score: the point lists the person's exceptions in the order they
happened, each linked to its PR or run, and counts nothing against anyone. The same sentences
serve the team page's ledger and the digest (`sentence`).
"""

from __future__ import annotations

from dashboards.item_flags import ItemRef
from dashboards.signals.agreements import AgreementException
from dashboards.talking_points.model import Evidence, PersonSignals, TalkingPoint
from dashboards.talking_points.units import DAYS_FROM_HOURS, duration
from dashboards.talking_points.wording import Voice, capital, plural

NAMED_AT_MOST = 2  # sentences quoted in the point; every exception is still linked
WEIGHT = 1.3


def _number(value: float | bool | None) -> str:
    """ "24", or "24.0" for 24 hours and a minute: a value past the line never reads as on it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _hours(value: float | bool | None) -> tuple[str, str]:
    """A wait and the unit of its line: "31 hours" and "" (the line reads "24"), or from 48
    hours on, in days as every other wait reads, "6.5 days" and " hours" ("24 hours")."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and value is not None and round(value, 1) >= DAYS_FROM_HOURS:
        return duration(value), " hours"
    return f"{_number(value)} hours", ""


def _what(e: AgreementException) -> str:
    """The item as a sentence names it: "#412", "CI on acme/api", "@dara"."""
    if e.pull_number is not None:
        return f"#{e.pull_number}"
    if e.workflow:
        return f"{e.workflow} on {e.repo}"
    return e.item


def sentence(e: AgreementException) -> str:
    """What passed the team's line, and the line: "#412 waited 31 hours for a first review;
    the team agreed on 24"."""
    what, value, limit = _what(e), _number(e.value), _number(e.limit)
    hours, line_unit = _hours(e.value) if e.rule.endswith("_hours") else ("", "")
    said = {
        "first_review_hours": (
            f"{what} has waited {hours} so far for a first review"
            if e.ongoing
            else f"{what} waited {hours} for a first review"
        ),
        "review_hours": f"{what} took {hours} from its first review to approval",
        "pr_size_lines": f"{what} changed {value} lines",
        "open_days": (
            f"{what} has been open {value} days" if e.ongoing else f"{what} was open {value} days"
        ),
        "merge_without_review": f"{what} was merged with no approving review from someone else",
        "pending_reviews_per_person": f"{value} review requests wait on {what} now",
        "wip_prs_per_person": f"{what} has {value} open pull requests now",
        "ci_p90_minutes": f"{what} took {value} minutes at p90 over the 7 days to {e.at:%d %b}",
        "flaky_percent": f"{what} was flaky in {value} % over the 7 days to {e.at:%d %b}",
    }.get(e.rule, f"{e.item} passed {e.rule}")
    if e.rule == "merge_without_review":
        return f"{said}; the team agreed every PR gets one"
    at_most = "at most " if e.rule in ("pending_reviews_per_person", "wip_prs_per_person") else ""
    return f"{said}; the team agreed on {at_most}{limit}{line_unit}"


def exception_evidence(e: AgreementException) -> Evidence:
    """The PR or run the exception is about, with the item its flags are found by."""
    refs: tuple[ItemRef, ...] = ()
    if e.repo and e.pull_number is not None:
        refs = (ItemRef("pull", e.repo, e.pull_number),)
        return Evidence("pr", f"{e.repo}#{e.pull_number}", e.url, refs)
    if e.repo and e.workflow:
        refs = (ItemRef("workflow", e.repo, e.workflow),)
        return Evidence("run", f"{e.workflow} on {e.repo}", e.url, refs)
    return Evidence("pr", e.item, e.url)


def agreement_exceptions(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """One point: the person's exceptions in the period (expected ones left out), oldest first."""
    found = [e for e in signals.agreement_exceptions if not e.expected]
    if not found:
        return []
    quoted = ". ".join(capital(sentence(e)) for e in found[:NAMED_AT_MOST])
    rest = len(found) - NAMED_AT_MOST
    more = f" And {plural(rest, 'more')} (linked below)." if rest > 0 else ""
    text = (
        f"Past the team's own agreements, in {voice.whose()} work: {quoted}.{more} "
        "Was that the situation, or does the agreement need a look?"
    )
    return [
        TalkingPoint("agreement_exceptions", text, WEIGHT, [exception_evidence(e) for e in found])
    ]
