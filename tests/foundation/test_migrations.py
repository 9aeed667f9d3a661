"""Migrations reach head on an empty database, agree with the models, and downgrade."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import database_revision, fresh_database_url, make_config, reset_database


def test_upgrade_check_and_downgrade_newest(tmp_path, migrated):
    # On PostgreSQL the session database is shared, so this test re-creates it at the end.
    url = fresh_database_url(tmp_path)
    reset_database(url)
    app = create_app(make_config(tmp_path, url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"organization", "user_account", "org_group", "alias", "audit_event"} <= tables
        # Models and migrations agree (what `flask db check` does).
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(revision="-1")
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


# --- 0008: closed vocabularies ----------------------------------------------------------------

_ROWS_AT_0007 = [
    "INSERT INTO organization (id, full_name, short_name, kind, is_active) VALUES (1, 'Школа № 1', 'Школа 1', 'school', TRUE)",
    "INSERT INTO org_group (id, name, kind) VALUES (1, 'Все школы', 'school')",
    "INSERT INTO user_account (id, login, full_name, password_hash, role, organization_id, is_active)"
    " VALUES (1, 'exec', 'Исполнитель', 'x', 'executor', 1, TRUE)",
    # Spelled as someone might have typed it by hand: normalised by the migration.
    "INSERT INTO roadmap (id, title, period_start, period_end, year_type, shift_rule, status, updated_at, feed_version)"
    " VALUES (1, 'Карта', '2025-09-01', '2026-08-31', ' Academic', 'PREVIOUS', 'published', '2026-01-01 00:00:00+00', 0)",
    "INSERT INTO section (id, roadmap_id, number, title, position) VALUES (1, 1, '1', 'Раздел', 0)",
    "INSERT INTO measure (id, roadmap_id, section_id, number, title, deadline_text, schedule_kind, responsible_text,"
    " has_no_executor, position, is_removed, updated_at)"
    " VALUES (1, 1, 1, '1.1', 'Мероприятие', 'по плану ОО', 'manual', '', FALSE, 0, FALSE, '2026-01-01 00:00:00+00')",
    "INSERT INTO task (id, roadmap_id, measure_id, organization_id, occurrence_key, plan_year, label, start_on, due_on,"
    " due_effective_on, status, is_not_applicable, is_cancelled, version, sequence, updated_at)"
    " VALUES (1, 1, 1, 1, 'k', 2025, '', '2025-09-01', '2025-09-30', '2025-09-30', 'returned', FALSE, FALSE, 1, 0,"
    " '2026-01-01 00:00:00+00')",
    "INSERT INTO transition (id, task_id, at, from_status, to_status, comment, reason)"
    " VALUES (1, 1, '2026-01-01 00:00:00+00', NULL, 'submitted', '', NULL),"
    " (2, 1, '2026-01-02 00:00:00+00', 'submitted', 'returned', 'нет охвата', 'coverage')",
    "INSERT INTO notice (id, user_id, kind, text) VALUES (1, 1, 'returned', 'Отчёт возвращён')",
    "INSERT INTO subscription (id, user_id, name, token_hash, kind) VALUES (1, 1, 'Телефон', 'h', 'Personal')",
    "INSERT INTO reminder_log (id, user_id, kind, sent_on, sent_at, task_count)"
    " VALUES (1, 1, 'daily', '2026-01-01', '2026-01-01 00:00:00+00', 0)",
    "INSERT INTO date_proposal (id, measure_id, organization_id, dates, comment, status, decision_comment)"
    " VALUES (1, 1, 1, '[]', '', 'proposed', '')",
]

_READ_BACK = {
    "roadmap": "SELECT year_type, shift_rule, status FROM roadmap",
    "measure": "SELECT schedule_kind FROM measure",
    "task": "SELECT status FROM task",
    "transition": "SELECT from_status, to_status, reason FROM transition ORDER BY id",
    "notice": "SELECT kind FROM notice",
    "subscription": "SELECT kind FROM subscription",
    "reminder_log": "SELECT kind FROM reminder_log",
    "date_proposal": "SELECT status FROM date_proposal",
    "organization": "SELECT kind FROM organization",
    "org_group": "SELECT kind FROM org_group",
    "user_account": "SELECT role FROM user_account",
}


def _read_back(conn) -> dict[str, list[tuple]]:
    return {table: [tuple(row) for row in conn.execute(text(sql))] for table, sql in _READ_BACK.items()}


def _insert(conn, sql: str) -> None:
    """Run ``sql`` in a savepoint; re-raise what the database said."""
    with conn.begin_nested():
        conn.execute(text(sql))


@pytest.fixture
def at_0007(database_at):
    return database_at("0007")


def test_closed_vocabularies_convert_existing_data_up_and_down(at_0007):
    with db.engine.begin() as conn:
        for sql in _ROWS_AT_0007:
            conn.execute(text(sql))
    upgrade(revision="0008")
    with db.engine.begin() as conn:
        assert database_revision(conn) == "0008"
        converted = _read_back(conn)
        assert converted == {
            "roadmap": [("academic", "previous", "published")],
            "measure": [("manual",)],
            "task": [("returned",)],
            "transition": [(None, "submitted", None), ("submitted", "returned", "coverage")],
            "notice": [("returned",)],
            "subscription": [("personal",)],
            "reminder_log": [("daily",)],
            "date_proposal": [("proposed",)],
            "organization": [("school",)],
            "org_group": [("school",)],
            "user_account": [("executor",)],
        }
        # SQLite rebuilt every table: nothing cascaded away on the way, and the connection
        # enforces foreign keys again.
        assert conn.execute(text("SELECT COUNT(*) FROM section")).scalar_one() == 1
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        # The models read the converted rows as enum members.
        from roadmap.models import Roadmap, Subscription
        from roadmap.schedule import ShiftRule, YearType

        # Columns, not the entity: later migrations add columns the model already has.
        kinds = db.session.execute(select(Roadmap.year_type, Roadmap.shift_rule).where(Roadmap.id == 1)).one()
        assert tuple(kinds) == (YearType.ACADEMIC, ShiftRule.PREVIOUS)
        assert db.session.get(Subscription, 1).kind.label == "Мои задачи"
        db.session.rollback()
        with pytest.raises(IntegrityError):
            _insert(conn, "UPDATE roadmap SET year_type = 'fiscal'")
        with pytest.raises(IntegrityError):
            _insert(conn, "UPDATE task SET status = 'overdue'")

    downgrade(revision="0007")
    with db.engine.begin() as conn:
        assert database_revision(conn) == "0007"
        before = _read_back(conn)
        assert before["roadmap"] == [("academic", "previous", "published")]
        assert before["transition"][1] == ("submitted", "returned", "coverage")
        assert conn.execute(text("SELECT COUNT(*) FROM task")).scalar_one() == 1
        # The constraints are gone with 0008: such a value is accepted again.
        _insert(conn, "UPDATE notice SET kind = 'birthday'")
        _insert(conn, "UPDATE notice SET kind = 'returned'")

    # And up again: the same rows, the constraints back.
    upgrade(revision="0008")
    with db.engine.begin() as conn:
        assert database_revision(conn) == "0008"
        assert _read_back(conn) == converted
        with pytest.raises(IntegrityError):
            _insert(conn, "UPDATE notice SET kind = 'birthday'")


def test_unknown_values_stop_the_upgrade_before_anything_changes(at_0007):
    with db.engine.begin() as conn:
        for sql in _ROWS_AT_0007:
            conn.execute(text(sql))
        conn.execute(text("UPDATE notice SET kind = 'birthday'"))
        conn.execute(text("UPDATE roadmap SET shift_rule = 'sideways'"))
    # Flask-Migrate logs the migration's RuntimeError as one line "Error: ..." and exits with 1.
    with pytest.raises(SystemExit) as caught:
        upgrade(revision="0008")
    assert caught.value.code == 1
    assert isinstance(caught.value.__context__, RuntimeError)
    message = str(caught.value.__context__)
    assert message.startswith("Миграция 0008 остановлена, база не изменена: значения вне словаря")
    assert "база не изменена" in message
    assert "notice.kind: 'birthday' (1); допустимо: returned, new_tasks" in message
    assert "roadmap.shift_rule: 'sideways' (1); допустимо: next, previous, none" in message
    db.engine.dispose()
    with db.engine.connect() as conn:
        assert database_revision(conn) == "0007"
        # Not even the harmless normalisation happened.
        assert conn.execute(text("SELECT year_type FROM roadmap")).scalar_one() == " Academic"
