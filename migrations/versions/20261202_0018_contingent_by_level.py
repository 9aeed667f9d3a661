"""contingent by education level only (level_count)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 19:00:00.000000

A school that knows its students by level (НОО, ООО, СОО) but not by grade keeps a level total
here; a level has grades (grade_count) or a level total, never both, and
Organization.student_count stays the sum of both. Downgrading drops the level totals: the
total stays in student_count, so nothing counted is lost, only the split by level.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "level_count",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=3), nullable=False),
        sa.Column("students", sa.Integer(), nullable=False),
        sa.CheckConstraint("level IN ('НОО', 'ООО', 'СОО')", name=op.f("ck_level_count_level_known")),
        sa.CheckConstraint("students >= 0", name=op.f("ck_level_count_students_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_level_count_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "level", name=op.f("pk_level_count")),
    )


def downgrade():
    op.drop_table("level_count")
