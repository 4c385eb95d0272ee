"""nudge deliveries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "nudgedelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(30), nullable=False),
        sa.Column("recipient", _text(100), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("item", _text(100), nullable=False),
        sa.Column("stretch", _text(40), nullable=False),
        sa.Column("day", _text(10), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("channel", _text(80), nullable=True),
        sa.Column("ts", _text(40), nullable=True),
        sa.Column("text", _text(4000), nullable=False),
        sa.Column("error", _text(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_nudgedelivery_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudgedelivery")),
        sa.UniqueConstraint(
            "kind",
            "recipient",
            "item",
            "stretch",
            name=op.f("uq_nudgedelivery_kind_recipient_item_stretch"),
        ),
    )
    with op.batch_alter_table("nudgedelivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudgedelivery_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudgedelivery_person_id"), ["person_id"], unique=False)
    op.create_table(
        "nudgeoptout",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(30), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_nudgeoptout_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("pk_nudgeoptout")),
    )


def downgrade() -> None:
    op.drop_table("nudgeoptout")
    with op.batch_alter_table("nudgedelivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudgedelivery_person_id"))
        batch_op.drop_index(batch_op.f("ix_nudgedelivery_day"))
    op.drop_table("nudgedelivery")
