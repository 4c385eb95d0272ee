"""flag public ids, follow hashes and answer threads

Every flag gets a random public id (its row id counts up, and would place an anonymous flag
between its neighbours in time). Answers become a thread: each existing answer is copied into
`flaganswer` with its author and time, so nothing stored before is lost. The flag keeps its
latest answer for listings. `follow_hash` lets an anonymous flag's author read its answers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:45:00
"""

import base64
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _public_id() -> str:
    """As app.core.models.flags.new_public_id (a migration must not import the app)."""
    return base64.b32encode(secrets.token_bytes(8)).decode("ascii").rstrip("=").lower()


def upgrade() -> None:
    op.create_table('flaganswer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_flaganswer_author_id_person')),
    sa.ForeignKeyConstraint(['flag_id'], ['frictionflag.id'], name=op.f('fk_flaganswer_flag_id_frictionflag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flaganswer'))
    )
    op.create_index(op.f('ix_flaganswer_flag_id'), 'flaganswer', ['flag_id'], unique=False)
    with op.batch_alter_table('frictionflag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True))
        batch_op.add_column(sa.Column('follow_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    connection = op.get_bind()
    flags = sa.table('frictionflag', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    ids = connection.execute(sa.select(flags.c.id)).scalars().all()
    if ids:
        connection.execute(
            flags.update().where(flags.c.id == sa.bindparam('row_id')).values(public_id=sa.bindparam('new_id')),
            [{'row_id': row_id, 'new_id': _public_id()} for row_id in ids],
        )
    connection.execute(sa.text(
        "INSERT INTO flaganswer (flag_id, author_id, body, created_at) "
        "SELECT id, answered_by_id, answer, COALESCE(answered_at, created_at) "
        "FROM frictionflag WHERE answer IS NOT NULL ORDER BY id"
    ))

    with op.batch_alter_table('frictionflag', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False)
        batch_op.create_index(batch_op.f('ix_frictionflag_follow_hash'), ['follow_hash'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_frictionflag_public_id'), ['public_id'])


def downgrade() -> None:
    # The flag keeps its latest answer, so going back loses only the earlier ones of a thread.
    with op.batch_alter_table('frictionflag', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_frictionflag_public_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_frictionflag_follow_hash'))
        batch_op.drop_column('follow_hash')
        batch_op.drop_column('public_id')
    op.drop_index(op.f('ix_flaganswer_flag_id'), table_name='flaganswer')
    op.drop_table('flaganswer')
