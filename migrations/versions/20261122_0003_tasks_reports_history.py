"""tasks reports history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:26:50.679835

"""
from alembic import op
import sqlalchemy as sa

import roadmap.models.base


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('read_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_key', sa.String(length=40), nullable=False),
    sa.Column('plan_year', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_effective_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'submitted', 'returned', 'accepted', name='task_status', native_enum=False, length=20), server_default='planned', nullable=False),
    sa.Column('is_not_applicable', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_cancelled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
    sa.Column('current_report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_task_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_task_organization_id_organization')),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], name=op.f('fk_task_roadmap_id_roadmap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task')),
    sa.UniqueConstraint('measure_id', 'organization_id', 'occurrence_key', name=op.f('uq_task_measure_id'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_org_due', ['organization_id', 'due_effective_on'], unique=False)
        batch_op.create_index('ix_task_roadmap_status', ['roadmap_id', 'status'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('is_not_applicable', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('coverage_total', sa.Integer(), nullable=True),
    sa.Column('coverage_students', sa.Integer(), nullable=True),
    sa.Column('coverage_parents', sa.Integer(), nullable=True),
    sa.Column('coverage_teachers', sa.Integer(), nullable=True),
    sa.Column('coverage_disabled', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_report_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_report_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_task_id'), ['task_id'], unique=False)

    op.create_table('transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_transition_task_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_transition_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transition'))
    )
    with op.batch_alter_table('transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transition_task_id'), ['task_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_attachment_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachment_stored_name'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_report_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transition_task_id'))

    op.drop_table('transition')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_task_id'))

    op.drop_table('report')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_roadmap_status')
        batch_op.drop_index('ix_task_org_due')

    op.drop_table('task')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_user_unread')

    op.drop_table('notice')
    
