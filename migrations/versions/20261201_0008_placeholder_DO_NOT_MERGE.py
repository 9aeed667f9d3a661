"""placeholder for 0008 (closed vocabularies, written on another branch): DO NOT MERGE

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:00:00.000000

"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
