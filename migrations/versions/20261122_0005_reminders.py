"""reminders: per-user settings and the log that keeps a digest from being sent twice

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:35:49.541013

"""
from alembic import op
import sqlalchemy as sa

import roadmap.models.base


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('task_count', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_log_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
    sa.UniqueConstraint('user_id', 'kind', 'sent_on', name=op.f('uq_reminder_log_user_id'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_log_sent_on'), ['sent_on'], unique=False)

    op.create_table('reminder_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('days_before', sa.Integer(), server_default='3', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_setting_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_setting')),
    sa.UniqueConstraint('user_id', name=op.f('uq_reminder_setting_user_id'))
    )


def downgrade():
    op.drop_table('reminder_setting')
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_log_sent_on'))

    op.drop_table('reminder_log')
