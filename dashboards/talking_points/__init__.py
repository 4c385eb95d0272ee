"""Turn a person's signals into a few openings for a 1:1, each with its evidence one click away.

Every rule compares with the person's own usual and, where it is fair, with the team's median;
review load is compared only with the person's own usual, never with colleagues. A rule that
finds nothing unusual says nothing: no invented problems. Points are ranked by how far the
signal is from the usual, and the list is kept short.

The sentences are phrased for whoever reads them: "your PRs" only when the reader is the
person; a manager reading a report's page, or the weekly digest, reads "Bob's PRs".

Each piece of evidence names the PRs, files and workflows it is about (`items`), so the front
door can put beside it the open friction flags tied to them that the reader may see
(`with_flags`; the rules themselves never look at who may see which flag).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from dashboards.item_flags import ItemFlag, ItemRef, open_flags
from dashboards.signals.reviews import PullFlow, WaitingPull

MAX_POINTS = 5
LONG_PICKUP_MIN_HOURS = 24.0  # a first review within a working day is not worth a 1:1 minute
LONG_PICKUP_RATIO = 2.0  # ... nor is one merely a little slower than the team's median
WAITING_NOW_MIN_HOURS = 24.0
CI_WAIT_MIN_HOURS = 2.0
CI_WAIT_RATIO = 1.5
REVIEW_LOAD_RATIO = 1.5
REVIEW_LOAD_MIN = 5


@dataclass(frozen=True)
class Evidence:
    kind: str  # pr, run, file, flag
    label: str
    url: str | None
    items: tuple[ItemRef, ...] = ()  # the PR, file or workflows it is about
    flags: tuple[ItemFlag, ...] = ()  # open flags tied to them, for this reader (with_flags)


@dataclass(frozen=True)
class TalkingPoint:
    rule: str
    text: str
    weight: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class PullWait:
    """One of the person's PRs and how long it waited for its first review."""

    repo: str
    number: int
    title: str
    url: str | None
    pickup_hours: float | None  # None: no review yet
    waiting_now: bool = False  # open, ready, and no review yet
    waited_hours: float | None = None  # for PRs waiting now: hours so far

    @classmethod
    def from_flow(
        cls, flow: PullFlow, unreviewed: Mapping[tuple[str, int], WaitingPull]
    ) -> PullWait:
        """The PR as the person page and the digest list it: waiting now if among `unreviewed`."""
        key = (flow.repository, flow.number)
        waiting = unreviewed.get(key)
        return cls(
            repo=flow.repository,
            number=flow.number,
            title=flow.title,
            url=flow.html_url,
            pickup_hours=flow.pickup_hours,
            waiting_now=key in unreviewed,
            waited_hours=waiting.waited_hours if waiting else None,
        )


@dataclass(frozen=True)
class CiHit:
    """A flaky failure (failed, then passed on the same commit) on one of the person's PRs."""

    repo: str
    run_id: int | None
    workflow: str
    job: str | None
    url: str | None
    pull_number: int | None = None
    workflows: tuple[str, ...] = ()  # when `workflow` labels several (the digest's): each name


@dataclass(frozen=True)
class RiskFile:
    """A file the person changed whose main author has stopped committing (knowledge risk)."""

    repo: str
    path: str
    url: str | None
    main_author: str
    idle_days: int  # days since the main author's last commit anywhere


@dataclass(frozen=True)
class FlagItem:
    id: int
    category: str
    summary: str
    status: str  # open, acknowledged, answered
    created_at: datetime
    answer: str | None
    url: str | None


@dataclass
class PersonSignals:
    """Everything the rules look at for one person and one period. None means no data."""

    login: str
    display_name: str
    pulls: list[PullWait] = field(default_factory=list)
    own_usual_pickup_hours: float | None = None
    team_median_pickup_hours: float | None = None
    ci_hits: list[CiHit] = field(default_factory=list)
    ci_wait_hours: float | None = None
    own_usual_ci_wait_hours: float | None = None
    team_median_ci_wait_hours: float | None = None
    reviews_given: int | None = None
    own_usual_reviews_given: float | None = None
    risk_files: list[RiskFile] = field(default_factory=list)
    flags: list[FlagItem] = field(default_factory=list)

    @property
    def has_any_data(self) -> bool:
        return bool(
            self.pulls
            or self.ci_hits
            or self.ci_wait_hours
            or self.reviews_given
            or self.risk_files
            or self.flags
        )


