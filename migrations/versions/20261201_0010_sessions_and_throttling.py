"""sessions and throttling: a per-user session generation, revoked sessions, failed-login throttling

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import roadmap.models.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "revoked_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_revoked_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_revoked_session")),
    )
    with op.batch_alter_table("revoked_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_session_revoked_at"), ["revoked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_revoked_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_throttle",
        sa.Column("login_key", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_failed_at", roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", roadmap.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", roadmap.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("login_key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttle_last_failed_at"), ["last_failed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_throttle_locked_until"), ["locked_until"], unique=False)


def downgrade():
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_locked_until"))
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_failed_at"))
    op.drop_table("login_throttle")

    with op.batch_alter_table("revoked_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revoked_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_revoked_session_revoked_at"))
    op.drop_table("revoked_session")

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
