"""analysis: the coordinator's conclusions per section and for the whole year-end report

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import roadmap.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_conclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmap.id"], name=op.f("fk_report_conclusion_roadmap_id_roadmap"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_report_conclusion_section_id_section"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_conclusion_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_conclusion")),
        sa.UniqueConstraint("roadmap_id", "plan_year", "part", name=op.f("uq_report_conclusion_roadmap_id")),
    )
    with op.batch_alter_table("report_conclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_conclusion_roadmap_id"), ["roadmap_id"], unique=False)


def downgrade():
    with op.batch_alter_table("report_conclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_conclusion_roadmap_id"))
    op.drop_table("report_conclusion")
