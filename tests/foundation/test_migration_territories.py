"""The territories migration: a one-municipality database becomes one municipality of one region,
and goes back; on SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roadmap.extensions import db
from tests.conftest import database_revision, migration_revisions

MINE, BEFORE = migration_revisions("_region_territories.py")

_ROWS_BEFORE = [
    "INSERT INTO organization (id, full_name, short_name, kind, municipality, is_active) VALUES"
    " (1, 'Школа 1', 'СОШ № 1', 'school', 'г. Краснодар', TRUE),"
    " (2, 'Школа 2', 'СОШ № 2', 'school', ' г.  Краснодар ', TRUE),"
    " (3, 'Колледж', 'Колледж', 'college', NULL, TRUE),"
    " (4, 'Вуз', 'Вуз', 'university', '', TRUE)",
    "INSERT INTO org_group (id, name, kind, municipality) VALUES (1, 'ОО г. Краснодар', 'school', 'г. Краснодар'),"
    " (2, 'СПО', 'college', NULL)",
    "INSERT INTO user_account (id, login, full_name, password_hash, role, organization_id, is_active)"
    " VALUES (1, 'coord', 'Координатор', 'x', 'coordinator', NULL, TRUE), (2, 'school1', 'A', 'x', 'executor', 1, TRUE)",
    "INSERT INTO roadmap (id, title, period_start, period_end, year_type, shift_rule, status, updated_at, feed_version)"
    " VALUES (1, 'Карта', '2025-09-01', '2026-08-31', 'academic', 'previous', 'published', '2026-01-01 00:00:00+00', 0)",
]


@pytest.fixture
def before_territories(database_at):
    return database_at(BEFORE)


def _territories(conn) -> dict:
    return {
        "regions": conn.execute(text("SELECT name FROM region")).scalars().all(),
        "municipalities": conn.execute(text("SELECT name, sort_key <> '' FROM municipality")).all(),
        "organizations": conn.execute(
            text(
                "SELECT o.id, m.name, o.region_id IS NOT NULL FROM organization o"
                " LEFT JOIN municipality m ON m.id = o.municipality_id ORDER BY o.id"
            )
        ).all(),
        "groups": conn.execute(
            text(
                "SELECT g.name, m.name FROM org_group g LEFT JOIN municipality m ON m.id = g.municipality_id ORDER BY g.id"
            )
        ).all(),
        # Nobody sees less than before: coordinators and roadmaps stay regional.
        "scoped": conn.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM user_account WHERE municipality_id IS NOT NULL)"
                " + (SELECT COUNT(*) FROM roadmap WHERE municipality_id IS NOT NULL)"
            )
        ).scalar_one(),
    }


def test_one_municipality_becomes_one_municipality_of_one_region_and_back(before_territories):
    with db.engine.begin() as conn:
        for sql in _ROWS_BEFORE:
            conn.execute(text(sql))
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == MINE
        converted = _territories(conn)
        assert converted == {
            "regions": ["Регион"],
            "municipalities": [("г. Краснодар", True)],  # two spellings, one municipality
            "organizations": [(1, "г. Краснодар", True), (2, "г. Краснодар", True), (3, None, True), (4, None, True)],
            "groups": [("ОО г. Краснодар", "г. Краснодар"), ("СПО", None)],
            "scoped": 0,
        }
        assert "municipality" not in {c["name"] for c in inspect(conn).get_columns("organization")}
        # A municipality belongs to a region; the same name twice in one region is refused.
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("INSERT INTO municipality (region_id, name) VALUES (999, 'Нигде')"))
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("INSERT INTO municipality (region_id, name) SELECT region_id, name FROM municipality"))

    # The models read the converted rows: the group still holds the city's schools. The models
    # are head's, so the later migrations run first (their columns are the models' too).
    from roadmap.directory.service import group_members

    upgrade()

    members = group_members({1, 2})
    assert members == {1: {1, 2}, 2: {3}}
    db.session.rollback()

    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == BEFORE
        tables = set(inspect(conn).get_table_names())
        assert not {"region", "municipality"} & tables
        names = conn.execute(text("SELECT id, municipality FROM organization ORDER BY id")).all()
        assert names == [(1, "г. Краснодар"), (2, "г. Краснодар"), (3, None), (4, None)]
        groups = conn.execute(text("SELECT municipality FROM org_group ORDER BY id")).scalars().all()
        assert groups == ["г. Краснодар", None]
        assert "municipality_id" not in {c["name"] for c in inspect(conn).get_columns("user_account")}

    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert _territories(conn) == converted


def test_an_empty_database_gets_no_region_until_it_needs_one(before_territories):
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM region")).scalar_one() == 0
    from roadmap.directory.territory import municipality_named
    from roadmap.models import Organization, OrgKind

    city = municipality_named("г. Сочи", oktmo="03726000")
    school = Organization(full_name="Школа", short_name="Школа", kind=OrgKind.SCHOOL, municipality=city)
    college = Organization(full_name="Колледж", short_name="Колледж", kind=OrgKind.COLLEGE)
    db.session.add_all([school, college])
    db.session.flush()
    assert school.region_id == city.region_id == college.region_id
    assert city.region.name == "Регион"
    db.session.rollback()
