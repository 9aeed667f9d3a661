"""feeds: a per-task date sequence (SEQUENCE of aggregated occurrences), and the occurrence index covering what aggregated feeds read per task

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OLD_OCCURRENCE = [
    'roadmap_id', 'measure_id', 'occurrence_key', 'due_effective_on', 'start_on', 'due_on', 'plan_year', 'label',
    'status', 'is_cancelled',
]
# An aggregated feed groups by is_not_applicable too (a "not applicable" claim on review or accepted
# leaves the applicable), and reads each occurrence's last change and date sequence: all in the
# index, so the grouping still neither sorts nor visits the table.
NEW_OCCURRENCE = [*OLD_OCCURRENCE, 'is_not_applicable', 'date_sequence', 'updated_at']


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_occurrence')
        batch_op.create_index('ix_task_occurrence', NEW_OCCURRENCE, unique=False)


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_occurrence')
        batch_op.create_index('ix_task_occurrence', OLD_OCCURRENCE, unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('date_sequence')
