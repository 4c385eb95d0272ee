"""The stand-in's state: its users, the messages it got, and the faults waiting to be served.

Kept apart from the HTTP server so the methods are plain functions of (workspace, arguments).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0GEMBA001"
BOT_USER_ID = "U0GEMBABOT"
BOT_ID = "B0GEMBABOT1"


@dataclass
class Fault:
    """One injected answer: HTTP `status` (429 or 5xx) for the next `times` calls of `method`."""

    method: str
    status: int
    retry_after: int | None = None
    times: int = 1


@dataclass
class Workspace:
    """Users by email, channels by id, messages by (channel, ts), and the faults to serve."""

    token: str = "xoxb-sandbox"
    name: str = "gemba-sandbox"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_user(self, user_id: str, email: str, name: str) -> None:
        """A member the bot can look up by email and DM."""
        self.users[email.lower()] = {"id": user_id, "name": name, "email": email}

    def user_by_id(self, user_id: str) -> dict[str, Any] | None:
        return next((u for u in self.users.values() if u["id"] == user_id), None)

    def add_channel(self, channel_id: str) -> None:
        """A channel the bot is a member of (posts to others get channel_not_found)."""
        self.channels.add(channel_id)

    def inject(self, method: str, status: int, *, retry_after: int | None = None, times: int = 1):
        """Serve `status` for the next `times` calls of `method` (429 carries Retry-After)."""
        with self.lock:
            self.faults.append(Fault(method, status, retry_after, times))

    def take_fault(self, method: str) -> Fault | None:
        """The fault due for this call of `method`, if any (each serves `times` calls)."""
        with self.lock:
            for fault in self.faults:
                if fault.method == method and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def next_ts(self) -> str:
        """A message timestamp shaped like Slack's ('1700000000.000001'), unique and rising."""
        return f"{int(time.time()):010d}.{next(self._ts):06d}"

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["channel"] == channel and m["ts"] == ts), None)
