"""measures without tasks: the coordinator's reason for publishing a measure that creates none

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_tasks_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('no_tasks_reason')
