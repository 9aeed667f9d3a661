"""feed versions: a per-roadmap change counter, an occurrence index for aggregates, a covering per-organization index, a roadmap-year index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import roadmap.models.base


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('feed_changed_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(
            'ix_task_occurrence',
            ['roadmap_id', 'measure_id', 'occurrence_key', 'due_effective_on', 'start_on', 'due_on', 'plan_year', 'label', 'status', 'is_cancelled'],
            unique=False,
        )
        batch_op.drop_index('ix_task_org_due')
        batch_op.create_index(
            'ix_task_org_due',
            ['organization_id', 'due_effective_on', 'roadmap_id', 'measure_id', 'sequence', 'updated_at', 'id'],
            unique=False,
        )
        batch_op.create_index('ix_task_roadmap_year', ['roadmap_id', 'plan_year'], unique=False)


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_roadmap_year')
        batch_op.drop_index('ix_task_org_due')
        batch_op.create_index('ix_task_org_due', ['organization_id', 'due_effective_on'], unique=False)
        batch_op.drop_index('ix_task_occurrence')

    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.drop_column('feed_changed_at')
        batch_op.drop_column('feed_version')
