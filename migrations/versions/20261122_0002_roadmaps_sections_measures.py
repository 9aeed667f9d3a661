"""roadmaps sections measures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:26:48.147926

"""
from alembic import op
import sqlalchemy as sa

import roadmap.models.base


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('roadmap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_organization_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('year_type', sa.String(length=10), server_default='calendar', nullable=False),
    sa.Column('shift_rule', sa.String(length=10), server_default='next', nullable=False),
    sa.Column('timezone', sa.String(length=64), server_default='Europe/Moscow', nullable=False),
    sa.Column('academic_calendar', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'archived', name='roadmap_status', native_enum=False, length=20), server_default='draft', nullable=False),
    sa.Column('source_filename', sa.String(length=300), nullable=True),
    sa.Column('previous_roadmap_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_roadmap_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organization.id'], name=op.f('fk_roadmap_owner_organization_id_organization')),
    sa.ForeignKeyConstraint(['previous_roadmap_id'], ['roadmap.id'], name=op.f('fk_roadmap_previous_roadmap_id_roadmap'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap'))
    )
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_owner_organization_id'), ['owner_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_status'), ['status'], unique=False)

    op.create_table('section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], name=op.f('fk_section_roadmap_id_roadmap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section')),
    sa.UniqueConstraint('roadmap_id', 'number', name=op.f('uq_section_roadmap_id'))
    )
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_roadmap_id'), ['roadmap_id'], unique=False)

    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('deadline_text', sa.Text(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=True),
    sa.Column('schedule_kind', sa.String(length=30), server_default='unparsed', nullable=False),
    sa.Column('manual_dates', sa.JSON(), nullable=True),
    sa.Column('responsible_text', sa.Text(), nullable=False),
    sa.Column('has_no_executor', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_removed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], name=op.f('fk_measure_roadmap_id_roadmap'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], name=op.f('fk_measure_section_id_section'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure')),
    sa.UniqueConstraint('roadmap_id', 'number', name=op.f('uq_measure_roadmap_id'))
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_section_id'), ['section_id'], unique=False)

    op.create_table('measure_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['org_group.id'], name=op.f('fk_measure_party_group_id_org_group'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_party_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_measure_party_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_party'))
    )
    with op.batch_alter_table('measure_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_party_measure_id'), ['measure_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('measure_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_party_measure_id'))

    op.drop_table('measure_party')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_section_id'))
        batch_op.drop_index(batch_op.f('ix_measure_roadmap_id'))

    op.drop_table('measure')
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_roadmap_id'))

    op.drop_table('section')
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_status'))
        batch_op.drop_index(batch_op.f('ix_roadmap_owner_organization_id'))

    op.drop_table('roadmap')
    
