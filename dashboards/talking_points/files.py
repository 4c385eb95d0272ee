"""Knowledge risk: the person works in files whose main author has gone quiet."""

from __future__ import annotations

from dashboards.talking_points.evidence import file_evidence
from dashboards.talking_points.model import PersonSignals, TalkingPoint
from dashboards.talking_points.wording import Voice, capital, plural


def knowledge_risk(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Work in files whose main author has gone quiet: a chance to share knowledge."""
    if not signals.risk_files:
        return []
    files = sorted(signals.risk_files, key=lambda f: (-f.idle_days, f.repo, f.path))
    first, others = files[0], files[1:]
    more = f" and {plural(len(others), 'other such file')}" if others else ""
    text = (
        f"{capital(voice.who())} worked in {first.path}{more}, whose main author has not "
        f"committed for {plural(first.idle_days, 'day')}. Is there someone to ask, or should "
        f"what {voice.pronoun} learn be written down?"
    )
    evidence = [file_evidence(f) for f in files]
    return [TalkingPoint("knowledge_risk", text, 1.0 + 0.1 * len(files), evidence)]
