"""prompt answers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promptanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["nudgedelivery.id"],
            name=op.f("fk_promptanswer_delivery_id_nudgedelivery"),
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["frictionflag.id"], name=op.f("fk_promptanswer_flag_id_frictionflag")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_promptanswer_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promptanswer")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_promptanswer_delivery_id")),
    )
    with op.batch_alter_table("promptanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promptanswer_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promptanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promptanswer_person_id"))
    op.drop_table("promptanswer")
