"""task queue: Procrastinate's schema on PostgreSQL; the home-made collectjob table goes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:00:00.000000

Procrastinate's schema is the one shipped by the pinned minor version (pyproject.toml:
procrastinate>=3.10,<3.11). On SQLite the queue lives in the worker's memory, so this
revision only drops collectjob there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _run_script(script: str) -> None:
    """A whole SQL script in this migration's transaction, on the driver's own cursor: without
    parameters psycopg sends it as written (its `%` signs are not placeholders)."""
    cursor = op.get_bind().connection.cursor()
    try:
        cursor.execute(script)
    finally:
        cursor.close()


def upgrade() -> None:
    with op.batch_alter_table("collectjob", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collectjob_status"))
    op.drop_table("collectjob")
    if _postgres():
        from procrastinate.schema import SchemaManager

        _run_script(SchemaManager.get_schema())


# Every object Procrastinate's schema creates carries its prefix: tables (with their
# sequences, indexes and triggers), then functions, then types.
_DROP_PROCRASTINATE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                  JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                   AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END $$;
"""


def downgrade() -> None:
    if _postgres():
        _run_script(_DROP_PROCRASTINATE)
    op.create_table(
        "collectjob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collectjob")),
        sa.UniqueConstraint("source", "target", name=op.f("uq_collectjob_source_target")),
    )
    with op.batch_alter_table("collectjob", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collectjob_status"), ["status"], unique=False)