@dataclass(frozen=True)
class Voice:
    """How the sentences refer to the person: "you" to themselves, by name to anyone else."""

    name: str | None  # None: the reader is the person

    @classmethod
    def for_reader(cls, signals: PersonSignals, *, reader_is_person: bool) -> Voice:
        return cls(None if reader_is_person else signals.display_name)

    @property
    def subject(self) -> str:
        """Sentence-initial subject: "You" or "Bob"."""
        return self.name or "You"

    @property
    def possessive(self) -> str:
        """Mid-sentence possessive: "your" or "Bob's"."""
        return f"{self.name}'s" if self.name else "your"

    @property
    def pronoun(self) -> str:
        """A later reference, subject or object: "you" or "they"/"them" (same verb form)."""
        return "they" if self.name else "you"

    @property
    def object(self) -> str:
        return "them" if self.name else "you"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def days(hours: float) -> str:
    """3.1 days, or 5.0 hours under a day: the unit a person would say out loud."""
    return f"{hours / 24:.1f} days" if hours >= 24 else f"{hours:.1f} hours"


def _comparisons(*pairs: tuple[str, float | None]) -> str:
    shown = [f"{label} {days(value)}" for label, value in pairs if value is not None]
    return f" ({', '.join(shown)})" if shown else ""


def _pr_evidence(pull: PullWait) -> Evidence:
    pr = ItemRef("pull", pull.repo, pull.number)
    return Evidence("pr", f"{pull.repo}#{pull.number}", pull.url, (pr,))


def _run_evidence(hit: CiHit) -> Evidence:
    names = hit.workflows or (hit.workflow,)
    refs = tuple(ItemRef("workflow", hit.repo, name) for name in names)
    return Evidence("run", _run_label(hit), hit.url, refs)


def _file_evidence(risk: RiskFile) -> Evidence:
    file = ItemRef("path", risk.repo, risk.path)
    return Evidence("file", f"{risk.repo}: {risk.path}", risk.url, (file,))


