"""delivery: deployments, deployed commits and pull requests, failures; PR merge commits

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliveryfailure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("html_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deployment_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("reverted_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repository.id"],
            name=op.f("fk_deliveryfailure_repository_id_repository"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveryfailure")),
        sa.UniqueConstraint(
            "repository_id", "ref", name=op.f("uq_deliveryfailure_repository_id_ref")
        ),
    )
    with op.batch_alter_table("deliveryfailure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveryfailure_repository_id"), ["repository_id"], unique=False
        )

    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("environment", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sha", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("html_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repository.id"],
            name=op.f("fk_deployment_repository_id_repository"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
        sa.UniqueConstraint("repository_id", "key", name=op.f("uq_deployment_repository_id_key")),
    )
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deployment_deployed_at"), ["deployed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deployment_repository_id"), ["repository_id"], unique=False
        )

    op.create_table(
        "deployedcommit",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("sha", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployment.id"],
            name=op.f("fk_deployedcommit_deployment_id_deployment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deployment_id", "sha", name=op.f("pk_deployedcommit")),
    )
    with op.batch_alter_table("deployedcommit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployedcommit_sha"), ["sha"], unique=False)

    op.create_table(
        "deployedpull",
        sa.Column("pull_request_id", sa.BigInteger(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployment.id"],
            name=op.f("fk_deployedpull_deployment_id_deployment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pull_request_id"],
            ["pullrequest.id"],
            name=op.f("fk_deployedpull_pull_request_id_pullrequest"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pull_request_id", name=op.f("pk_deployedpull")),
    )
    with op.batch_alter_table("deployedpull", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deployedpull_deployment_id"), ["deployment_id"], unique=False
        )

    with op.batch_alter_table("pullrequest", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "merge_commit_sha", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_pullrequest_merge_commit_sha"), ["merge_commit_sha"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pullrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pullrequest_merge_commit_sha"))
        batch_op.drop_column("merge_commit_sha")

    with op.batch_alter_table("deployedpull", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployedpull_deployment_id"))

    op.drop_table("deployedpull")
    with op.batch_alter_table("deployedcommit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployedcommit_sha"))

    op.drop_table("deployedcommit")
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_repository_id"))
        batch_op.drop_index(batch_op.f("ix_deployment_deployed_at"))

    op.drop_table("deployment")
    with op.batch_alter_table("deliveryfailure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveryfailure_repository_id"))

    op.drop_table("deliveryfailure")
