"""The shared table base: one naming convention so migrations are portable, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def UtcField(*, nullable: bool = True, index: bool = False, **kwargs: Any) -> Any:
    """A timezone-aware timestamp column (stored as UTC on both backends)."""
    if "default_factory" not in kwargs:
        kwargs.setdefault("default", None)
    return Field(
        sa_type=DateTime(timezone=True),
        nullable=nullable,
        index=index,
        **kwargs,
    )


def JsonField(**kwargs: Any) -> Any:
    """A JSON column for small lists and maps (labels, steps) that we never filter on in SQL."""
    return Field(sa_type=JSON, **kwargs)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every value we store is UTC, so say so."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
