"""The Monday email: builds each recipient's `DigestData` and renders it as text and HTML.

Managers get their team's week against the week before and their own usual; developers who
opt in get their review queues and answers to their flags. Nothing ranks people: reports are
listed by name, and waiting is shown as hours, never as a score. Given a flag lookup (the
front doors pass `app.flags.lookup.lookup`), each PR, file and talking point also shows the open
friction flags tied to it that the recipient may see (dashboards/digest/item_flags.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, col, select

from app.core.models import Person
from app.core.settings import Settings
from dashboards.digest import signals
from dashboards.digest.agreements import agreement_weeks
from dashboards.digest.data import DigestData, Link, Metric, TalkingPoint
from dashboards.digest.delivery_line import delivery_lines
from dashboards.digest.flags import flag_answers, flag_metrics
from dashboards.digest.item_flags import attach_flags
from dashboards.digest.org import org_lines
from dashboards.digest.points import Sections, top_point
from dashboards.digest.scope import Scope, manager_scope, person_scope, timezone_of
from dashboards.digest.week import history, iso_week, resolve_week
from dashboards.item_flags import FlagLookup
from dashboards.reports.own_flags import own_flags
from dashboards.talking_points.units import count, duration, durations

__all__ = ["DigestData", "developer_digest", "iso_week", "manager_digest", "render"]

TEMPLATES = Path(__file__).parent.parent / "templates" / "email"

MISSING_REVIEWS = "review flow (pull requests)"
MISSING_CI = "CI runs"
MISSING_FILES = "hotspots and knowledge risk (git history)"


def page_url(settings: Settings, *parts: str) -> str:
    return settings.base_url.rstrip("/") + "/" + "/".join(quote(p, safe="") for p in parts)


def unsubscribe_url(settings: Settings, person: Person) -> str | None:
    if not person.unsubscribe_token:
        return None
    return page_url(settings, "api", "v1", "unsubscribe", person.unsubscribe_token)


def _recipient(person: Person, kind: str, week: str, settings: Settings) -> dict[str, object]:
    assert person.id is not None
    return {
        "kind": kind,
        "recipient_id": person.id,
        "recipient_login": person.login,
        "recipient_name": person.name or person.login,
        "recipient_email": person.email,
        "week": week,
        "unsubscribe_url": unsubscribe_url(settings, person),
    }


def manager_digest(
    session: Session,
    manager: Person,
    week: str | None,
    settings: Settings,
    now: datetime,
    *,
    flags: FlagLookup | None = None,
) -> DigestData | None:
    """The team's week for a manager, or None when they have no reports (no email at all).
    With `flags`, each line carries the open flags tied to it that the manager may see."""
    scope = manager_scope(session, manager)
    if scope is None:
        return None
    chosen = resolve_week(week, now, timezone_of(session, manager, settings.default_timezone))
    weeks = history(chosen)
    data = DigestData(
        **_recipient(manager, "manager", chosen.label, settings),  # type: ignore[arg-type]
        start=chosen.start,
        end=chosen.end,
        teams=list(scope.team_names),
    )
    reviews = signals.review_section(session, scope, weeks, now, settings)
    ci = signals.ci_section(session, scope, weeks)
    files = signals.file_section(session, scope, chosen, settings)
    flag_numbers, data.flags_open_now = flag_metrics(session, scope, weeks, now)
    data.metrics = (reviews.metrics if reviews else []) + (ci.metrics if ci else []) + flag_numbers
    data.waiting_now = reviews.waiting_now if reviews else []
    if files is not None:
        data.hotspots, data.knowledge_risk = files.hotspots, files.knowledge_risk
    data.missing = [
        name
        for name, section in (
            (MISSING_REVIEWS, reviews),
            (MISSING_CI, ci),
            (MISSING_FILES, files),
        )
        if section is None
    ]
    sections = Sections(weeks, reviews, ci, files)
    data.talking_points = _talking_points(session, scope, sections, settings)
    data.links = [Link(f"Team {name}", page_url(settings, "teams", name)) for name in data.teams]
    urls = {name: page_url(settings, "teams", name) + "#agreements" for name in data.teams}
    data.agreements = agreement_weeks(
        session, scope.team_ids, chosen.start, chosen.end, now, settings, urls
    )
    data.delivery = delivery_lines(
        session,
        scope.team_ids,
        chosen.start,
        chosen.end,
        {name: page_url(settings, "teams", name) + "#delivery" for name in data.teams},
    )
    data.org = org_lines(session, manager, chosen.utc_start, chosen.utc_end, now, settings)
    if data.org:
        data.links.insert(0, Link("Your organisation", page_url(settings, "org")))
    data.links.append(_in_browser(settings, data.week))
    return attach_flags(session, data, manager, flags) if flags is not None else data


def _in_browser(settings: Settings, week: str) -> Link:
    """The same digest in the web app, for mail clients that render HTML poorly."""
    return Link(
        "Open in Gemba Walk", page_url(settings, "api", "v1", "digest", "preview") + f"?week={week}"
    )


def _talking_points(
    session: Session, scope: Scope, sections: Sections, settings: Settings
) -> list[TalkingPoint]:
    """One line per report who has something to talk about, in alphabetical order."""
    people = session.exec(
        select(Person).where(col(Person.id).in_(scope.person_ids), col(Person.is_bot).is_(False))
    ).all()
    flags = own_flags(session, scope.person_ids)
    team = {p.id: scope.logins_by_person.get(p.id, set()) for p in people if p.id is not None}
    sections = replace(sections, team_logins=team)  # review load: against these people
    points = [
        top_point(
            person,
            flags.get(person.id or 0, []),
            scope.logins_by_person.get(person.id or 0, set()),
            scope.emails_by_person.get(person.id or 0, set()),
            sections,
            settings,
        )
        for person in people
    ]
    found = [p for p in points if p is not None]
    return sorted(found, key=lambda p: (p.name.lower(), p.login))


def developer_digest(
    session: Session,
    person: Person,
    week: str | None,
    settings: Settings,
    now: datetime,
    *,
    flags: FlagLookup | None = None,
) -> DigestData:
    """One developer's week: what waits on their review, their own PRs waiting, flag answers.
    With `flags`, each PR carries the open flags tied to it that the developer may see."""
    assert person.id is not None
    chosen = resolve_week(week, now, timezone_of(session, person, settings.default_timezone))
    scope = person_scope(session, person)
    data = DigestData(
        **_recipient(person, "developer", chosen.label, settings),  # type: ignore[arg-type]
        start=chosen.start,
        end=chosen.end,
        teams=list(scope.team_names),
    )
    queues = signals.review_queues(session, scope, now, settings)
    if queues is None:
        data.missing.append(MISSING_REVIEWS)
    else:
        data.review_requests, data.own_waiting = queues
    data.flag_answers = flag_answers(session, person.id, chosen, settings.base_url)
    data.links = [
        Link("Your page", page_url(settings, "people", person.login)),
        _in_browser(settings, data.week),
    ]
    return attach_flags(session, data, person, flags) if flags is not None else data


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["hours"] = duration
    env.filters["number"] = format_number
    env.filters["row"] = row_values
    return env


def format_number(value: float | None, unit: str = "") -> str:
    """One number as the digest prints it: waits by `units.duration`, counts whole."""
    if value is None:
        return "n/a"
    if unit == "hours":
        return duration(value)
    if unit == "%":
        return f"{value:.0f} %"
    return count(value)


def row_values(metric: Metric) -> list[str]:
    """This week, the week before and the usual, one unit for the row (the largest picks it)."""
    values = [metric.this_week, metric.last_week, metric.usual]
    if metric.unit == "hours":
        return durations(values)
    return [format_number(v, metric.unit) for v in values]


def bar_width(metric: Metric, value: float | None) -> int:
    """Width in percent of the largest of the three numbers, for an HTML/CSS bar."""
    values = [v for v in (metric.this_week, metric.last_week, metric.usual) if v]
    if value is None or not values:
        return 0
    return max(1, round(100 * value / max(values))) if value else 0


def render_parts(data: DigestData) -> tuple[str, str]:
    """The plain text and the HTML of one digest."""
    name = "weekly" if data.kind == "manager" else "developer"
    context = {"d": data, "bar_width": bar_width}
    text = _environment().get_template(f"{name}.txt").render(context)
    html = _environment().get_template(f"{name}.html").render(context)
    return text, html


def render(data: DigestData, *, sender: str | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, then HTML (no images, no scripts)."""
    text, html = render_parts(data)
    message = EmailMessage()
    message["Subject"] = data.subject
    if sender:
        message["From"] = sender
    if data.recipient_email:
        message["To"] = formataddr((data.recipient_name, data.recipient_email))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(f"digest.{data.week}.{data.recipient_id}")
    if data.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{data.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Gemba-Digest"] = f"{data.kind}; week={data.week}"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
