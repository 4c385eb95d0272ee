"""How a point refers to the person, and how it says what a number is compared with.

To the person themselves a point says "you" and "your". To anyone else (their manager on the
page, the weekly digest) it names them once, by first name, and says "they" and "their" after
that: "Flaky builds hit 3 of Dara's PRs, and their PRs waited ...". A sentence carries at most
one pair of brackets, holding what its number is compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboards.talking_points.model import History


def first_name(display_name: str) -> str:
    """ "Dara" for "Dara Murphy"; a login or a one-word name as it is."""
    return display_name.split()[0] if display_name.split() else display_name


@dataclass
class Voice:
    """The words for the person in one point: build a fresh one per point (`for_point`)."""

    name: str | None  # first name; None: the reader is the person
    _named: bool = field(default=False, repr=False)

    @classmethod
    def for_reader(cls, display_name: str, *, reader_is_person: bool) -> Voice:
        return cls(None if reader_is_person else first_name(display_name))

    def for_point(self) -> Voice:
        """The same reader, nobody named yet: each point names the person once."""
        return Voice(self.name)

    def _name_now(self) -> bool:
        first = not self._named
        self._named = True
        return first

    def whose(self) -> str:
        """Mid-sentence possessive: "your"; "Dara's" the first time, then "their"."""
        if self.name is None:
            return "your"
        return f"{self.name}'s" if self._name_now() else "their"

    def who(self) -> str:
        """Mid-sentence subject: "you"; "Dara" the first time, then "they"."""
        if self.name is None:
            return "you"
        return self.name if self._name_now() else "they"

    @property
    def pronoun(self) -> str:
        """A later reference as subject: "you" or "they" (same verb form)."""
        return "they" if self.name else "you"

    @property
    def object(self) -> str:
        return "them" if self.name else "you"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def usual_clause(voice: Voice, shown: str, history: History | None) -> str:
    """ "Dara's usual 1.5 hours, from the 6 weeks before": what "usual" covers, said once."""
    covers = f", from {history.covers}" if history is not None else ""
    return f"{voice.whose()} usual {shown}{covers}"


def bracket(parts: Sequence[str]) -> str:
    """ " (team median 2.0 hours; your usual ...)", or "" when there is nothing to compare."""
    shown = [p for p in parts if p]
    return f" ({'; '.join(shown)})" if shown else ""


def and_list(items: Sequence[str]) -> str:
    """ "#34", "#34 and #17", "#34, #17 and #40"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
