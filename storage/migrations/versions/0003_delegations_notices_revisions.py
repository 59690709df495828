"""delegations, report notices, report revisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:25:01.510440
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('acting_id', sa.Integer(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acting_id'], ['employee.id'], name=op.f('fk_delegation_acting_id_employee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['employee.id'], name=op.f('fk_delegation_supervisor_id_employee'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation'))
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_acting_id'), ['acting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('report_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['employee.id'], name=op.f('fk_report_notice_recipient_id_employee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['daily_report.id'], name=op.f('fk_report_notice_report_id_daily_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_notice'))
    )
    with op.batch_alter_table('report_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_notice_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('report_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_notice_report_id'))

    op.drop_table('report_notice')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_acting_id'))

    op.drop_table('delegation')
