"""The people file: the YAML (or JSON) document that names people, teams and their identities.

Validation only, so a bad file fails before anything is written; `app.core.people` imports it.
Errors name the entry (`people[2] (login 'bob')`) and the field.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.core.agreements import AgreementError, check_all
from app.core.settings import parse_hours


class PeopleError(ValueError):
    """Bad input for people, teams or identities; the message names the offending entry."""


class PersonEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    login: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-\[\]]*$")
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    emails: list[str] = Field(default_factory=list)
    is_bot: bool = False
    digest_opt_in: bool | None = None
    slack: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,19}$")  # Slack member id
    nudge_hours: str | None = Field(default=None, max_length=11)  # "09:00-13:00", their own

    @field_validator("nudge_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_hours(value)  # a ValueError names the format
        return value

    @field_validator("email")
    @classmethod
    def _one_email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)

    @field_validator("emails")
    @classmethod
    def _many_emails(cls, values: list[str]) -> list[str]:
        return [check_email(v.strip()) for v in values]


class TeamEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    manager: str | None = Field(default=None, max_length=100)
    members: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    slack_channel: str | None = Field(
        default=None, pattern=r"^([CG][A-Z0-9]{2,19}|#[a-z0-9_\-]{1,79})$"
    )
    agreements: dict[str, Any] | None = None  # the team's working agreements (app.core.agreements)

    @field_validator("agreements")
    @classmethod
    def _known_agreements(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return check_all(value)
        except AgreementError as error:
            raise ValueError(str(error)) from None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)"
            ) from None
        return value


class PeopleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teams: list[TeamEntry] = Field(default_factory=list)
    people: list[PersonEntry] = Field(default_factory=list)


def check_email(value: str) -> str:
    """`value` if it looks like an email address (one @, a dot in the domain, no spaces)."""
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > 320:
        raise ValueError(f"{value!r} is not an email address")
    return value


def parse_people_file(data: Any) -> PeopleFile:
    """Validate the document; errors name the entry (`people[2] (login 'bob')`) and the field."""
    if not isinstance(data, dict):
        raise PeopleError("the file must be a mapping with 'teams' and/or 'people' lists")
    try:
        return PeopleFile.model_validate(data)
    except ValidationError as error:
        raise PeopleError("\n".join(_describe(data, e) for e in error.errors())) from None


def _describe(data: dict[str, Any], err: Any) -> str:
    loc = list(err["loc"])
    where = ".".join(str(p) for p in loc)
    if len(loc) >= 2 and loc[0] in ("people", "teams") and isinstance(loc[1], int):
        section, index = loc[0], loc[1]
        entries = data.get(section)
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
        key = "login" if section == "people" else "name"
        label = f"{section}[{index}]"
        if isinstance(entry, dict) and entry.get(key):
            label += f" ({key} {entry[key]!r})"
        rest = ".".join(str(p) for p in loc[2:]) or "entry"
        where = f"{label}: {rest}"
    return f"{where}: {err['msg']}"
