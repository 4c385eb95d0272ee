"""CI on the person's PRs: flaky builds that hit more of them than usual, or unusually long
waiting on CI (against their usual and the team's median member). A period like any other, or
one with nothing to compare with, says nothing."""

from __future__ import annotations

from dashboards.talking_points.evidence import run_evidence
from dashboards.talking_points.model import PersonSignals, TalkingPoint
from dashboards.talking_points.units import count, duration, shown
from dashboards.talking_points.wording import Voice, bracket, capital, usual_clause

FLAKY_MIN_PULLS = 2  # one flaky failure is bad luck, not a pattern
FLAKY_RATIO = 2.0  # flaky builds on over twice their usual number of PRs (small counts)
CI_WAIT_MIN_HOURS = 2.0
CI_WAIT_RATIO = 1.5  # waited on CI over 1.5 times their usual and the team's median member


def _flaky_unusual(hits: int, usual: float | None) -> bool:
    """Against their usual only (there is no team reference): without one, nothing is unusual."""
    return usual is not None and hits >= FLAKY_MIN_PULLS and hits > FLAKY_RATIO * shown(usual)


def _wait_unusual(wait: float | None, usual: float | None, team: float | None) -> bool:
    """At least two hours, and over the ratio against every reference there is (at least one)."""
    references = [v for v in (usual, team) if v is not None]
    return (
        wait is not None
        and wait >= CI_WAIT_MIN_HOURS
        and bool(references)
        and all(wait > CI_WAIT_RATIO * r for r in references)
    )


def flaky_builds(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Flaky builds on more of their PRs than usual, and/or hours waited on CI beyond usual."""
    hits = signals.ci_hits
    pulls = len({(h.repo, h.pull_number) for h in hits}) if hits else 0
    usual_hits = signals.usual(signals.own_usual_ci_hits)
    wait, team = signals.ci_wait_hours, signals.team_median_ci_wait_hours
    usual_wait = signals.usual(signals.own_usual_ci_wait_hours)
    flaky = _flaky_unusual(pulls, usual_hits)
    slow = _wait_unusual(wait, usual_wait, team)
    if not flaky and not slow:
        return []
    history = signals.history
    sentences = []
    if flaky:
        whose = voice.whose()  # named before the comparison that follows says "their"
        usual = usual_clause(voice, count(usual_hits), history) if usual_hits is not None else ""
        sentences.append(f"Flaky builds hit {pulls} of {whose} PRs{bracket([usual])}.")
        history = None  # what "usual" covers is said once
    if slow:
        assert wait is not None
        whose = voice.whose()
        compared = bracket(
            [
                usual_clause(voice, duration(usual_wait), history)
                if usual_wait is not None
                else "",
                f"team median {duration(team)}" if team is not None else "",
            ]
        )
        sentences.append(f"{capital(whose)} PRs waited {duration(wait)} on CI{compared}.")
        if hits and not flaky:
            sentences.append(f"Flaky builds hit {pulls} of them.")
    question = (
        "Did re-running get in the way?" if hits else f"Is the build slowing {voice.object} down?"
    )
    weight = max(
        1.0 + pulls / 2 if flaky else 0.0,
        wait / max(v for v in (usual_wait, team, CI_WAIT_MIN_HOURS) if v) if slow and wait else 0.0,
    )
    evidence = [run_evidence(h) for h in hits]
    return [TalkingPoint("flaky_builds", " ".join([*sentences, question]), weight, evidence)]
