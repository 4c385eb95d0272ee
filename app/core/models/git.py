"""Repositories and their git history: commits and per-file line changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.core.models.base import UtcField


class Repository(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)  # "owner/name" for GitHub, or a local name
    path: str | None = Field(default=None, max_length=1000)
    github_id: int | None = Field(default=None, index=True, sa_type=BigInteger)
    default_branch: str | None = Field(default=None, max_length=200)
    html_url: str | None = Field(default=None, max_length=500)


class Commit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("repository_id", "sha"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True)
    sha: str = Field(max_length=40)
    author_name: str = Field(max_length=300)
    author_email: str = Field(max_length=320, index=True)
    authored_at: datetime = UtcField(nullable=False, index=True)
    committed_at: datetime = UtcField(nullable=False)
    is_merge: bool = False
    is_bot: bool = False
    summary: str = Field(default="", max_length=300)


class FileChange(SQLModel, table=True):
    """One file touched by one commit, at the path it has at HEAD (renames followed)."""

    id: int | None = Field(default=None, primary_key=True)
    commit_id: int = Field(foreign_key="commit.id", index=True, ondelete="CASCADE")
    path: str = Field(max_length=2000, index=True)
    old_path: str | None = Field(default=None, max_length=2000)
    added: int = 0
    deleted: int = 0
    is_binary: bool = False


class RepoFile(SQLModel, table=True):
    """A file present at HEAD with its line count (`loc`) and size in bytes, refreshed on every
    collect. A binary file has no lines (`git log --numstat` prints "-"): its size is what the
    pain map sizes it by."""

    repository_id: int = Field(foreign_key="repository.id", primary_key=True)
    path: str = Field(max_length=2000, primary_key=True)
    loc: int = 0
    is_binary: bool = False
    size_bytes: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
