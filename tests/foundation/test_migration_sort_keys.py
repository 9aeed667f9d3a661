"""Migration 0011 fills the natural sort keys of existing organizations and users, and goes back."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from roadmap.extensions import db
from roadmap.russian import natural_key
from tests.conftest import database_revision

_ROWS_AT_0011 = [
    "INSERT INTO organization (id, full_name, short_name, kind, is_active) VALUES"
    " (1, 'Школа 10', 'СОШ № 10', 'school', TRUE), (2, 'Школа 1', 'СОШ № 1', 'school', TRUE),"
    " (3, 'Школа 2', 'СОШ № 2', 'school', TRUE)",
    "INSERT INTO user_account (id, login, full_name, password_hash, role, organization_id, is_active)"
    " VALUES (1, 'school10', 'A', 'x', 'executor', 1, TRUE), (2, 'school2', 'B', 'x', 'executor', 3, TRUE)",
]


@pytest.fixture
def at_0011(database_at):
    return database_at("0011")


def test_sort_keys_are_filled_and_removed(at_0011):
    with db.engine.begin() as conn:
        for sql in _ROWS_AT_0011:
            conn.execute(text(sql))
    upgrade(revision="0012")
    with db.engine.begin() as conn:
        assert database_revision(conn) == "0012"
        orgs = conn.execute(text("SELECT short_name, sort_key FROM organization ORDER BY sort_key")).all()
        assert [name for name, _key in orgs] == ["СОШ № 1", "СОШ № 2", "СОШ № 10"]
        assert all(key == natural_key(name) for name, key in orgs)
        logins = conn.execute(text("SELECT login FROM user_account ORDER BY sort_key")).scalars().all()
        assert logins == ["school2", "school10"]
        # A row inserted by hand without the key still gets one (the server default), not NULL.
        conn.execute(text("INSERT INTO organization (id, full_name, short_name, kind) VALUES (4, 'X', 'X', 'school')"))
        assert conn.execute(text("SELECT sort_key FROM organization WHERE short_name = 'X'")).scalar_one() == ""
    downgrade(revision="0011")
    with db.engine.begin() as conn:
        assert database_revision(conn) == "0011"
        for table in ("organization", "user_account"):
            assert "sort_key" not in {c["name"] for c in inspect(conn).get_columns(table)}
        assert conn.execute(text("SELECT COUNT(*) FROM organization")).scalar_one() == 4
