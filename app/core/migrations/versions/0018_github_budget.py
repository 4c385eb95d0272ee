"""github budget: one token's rate budget shared by every worker

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "githubbudget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("reset_epoch", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_githubbudget")),
        sa.UniqueConstraint("key", name=op.f("uq_githubbudget_key")),
    )


def downgrade() -> None:
    op.drop_table("githubbudget")
