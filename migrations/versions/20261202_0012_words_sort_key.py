"""natural sort keys of organizations and users

organization.sort_key and user_account.sort_key hold
roadmap.russian.natural_key of the short name and of the login, so that lists sorted and paginated
in SQL put СОШ № 2 before СОШ № 10 and school2 before school10

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 08:00:00.000000

If natural_key's encoding ever changes, a new migration must refill both columns.
"""

import sqlalchemy as sa
from alembic import op

from roadmap.russian import natural_key

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (table, the column the key is made from)
KEYED = (("organization", "short_name"), ("user_account", "login"))


def _key_type():
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade():
    conn = op.get_bind()
    for table, source in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sort_key", _key_type(), server_default="", nullable=False))
        t = sa.table(table, sa.column("id", sa.Integer), sa.column(source, sa.String), sa.column("sort_key", sa.Text))
        rows = conn.execute(sa.select(t.c.id, t.c[source])).all()
        if rows:
            conn.execute(
                t.update().where(t.c.id == sa.bindparam("row_id")).values(sort_key=sa.bindparam("key")),
                [{"row_id": row_id, "key": natural_key(value)} for row_id, value in rows],
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_sort_key"), ["sort_key"], unique=False)


def downgrade():
    for table, _source in reversed(KEYED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_sort_key"))
            batch_op.drop_column("sort_key")
