"""service counters and survey responses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:15:41.212608

Counters of the citizens' survey (SKM) and their responses, one per citizen (an HMAC of the
Telegram id, never the id) per counter per local day.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quick', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_service_counter_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_counter'))
    )
    with op.batch_alter_table('service_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_counter_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_service_counter_unit_id'), ['unit_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('respondent_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('quick', sa.Boolean(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('u1', sa.Integer(), nullable=True),
    sa.Column('u2', sa.Integer(), nullable=True),
    sa.Column('u3', sa.Integer(), nullable=True),
    sa.Column('u4', sa.Integer(), nullable=True),
    sa.Column('u5', sa.Integer(), nullable=True),
    sa.Column('u6', sa.Integer(), nullable=True),
    sa.Column('u7', sa.Integer(), nullable=True),
    sa.Column('u8', sa.Integer(), nullable=True),
    sa.Column('u9', sa.Integer(), nullable=True),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('age_band', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('started_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('answered_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['service_counter.id'], name=op.f('fk_survey_response_counter_id_service_counter'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_survey_response_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('counter_id', 'respondent_key', 'local_date', name=op.f('uq_survey_response_counter_id_respondent_key_local_date'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_respondent_key_stage', ['respondent_key', 'stage'], unique=False)
        batch_op.create_index('ix_survey_response_unit_id_local_date', ['unit_id', 'local_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_unit_id_local_date')
        batch_op.drop_index('ix_survey_response_respondent_key_stage')

    op.drop_table('survey_response')
    with op.batch_alter_table('service_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_counter_unit_id'))
        batch_op.drop_index(batch_op.f('ix_service_counter_code'))

    op.drop_table('service_counter')
