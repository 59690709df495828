"""indicators and daily reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:05:38.777338
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('daily_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['employee.id'], name=op.f('fk_daily_report_decided_by_id_employee'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_daily_report_employee_id_employee'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_report')),
    sa.UniqueConstraint('employee_id', 'work_date', name=op.f('uq_daily_report_employee_id_work_date'))
    )
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.create_index('ix_daily_report_status_employee_id', ['status', 'employee_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('q1', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('q2', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('q3', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('q4', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_indicator_employee_id_employee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['indicator.id'], name=op.f('fk_indicator_parent_id_indicator'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('employee_id', 'year', 'code', name=op.f('uq_indicator_employee_id_year_code'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_parent_id'), ['parent_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_activity_indicator_id_indicator'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['daily_report.id'], name=op.f('fk_activity_report_id_daily_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_report_id'), ['report_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('file_unique_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('caption', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_evidence_activity_id_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('activity_id', 'file_unique_id', name=op.f('uq_evidence_activity_id_file_unique_id'))
    )


def downgrade() -> None:
    op.drop_table('evidence')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_report_id'))
        batch_op.drop_index(batch_op.f('ix_activity_indicator_id'))

    op.drop_table('activity')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_parent_id'))

    op.drop_table('indicator')
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_report_status_employee_id')

    op.drop_table('daily_report')
