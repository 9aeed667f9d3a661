"""feed changes: which measures' tasks each advance of a roadmap's feed counter touched

An aggregated feed keeps its rows per roadmap and measure; after a school's report it groups
again only the measures whose tasks changed since, read from this log, instead of the whole
roadmap. A row without a measure stands for "anything may have changed". Existing roadmaps
have no rows: their next change, or a counter with a gap in the log, means grouping them whole.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 01:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("feed_version", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmap.id"], name=op.f("fk_feed_change_roadmap_id_roadmap"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_change")),
    )
    with op.batch_alter_table("feed_change", schema=None) as batch_op:
        batch_op.create_index("ix_feed_change_roadmap_version", ["roadmap_id", "feed_version"], unique=False)


def downgrade():
    with op.batch_alter_table("feed_change", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_change_roadmap_version")
    op.drop_table("feed_change")
