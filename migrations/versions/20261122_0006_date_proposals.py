"""date proposals: executors propose dates for measures left to their own schedule

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 20:21:49.559473

"""
from alembic import op
import sqlalchemy as sa

import roadmap.models.base


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('date_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('dates', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'confirmed', 'rejected', 'superseded', name='proposal_status', native_enum=False, length=20), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_date_proposal_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_date_proposal_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_date_proposal_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_date_proposal_proposed_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_date_proposal'))
    )
    with op.batch_alter_table('date_proposal', schema=None) as batch_op:
        batch_op.create_index('ix_date_proposal_measure_org', ['measure_id', 'organization_id'], unique=False)
        batch_op.create_index('ix_date_proposal_status', ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('date_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_date_proposal_status')
        batch_op.drop_index('ix_date_proposal_measure_org')

    op.drop_table('date_proposal')
