"""cascade: a municipal measure carries out a regional one; groups of municipal organizations only

Measure.parent_measure_id links a municipal roadmap's measure to the regional measure it fans
out; OrgGroup.is_municipal_only makes «все муниципальные центры» leave out the region's own
organizations of the same kind. Nothing existing changes meaning: no measure has a parent, no
group is municipal only.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("measure") as batch:
        batch.add_column(sa.Column("parent_measure_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_measure_parent_measure_id_measure"), "measure", ["parent_measure_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(batch.f("ix_measure_parent_measure_id"), ["parent_measure_id"])
    with op.batch_alter_table("org_group") as batch:
        batch.add_column(sa.Column("is_municipal_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("org_group") as batch:
        batch.drop_column("is_municipal_only")
    with op.batch_alter_table("measure") as batch:
        batch.drop_index(batch.f("ix_measure_parent_measure_id"))
        batch.drop_constraint(batch.f("fk_measure_parent_measure_id_measure"), type_="foreignkey")
        batch.drop_column("parent_measure_id")
