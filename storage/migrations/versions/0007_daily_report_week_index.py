"""daily report week index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:52:45.103521

Covering indexes for the week of reports of a whole team: /tim reads today's status and the
week's returns of every member from them without touching the table, through the first on
SQLite (member by member) and the second on PostgreSQL (a hash join with the days' reports).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.create_index('ix_daily_report_employee_id_work_date_status', ['employee_id', 'work_date', 'status'], unique=False)
        batch_op.create_index('ix_daily_report_work_date_status_employee_id', ['work_date', 'status', 'employee_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_report_work_date_status_employee_id')
        batch_op.drop_index('ix_daily_report_employee_id_work_date_status')