def long_pickup(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """The PR that waited longest for a first review, if it waited unusually long."""
    reference = max(
        (v for v in (signals.own_usual_pickup_hours, signals.team_median_pickup_hours) if v),
        default=None,
    )
    candidates = [
        p
        for p in signals.pulls
        if p.pickup_hours is not None
        and p.pickup_hours >= LONG_PICKUP_MIN_HOURS
        and (reference is None or p.pickup_hours >= LONG_PICKUP_RATIO * reference)
    ]
    if not candidates:
        return []
    worst = max(candidates, key=lambda p: p.pickup_hours or 0.0)
    assert worst.pickup_hours is not None
    others = len(candidates) - 1
    more = f" ({others} more waited unusually long too)" if others else ""
    text = (
        f"PR #{worst.number} waited {days(worst.pickup_hours)} for a first review"
        + _comparisons(
            ("team median", signals.team_median_pickup_hours),
            (f"{voice.possessive} usual", signals.own_usual_pickup_hours),
        )
        + f"{more}. What got in the way?"
    )
    weight = worst.pickup_hours / (reference or LONG_PICKUP_MIN_HOURS)
    return [TalkingPoint("long_pickup", text, weight, [_pr_evidence(p) for p in candidates[:3]])]


def waiting_now(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """A PR still waiting for its first review right now."""
    waiting = sorted(
        (
            p
            for p in signals.pulls
            if p.waiting_now and (p.waited_hours or 0.0) >= WAITING_NOW_MIN_HOURS
        ),
        key=lambda p: -(p.waited_hours or 0.0),
    )
    if not waiting:
        return []
    first = waiting[0]
    assert first.waited_hours is not None
    also = f", and {len(waiting) - 1} more are waiting too" if len(waiting) > 1 else ""
    text = (
        f"PR #{first.number} has been waiting {days(first.waited_hours)} for a review right now"
        + _comparisons(("team median pickup", signals.team_median_pickup_hours))
        + f"{also}. Who could pick it up?"
    )
    weight = 1.0 + first.waited_hours / (signals.team_median_pickup_hours or 24.0)
    return [TalkingPoint("waiting_now", text, weight, [_pr_evidence(p) for p in waiting[:3]])]


def flaky_builds(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Flaky failures that hit the person's PRs, with the hours their PRs waited on CI."""
    hits = signals.ci_hits
    wait = signals.ci_wait_hours
    usual = signals.own_usual_ci_wait_hours
    long_wait = (
        wait is not None
        and wait >= CI_WAIT_MIN_HOURS
        and (usual is None or wait >= CI_WAIT_RATIO * usual)
    )
    if not hits and not long_wait:
        return []
    evidence = [_run_evidence(h) for h in hits[:3]]
    if hits:
        prs = {(h.repo, h.pull_number) for h in hits if h.pull_number is not None}
        on = f" on {len(prs)} of {voice.possessive} PRs" if prs else ""
        text = f"Flaky builds failed {len(hits)} time{'s' if len(hits) != 1 else ''}{on}"
        if wait:
            text += f", and {voice.possessive} PRs waited {wait:.1f} hours on CI" + (
                _hours_comparisons(voice, usual, signals.team_median_ci_wait_hours)
            )
        text += ". Did re-running get in the way?"
        weight = 1.0 + len(hits) / 2
    else:
        assert wait is not None
        text = (
            f"{_capital(voice.possessive)} PRs waited {wait:.1f} hours on CI"
            + _hours_comparisons(voice, usual, signals.team_median_ci_wait_hours)
            + f". Is the build slowing {voice.object} down?"
        )
        weight = wait / (usual or CI_WAIT_MIN_HOURS)
    return [TalkingPoint("flaky_builds", text, weight, evidence)]


def _run_label(hit: CiHit) -> str:
    name = hit.workflow + (f" / {hit.job}" if hit.job else "")
    where = f" on PR #{hit.pull_number}" if hit.pull_number is not None else ""
    run = f" (run {hit.run_id})" if hit.run_id is not None else ""
    return f"{name}{where}{run}"


def _hours_comparisons(voice: Voice, usual: float | None, team: float | None) -> str:
    shown = [
        f"{label} {value:.1f} hours"
        for label, value in ((f"{voice.possessive} usual", usual), ("team median", team))
        if value is not None
    ]
    return f" ({', '.join(shown)})" if shown else ""


def review_load(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Carrying many reviews for others, against the person's own usual only."""
    given, usual = signals.reviews_given, signals.own_usual_reviews_given
    if given is None or usual is None or given < REVIEW_LOAD_MIN:
        return []
    if given < REVIEW_LOAD_RATIO * max(usual, 1.0):
        return []
    text = (
        f"{voice.subject} reviewed {given} PRs for others, about "
        f"{given / max(usual, 1.0):.1f} times {voice.possessive} usual {usual:.0f}. "
        "Is that load sustainable, or should it be shared?"
    )
    return [TalkingPoint("review_load", text, given / max(usual, 1.0), [])]


def knowledge_risk(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Work in files whose main author has gone quiet: a chance to share knowledge."""
    if not signals.risk_files:
        return []
    files = sorted(signals.risk_files, key=lambda f: (-f.idle_days, f.repo, f.path))
    first = files[0]
    more = (
        f" and {len(files) - 1} other such file{'s' if len(files) > 2 else ''}" if files[1:] else ""
    )
    text = (
        f"{voice.subject} worked in {first.path}{more}, whose main author has not committed "
        f"for {first.idle_days} days. Is there someone to ask, or should what "
        f"{voice.pronoun} learn be written down?"
    )
    evidence = [_file_evidence(f) for f in files[:3]]
    return [TalkingPoint("knowledge_risk", text, 1.0 + 0.1 * len(files), evidence)]


def friction_flags(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """The person's own flags: open ones to follow up, answered ones to close the loop."""
    points = []
    open_flags = [f for f in signals.flags if f.status != "answered"]
    answered = [f for f in signals.flags if f.status == "answered"]
    if open_flags:
        oldest = min(open_flags, key=lambda f: f.created_at)
        more = f" ({len(open_flags) - 1} more open)" if len(open_flags) > 1 else ""
        text = (
            f"{_capital(voice.possessive)} flag “{oldest.summary}” "
            f"({oldest.category.replace('_', ' ')}) is still "
            f"{oldest.status} since {oldest.created_at:%d %b}{more}. What would help?"
        )
        evidence = [Evidence("flag", f"flag #{f.id}: {f.summary}", f.url) for f in open_flags[:3]]
        points.append(TalkingPoint("open_flags", text, 1.5 + 0.2 * len(open_flags), evidence))
    if answered:
        latest = max(answered, key=lambda f: f.created_at)
        text = (
            f"{_capital(voice.possessive)} flag “{latest.summary}” was answered. "
            "Did the answer resolve it?"
        )
        points.append(
            TalkingPoint(
                "answered_flags",
                text,
                1.1,
                [Evidence("flag", f"flag #{latest.id}: {latest.summary}", latest.url)],
            )
        )
    return points


RULES: Sequence[Callable[[PersonSignals, Voice], list[TalkingPoint]]] = (
    long_pickup,
    waiting_now,
    flaky_builds,
    review_load,
    knowledge_risk,
    friction_flags,
)


def with_flags(
    points: Sequence[TalkingPoint], keyed: dict[str, list[ItemFlag]]
) -> list[TalkingPoint]:
    """The points with, beside each piece of evidence, the open flags tied to what it is about.

    `keyed` holds only the flags the reader may see (`dashboards.item_flags.keyed_flags`)."""
    return [
        replace(
            point,
            evidence=[replace(e, flags=open_flags(keyed, e.items)) for e in point.evidence],
        )
        for point in points
    ]


def talking_points(
    signals: PersonSignals, *, reader_is_person: bool, limit: int = MAX_POINTS
) -> list[TalkingPoint]:
    """Every rule's points, most unusual first, at most `limit`, phrased for the reader."""
    voice = Voice.for_reader(signals, reader_is_person=reader_is_person)
    points = [point for rule in RULES for point in rule(signals, voice)]
    return sorted(points, key=lambda p: (-p.weight, p.rule))[:limit]
