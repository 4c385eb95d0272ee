"""github ids of people and teams

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:15:00.000000

`gemba people sync --org` keys people and teams by GitHub's ids, so a renamed login or team
updates the row it already made instead of making a second one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("person", "team"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("github_id", sa.BigInteger(), nullable=True))
            batch_op.create_unique_constraint(op.f(f"uq_{table}_github_id"), ["github_id"])


def downgrade() -> None:
    for table in ("team", "person"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_github_id"), type_="unique")
            batch_op.drop_column("github_id")
