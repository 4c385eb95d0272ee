"""file sizes at HEAD

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:35:00.000000

A binary file has no lines (`git log --numstat` prints "-" for it), so the pain map sizes its
box by the bytes the git collector now records for every file at HEAD. Rows collected before
hold 0 until the next collect refreshes them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("repofile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("size_bytes", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("repofile", schema=None) as batch_op:
        batch_op.drop_column("size_bytes")
