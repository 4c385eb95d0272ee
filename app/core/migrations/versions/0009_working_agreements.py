"""working agreements: team targets, their history, expected exceptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teamagreement",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_teamagreement_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "name", name=op.f("pk_teamagreement")),
    )
    op.create_table(
        "agreementchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_agreementchange_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreementchange")),
    )
    with op.batch_alter_table("agreementchange", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreementchange_team_id"), ["team_id"], unique=False)
    op.create_table(
        "expectedexception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("item", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("marked_by", sa.String(length=100), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_expectedexception_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expectedexception")),
        sa.UniqueConstraint(
            "team_id", "rule", "item", name=op.f("uq_expectedexception_team_id_rule_item")
        ),
    )
    with op.batch_alter_table("expectedexception", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expectedexception_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("expectedexception", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expectedexception_team_id"))
    op.drop_table("expectedexception")
    with op.batch_alter_table("agreementchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreementchange_team_id"))
    op.drop_table("agreementchange")
    op.drop_table("teamagreement")
