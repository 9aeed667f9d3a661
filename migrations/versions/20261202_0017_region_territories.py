"""territories: regions and municipalities; organizations, groups, roadmaps and users get one

Organization.municipality and OrgGroup.municipality (free text) become references to municipality
rows of one region: each distinct name becomes a municipality. Every existing organization belongs
to that region; organizations without a municipality belong to the region itself. Roadmaps and
coordinators stay regional (municipality_id NULL), so nobody sees less than before.

Downgrade writes the municipality names back into the text columns; the territories of roadmaps
and users are forgotten (there was no such thing before).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from roadmap.russian import natural_key

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The name an upgraded database's region gets; the administrator renames it (flask territories).
REGION_NAME = "Регион"

# table → the columns of a territory it gets
TERRITORY_COLUMNS = (
    ("organization", ("municipality_id", "region_id")),
    ("org_group", ("municipality_id",)),
    ("roadmap", ("municipality_id",)),
    ("user_account", ("municipality_id",)),
)


def _key_type():
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _created_at():
    import roadmap.models.base

    return sa.Column(
        "created_at", roadmap.models.base.UTCDateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade():
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("oktmo", sa.String(length=11), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("name", name=op.f("uq_region_name")),
        sa.UniqueConstraint("oktmo", name=op.f("uq_region_oktmo")),
    )
    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_key", _key_type(), server_default="", nullable=False),
        sa.Column("oktmo", sa.String(length=11), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_municipality_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("oktmo", name=op.f("uq_municipality_oktmo")),
        sa.UniqueConstraint("region_id", "name", name=op.f("uq_municipality_region_id")),
    )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_municipality_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_municipality_sort_key"), ["sort_key"], unique=False)

    for table, columns in TERRITORY_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                target = column.removesuffix("_id")
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
                batch_op.create_foreign_key(batch_op.f(f"fk_{table}_{column}_{target}"), target, [column], ["id"])

    conn = op.get_bind()
    org = sa.table(
        "organization",
        sa.column("id", sa.Integer),
        sa.column("municipality", sa.String),
        sa.column("municipality_id", sa.Integer),
        sa.column("region_id", sa.Integer),
    )
    group = sa.table(
        "org_group", sa.column("id", sa.Integer), sa.column("municipality", sa.String), sa.column("municipality_id")
    )
    region = sa.table("region", sa.column("id", sa.Integer), sa.column("name", sa.String))
    municipality = sa.table(
        "municipality",
        sa.column("id", sa.Integer),
        sa.column("region_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("sort_key", sa.Text),
    )
    has_orgs = conn.execute(sa.select(sa.func.count()).select_from(org)).scalar_one()
    has_groups = conn.execute(sa.select(sa.func.count()).select_from(group)).scalar_one()
    if has_orgs or has_groups:
        conn.execute(region.insert().values(name=REGION_NAME))
        region_id = conn.execute(sa.select(region.c.id).where(region.c.name == REGION_NAME)).scalar_one()
        # The same name typed with other spaces is the same municipality.
        rows = {
            (row_id, table, " ".join((name or "").split()))
            for table in (org, group)
            for row_id, name in conn.execute(sa.select(table.c.id, table.c.municipality))
        }
        names = sorted({name for _id, _table, name in rows if name})
        if names:
            conn.execute(
                municipality.insert(),
                [{"region_id": region_id, "name": name, "sort_key": natural_key(name)} for name in names],
            )
        ids = dict(conn.execute(sa.select(municipality.c.name, municipality.c.id)).all())
        conn.execute(org.update().values(region_id=region_id))
        for table in (org, group):
            changes = [{"row_id": row_id, "place": ids[name]} for row_id, t, name in rows if t is table and name]
            if changes:
                conn.execute(
                    table.update()
                    .where(table.c.id == sa.bindparam("row_id"))
                    .values(municipality_id=sa.bindparam("place")),
                    changes,
                )

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_municipality")
        batch_op.drop_column("municipality")
    with op.batch_alter_table("org_group", schema=None) as batch_op:
        batch_op.drop_column("municipality")


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_organization_municipality", ["municipality"], unique=False)
    with op.batch_alter_table("org_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality", sa.String(length=200), nullable=True))

    conn = op.get_bind()
    municipality = sa.table("municipality", sa.column("id", sa.Integer), sa.column("name", sa.String))
    for name in ("organization", "org_group"):
        table = sa.table(name, sa.column("municipality", sa.String), sa.column("municipality_id", sa.Integer))
        conn.execute(
            table.update().values(
                municipality=sa.select(municipality.c.name)
                .where(municipality.c.id == table.c.municipality_id)
                .scalar_subquery()
            )
        )

    for table, columns in reversed(TERRITORY_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                target = column.removesuffix("_id")
                batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_{target}"), type_="foreignkey")
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
                batch_op.drop_column(column)
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_municipality_sort_key"))
        batch_op.drop_index(batch_op.f("ix_municipality_region_id"))
    op.drop_table("municipality")
    op.drop_table("region")
