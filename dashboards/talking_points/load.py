"""Review load: reviews given on others' PRs, against the team as well as the person's usual.

Someone who always carries the team's reviews is never unusual against their own usual, so the
team comparison comes first: over twice the team's median member, or over 40 % of all the
team's reviews. Their own usual (when there is history enough) catches a sudden rise. The
numbers say how review work is spread; they never rank anyone.
"""

from __future__ import annotations

from statistics import median

from dashboards.talking_points.model import PersonSignals, TalkingPoint
from dashboards.talking_points.units import count, percent, shown, times
from dashboards.talking_points.wording import Voice, bracket, capital, usual_clause

REVIEW_LOAD_MIN = 5  # fewer reviews in two weeks are no load, whatever the ratios say
REVIEW_LOAD_MIN_WEEK = 3  # ... and fewer in a week (the digest's period)
TEAM_MEDIAN_RATIO = 2.0  # over twice the reviews of the team's median member
TEAM_SHARE = 0.4  # over 40 % of the reviews the team gave
TEAM_MIN_PEOPLE = 3  # with two people, one of them always gives half
OWN_USUAL_RATIO = 1.5  # over 1.5 times their own usual


def minimum(period_days: float | None) -> int:
    """Five reviews for two weeks or more; in a shorter period, proportionally fewer, but 3."""
    if period_days is None or period_days >= 14:
        return REVIEW_LOAD_MIN
    return max(REVIEW_LOAD_MIN_WEEK, round(REVIEW_LOAD_MIN * period_days / 14))


def review_load(signals: PersonSignals, voice: Voice) -> list[TalkingPoint]:
    """Carrying many reviews for others: against the team's median and share, and their usual."""
    given = signals.reviews_given
    window = signals.reviews_window  # counted over more than the period: said so
    if given is None or given < minimum(None if window else signals.period_days):
        return []
    team = signals.team_reviews_given if len(signals.team_reviews_given) >= TEAM_MIN_PEOPLE else []
    team_median = shown(median(team)) if team else 0.0
    total = sum(team)
    # a median of none says most of the team gives no reviews: the share tells concentration
    over_median = team_median > 0 and given > TEAM_MEDIAN_RATIO * team_median
    over_share = total > 0 and given / total > TEAM_SHARE
    raw_usual = signals.usual(signals.own_usual_reviews_given)
    usual = shown(raw_usual) if raw_usual is not None else None
    over_usual = usual is not None and given > OWN_USUAL_RATIO * usual
    if not (over_median or over_share or over_usual):
        return []
    who = f"In {window}, {voice.who()}" if window else capital(voice.who())
    opening = f"{who} gave {given} reviews on others' PRs"
    if over_median or over_share:
        against = []
        if over_median:
            against.append(f"{times(given, team_median)} the team median of {count(team_median)}")
        if over_share:
            against.append(f"{percent(given, total)} of the team's reviews")
        own = usual_clause(voice, count(usual), signals.history) if usual is not None else ""
        text = f"{opening}: {' and '.join(against)}{bracket([own])}."
    else:
        assert usual is not None and signals.history is not None
        covers = bracket([f"from {signals.history.covers}"])
        if usual > 0:
            text = f"{opening}, {times(given, usual)} {voice.whose()} usual of {count(usual)}"
        else:
            text = f"{opening}, where {voice.whose()} usual is none"
        text += f"{covers}."
    text += " Is that load sustainable, or should it be shared?"
    weight = max(
        given / team_median if over_median else 0.0,
        given / total / TEAM_SHARE if over_share else 0.0,
        given / usual if over_usual and usual else 0.0,
        1.0 + given / (10 * REVIEW_LOAD_MIN),  # risen from none: above a plain mention
    )
    return [TalkingPoint("review_load", text, weight, [])]
