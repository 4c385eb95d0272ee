"""The viewer's own corner of the home page: their open items (flags waiting for an answer or
answered lately, agenda items for the next 1:1, PRs waiting on a reviewer) and who looked at
their data, the same log their person page shows in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.core import one_on_ones
from app.core.access import Viewer
from app.core.identities import directory
from app.core.settings import Settings
from dashboards.pages.home_manager import WaitingPr
from dashboards.pages.one_on_one import LookedAt, for_next_one_on_one, who_looked
from dashboards.reports.own_flags import person_flags
from dashboards.reports.review_flow import waiting_now
from dashboards.talking_points import FlagItem

ANSWERED_SHOWN = 3  # the newest answered flags stay beside the open ones, to be read
WHO_LOOKED_ON_HOME = 5


@dataclass
class OwnItems:
    flags: list[FlagItem] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)  # items for the next 1:1
    waiting_pulls: list[WaitingPr] = field(default_factory=list)
    who_looked: list[LookedAt] = field(default_factory=list)
    page_url: str = ""  # the person page, where the whole who-looked log is

    @property
    def empty(self) -> bool:
        return not (self.flags or self.agenda or self.waiting_pulls)


def own_items(session: Session, viewer: Viewer, now: datetime, settings: Settings) -> OwnItems:
    person_id = viewer.person_id
    mine = person_flags(session, person_id)  # newest first
    flags = [f for f in mine if f.status != "answered"]
    flags += [f for f in mine if f.status == "answered"][:ANSWERED_SHOWN]
    last = one_on_ones.last_held(session, person_id, until=now)
    agenda = for_next_one_on_one(session, person_id, last)
    logins = directory(session).logins_of(person_id)
    waiting = (
        waiting_now(session, now=now, settings=settings, authors=logins).on_reviewer
        if logins
        else ()
    )
    return OwnItems(
        flags=flags,
        agenda=agenda,
        waiting_pulls=[WaitingPr.of(w, viewer.login) for w in waiting],
        who_looked=who_looked(session, viewer, person_id, limit=WHO_LOOKED_ON_HOME) or [],
        page_url=f"/people/{viewer.login}",
    )
