"""occurrence rows: how many tally rows each occurrence has

A tally row of an occurrence of one row is that whole occurrence under any window or plan
year, so a big aggregated feed chooses the occurrences near today in the database and merges
only the occurrences whose tasks differ in dates. Filled here from the tallies as they are; 0
stands for "not known" (a row written by an older version during the upgrade) and is merged
like an occurrence of several rows.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("occurrence_tally", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occurrence_rows", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE occurrence_tally SET occurrence_rows = (SELECT COUNT(*) FROM occurrence_tally AS other "
        "WHERE other.roadmap_id = occurrence_tally.roadmap_id AND other.measure_id = occurrence_tally.measure_id "
        "AND other.occurrence_key = occurrence_tally.occurrence_key)"
    )


def downgrade():
    with op.batch_alter_table("occurrence_tally", schema=None) as batch_op:
        batch_op.drop_column("occurrence_rows")
