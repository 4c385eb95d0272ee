"""person nudge hours

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:00:00.000000

A person's own hours for Slack nudges (`nudge_hours:` in the people file, e.g. a part-time
"09:00-13:00"); without them the team's `nudge_hours` agreement or GEMBA_NUDGES_WORKING_HOURS.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nudge_hours", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("nudge_hours")
