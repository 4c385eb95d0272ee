"""index runs by branch

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:30:00.000000

The one CI query path finds the runs a person may own by actor, head SHA and head branch
(their PRs' branches); each is an indexed lookup.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflowrun", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflowrun_head_branch"), ["head_branch"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workflowrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflowrun_head_branch"))
