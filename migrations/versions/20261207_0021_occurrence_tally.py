"""occurrence tallies: what each measure's tasks of one occurrence add up to, by status

Aggregated feeds (a region's coordinator's: about 250,000 tasks) read these few thousand rows
instead of grouping every task when nothing is cached. Kept in step with the tasks by every
write (models.task.refresh_tallies); filled here from the tasks as they are.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from roadmap.models.base import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COUNTS = ("planned", "submitted", "returned", "accepted", "planned_na", "submitted_na", "returned_na", "accepted_na")
KEYS = ("roadmap_id", "measure_id", "occurrence_key", "due_effective_on", "start_on", "due_on", "plan_year", "label")


def upgrade():
    op.create_table(
        "occurrence_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sa.String(length=40), nullable=False),
        sa.Column("due_effective_on", sa.Date(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("date_sequence", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_updated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_occurrence_tally_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmap.id"], name=op.f("fk_occurrence_tally_roadmap_id_roadmap"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occurrence_tally")),
    )
    with op.batch_alter_table("occurrence_tally", schema=None) as batch_op:
        batch_op.create_index(
            "ix_occurrence_tally_occurrence", ["roadmap_id", "measure_id", "occurrence_key"], unique=False
        )
    # The feed_version the tallies are in step at (see Roadmap.tallied_version): an older
    # version of the application still serving during the upgrade writes tasks without counting
    # them, and leaves it behind.
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tallied_version", sa.Integer(), server_default="0", nullable=False))
    # The same grouping as models.task.refresh_tallies, written out: a migration must not change
    # when the model's code does.
    live = "is_cancelled = false"
    counts = ", ".join(
        f"SUM(CASE WHEN {live} AND status = '{name.removesuffix('_na')}' AND is_not_applicable = "
        f"{'true' if name.endswith('_na') else 'false'} THEN 1 ELSE 0 END)"
        for name in COUNTS
    )
    keys = ", ".join(KEYS)
    op.execute(
        f"INSERT INTO occurrence_tally ({keys}, {', '.join(COUNTS)}, date_sequence, updated_at, cancelled_updated_at) "
        f"SELECT {keys}, {counts}, MAX(CASE WHEN {live} THEN date_sequence END), "
        f"MAX(CASE WHEN {live} THEN updated_at END), MAX(CASE WHEN is_cancelled = true THEN updated_at END) "
        f"FROM task GROUP BY {keys}"
    )
    op.execute("UPDATE roadmap SET tallied_version = feed_version")


def downgrade():
    with op.batch_alter_table("occurrence_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_occurrence_tally_occurrence")
    op.drop_table("occurrence_tally")
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.drop_column("tallied_version")
