"""activity owner and description digest

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:37:08.236750

activity.employee_id repeats the owner of the report and activity.description_hash holds the
first 16 hex digits of the description's SHA-256 (NULL while empty), so the team view looks
up an employee's earlier identical descriptions through one index.

On SQLite, making employee_id NOT NULL recreates the table; dropping the old one with foreign
keys on (they cannot be switched off inside the migration's transaction) deletes the evidence
rows through their ON DELETE CASCADE, so those are kept aside and put back.
"""

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _digest(text: str) -> str:
    # Frozen copy of storage.models.description_digest, so this migration never changes.
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _backfill_hashes() -> None:
    bind = op.get_bind()
    select_batch = sa.text(
        "SELECT id, description FROM activity WHERE description != '' AND id > :after"
        " ORDER BY id LIMIT :size"
    )
    set_hash = sa.text("UPDATE activity SET description_hash = :digest WHERE id = :the_id")
    after = 0
    while rows := bind.execute(select_batch, {"after": after, "size": BATCH}).all():
        bind.execute(set_hash, [{"digest": _digest(text), "the_id": id_} for id_, text in rows])
        after = rows[-1][0]


@contextmanager
def _keeping_evidence() -> Iterator[None]:
    """Put back the evidence rows a SQLite table rebuild of `activity` cascades away."""
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    op.execute("CREATE TEMP TABLE evidence_kept AS SELECT * FROM evidence")
    yield
    op.execute(
        "INSERT INTO evidence SELECT * FROM evidence_kept"
        " WHERE id NOT IN (SELECT id FROM evidence)"
    )
    op.execute("DROP TABLE evidence_kept")


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('description_hash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))

    op.execute(
        "UPDATE activity SET employee_id ="
        " (SELECT employee_id FROM daily_report WHERE daily_report.id = activity.report_id)"
    )
    _backfill_hashes()

    with _keeping_evidence(), op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.alter_column('employee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_activity_employee_id_employee'), 'employee', ['employee_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_activity_employee_id_description_hash', ['employee_id', 'description_hash'], unique=False)


def downgrade() -> None:
    with _keeping_evidence(), op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_employee_id_description_hash')
        batch_op.drop_constraint(batch_op.f('fk_activity_employee_id_employee'), type_='foreignkey')
        batch_op.drop_column('description_hash')
        batch_op.drop_column('employee_id')
