"""Git queries that take emails in any case."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from dashboards.queries.git import last_commit_by_email
from tests import world as f


def test_the_last_commit_of_an_email_is_the_latest_of_every_spelling(session: Session) -> None:
    repo = f.make_repo(session)
    early, late = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    f.make_commit(session, repo, email="Ada@Example.com", at=late, files={"a.py": 1})
    f.make_commit(session, repo, email="ada@example.com", at=early, files={"b.py": 1})
    f.make_commit(session, repo, email="bob@example.com", at=early, files={"c.py": 1})
    session.commit()
    found = last_commit_by_email(session, emails=["ADA@example.com", "nobody@example.com"])
    assert found == {"ada@example.com": late}
    assert last_commit_by_email(session, emails=[]) == {}
