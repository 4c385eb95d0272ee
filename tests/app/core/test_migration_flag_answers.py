"""Migration 0008 keeps every stored answer readable: each becomes the first entry of its
flag's thread, with its author and time, and every flag gets a random public id."""

from __future__ import annotations

import re

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from app.core.db import alembic_config, make_engine
from app.core.models.flags import PUBLIC_ID_PATTERN
from app.flags.lookup import TERMINAL
from app.flags.rules import get_flag


def test_answers_stored_before_become_the_thread(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "0007")
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO person (login, name, is_bot, digest_opt_in, digest_unsubscribed)"
                " VALUES ('alice', 'Alice', false, false, false)"
            )
        )
        alice = connection.execute(text("SELECT id FROM person WHERE login = 'alice'")).scalar()
        for summary, answer in (("answered before", "Fixed on Friday"), ("still open", None)):
            connection.execute(
                text(
                    "INSERT INTO frictionflag (category, summary, details, anonymous, created_at,"
                    " status, answer, answered_by_id, answered_at) VALUES ('docs', :s, '', false,"
                    " '2026-11-02 10:00:00+00:00', :st, :a, :by, :at)"
                ),
                {
                    "s": summary,
                    "st": "answered" if answer else "open",
                    "a": answer,
                    "by": alice if answer else None,
                    "at": "2026-11-03 09:30:00+00:00" if answer else None,
                },
            )
    command.upgrade(alembic_config(db_url), "head")
    with engine.connect() as connection:
        ids = dict(connection.execute(text("SELECT summary, public_id FROM frictionflag")).all())
    assert all(re.fullmatch(PUBLIC_ID_PATTERN, value) for value in ids.values())
    assert len(set(ids.values())) == 2
    with Session(engine) as session:
        answered = get_flag(session, TERMINAL, ids["answered before"])
        still_open = get_flag(session, TERMINAL, ids["still open"])
    [entry] = answered.answers
    assert (entry.body, entry.author_login) == ("Fixed on Friday", "alice")
    assert entry.created_at.isoformat().startswith("2026-11-03T09:30")
    assert answered.answer == "Fixed on Friday" and still_open.answers == []
    engine.dispose()
