"""slack people and teams

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:45:00.000000

A person's Slack member id (from the people file, or looked up by email with the time of the
lookup, so a miss is not asked again every run) and a team's Slack channel for team nudges.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("slack_checked_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slack_channel", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("slack_channel")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("slack_checked_at")
        batch_op.drop_column("slack_user_id")
