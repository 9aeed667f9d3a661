"""contingent by grade (grade_count) and targets of measures (measure_target)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00.000000

Organization.student_count stays the total; it is kept equal to the sum of the grades by the
service whenever grades are given, so existing totals remain meaningful without grades.
"""

import sqlalchemy as sa
from alembic import op

import roadmap.models.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TARGET_KINDS = ("participants", "band_share", "contingent_share", "events", "org_share")


def upgrade():
    op.create_table(
        "grade_count",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("students", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 11", name=op.f("ck_grade_count_grade_in_school")),
        sa.CheckConstraint("students >= 0", name=op.f("ck_grade_count_students_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_grade_count_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "grade", name=op.f("pk_grade_count")),
    )
    op.create_table(
        "measure_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("plan_year", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(*TARGET_KINDS, name="target_kind", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column("planned", sa.Float(), nullable=True),
        sa.Column("grade_from", sa.Integer(), nullable=True),
        sa.Column("grade_to", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(kind IS NULL) = (planned IS NULL)", name=op.f("ck_measure_target_kind_with_value")),
        sa.CheckConstraint(
            "(grade_from IS NULL) = (grade_to IS NULL)", name=op.f("ck_measure_target_band_complete")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_measure_target_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_target")),
        sa.UniqueConstraint("measure_id", "plan_year", name=op.f("uq_measure_target_measure_id")),
    )
    with op.batch_alter_table("measure_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_target_measure_id"), ["measure_id"], unique=False)


def downgrade():
    with op.batch_alter_table("measure_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_target_measure_id"))
    op.drop_table("measure_target")
    op.drop_table("grade_count")
