"""The stored schedule format: version 2 (readable names) and migration 0013 from version 1.

``data/schedules_v1.json`` holds schedules as the code before issue 19 (main at a554b0f) stored them (phrase →
``Schedule.to_dict()`` of version 1, every item type and field among them). The migration is
run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from roadmap.extensions import db
from roadmap.schedule import FORMAT_VERSION, Schedule, parse
from roadmap.schedule.items import item_json_from_v1, item_json_to_v1

V1 = json.loads((Path(__file__).parent / "data" / "schedules_v1.json").read_text(encoding="utf-8"))
PERIODS = [(date(2023, 1, 1), date(2023, 12, 31), "calendar"), (date(2022, 9, 1), date(2024, 12, 31), "academic")]
_MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "20261202_0013_grammar_schedule_format.py"


def _migration_module():
    spec = importlib.util.spec_from_file_location("migration_0013", _MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _occurrences(schedule: Schedule):
    return [[o.to_dict() for o in schedule.occurrences(*period)] for period in PERIODS]


def test_the_samples_cover_every_item_type_and_field():
    keys = {(item["t"], key) for data in V1.values() for item in data["items"] for key in item}
    assert {t for t, _ in keys} == {"win", "half", "term", "cont", "years", "every"}
    for key in ("q", "n", "part", "dl"):
        assert ("win", key) in keys
    for key in ("ay", "cy", "dl"):
        assert ("term", key) in keys
    for key in ("day", "days", "due_next", "within"):
        assert ("every", key) in keys
    assert ("half", "dl") in keys and ("years", "acad") in keys


@pytest.mark.parametrize("phrase", sorted(V1))
def test_version_1_reads_as_version_2_and_converts_back_exactly(phrase):
    old = V1[phrase]
    assert old["version"] == 1
    now = parse(phrase)
    assert now.to_dict()["version"] == FORMAT_VERSION == 2
    # The old data means what the phrase means today: the same items, the same occurrences.
    stored = Schedule.from_dict(old)
    assert stored.items == now.items
    assert _occurrences(stored) == _occurrences(now)
    # And the conversion is lossless both ways.
    assert [item_json_from_v1(item) for item in old["items"]] == now.to_dict()["items"]
    assert [item_json_to_v1(item) for item in now.to_dict()["items"]] == old["items"]


def test_version_2_names_are_readable():
    (item,) = parse("IV квартал 2023 г.").to_dict()["items"]
    assert item == {
        "type": "window",
        "start_month": 10,
        "start_day": 1,
        "end_month": 12,
        "end_day": None,
        "start_year": 2023,
        "end_year": 2023,
        "unit": "quarter",
        "quarters": [4, 4],
    }
    (every,) = parse("ежемесячно (сентябрь-май)").to_dict()["items"]
    assert every["type"] == "every" and every["within"]["type"] == "window"


def test_the_migration_converts_like_the_code():
    migration = _migration_module()
    for phrase, old in V1.items():
        assert migration.schedule_up(old)["items"] == parse(phrase).to_dict()["items"], phrase
        assert migration.schedule_down(migration.schedule_up(old)) == old, phrase
        assert migration.schedule_up(migration.schedule_up(old)) == migration.schedule_up(old)


def test_damaged_items_survive_both_ways_and_yield_a_warning():
    migration = _migration_module()
    damaged = {"version": 1, "text": "май", "kind": "window", "items": [{"t": "win", "sm": 5}, {"t": "moon"}, 7]}
    up = migration.schedule_up(damaged)
    assert up["items"][1:] == [{"t": "moon"}, 7]  # unknown shapes pass through untouched
    down = migration.schedule_down(up)
    assert down["items"][0]["sm"] == 5 and down["items"][1:] == [{"t": "moon"}, 7]
    occurrences = Schedule.from_dict(up).occurrences(*PERIODS[0][:2])
    assert list(occurrences) == [] and occurrences.warnings


@pytest.fixture
def at_0012(database_at):
    return database_at("0012")


def _schedules(conn) -> dict[int, dict | None]:
    rows = conn.execute(text("SELECT id, schedule FROM measure ORDER BY id")).all()
    return {row_id: (json.loads(value) if isinstance(value, str) else value) for row_id, value in rows}


def test_migration_0013_converts_stored_schedules_up_and_down(at_0012):
    phrases = sorted(V1)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO roadmap (id, title, period_start, period_end, year_type, shift_rule, status, updated_at,"
                " feed_version) VALUES (1, 'Карта', '2023-01-01', '2023-12-31', 'calendar', 'next', 'draft',"
                " '2026-01-01 00:00:00+00', 0)"
            )
        )
        conn.execute(text("INSERT INTO section (id, roadmap_id, number, title, position) VALUES (1, 1, '1', 'Р', 0)"))
        insert = text(
            "INSERT INTO measure (id, roadmap_id, section_id, number, title, deadline_text, schedule, schedule_kind,"
            " responsible_text, has_no_executor, position, is_removed, updated_at) VALUES (:id, 1, 1, :number,"
            " 'М', :text, :schedule, :kind, '', FALSE, :id, FALSE, '2026-01-01 00:00:00+00')"
        )
        rows = [
            {"id": i + 1, "number": str(i + 1), "text": p, "schedule": json.dumps(V1[p], ensure_ascii=False),
             "kind": V1[p]["kind"]}
            for i, p in enumerate(phrases)
        ]  # fmt: skip
        rows.append({"id": len(phrases) + 1, "number": "x", "text": "", "schedule": None, "kind": "unparsed"})
        conn.execute(insert, rows)
        before = _schedules(conn)

    upgrade(revision="0013")
    with db.engine.begin() as conn:
        after = _schedules(conn)
    assert after[len(phrases) + 1] is None
    for i, phrase in enumerate(phrases):
        stored = after[i + 1]
        assert stored["version"] == 2
        assert stored["items"] == parse(phrase).to_dict()["items"], phrase
        assert {k: v for k, v in stored.items() if k not in ("version", "items")} == {
            k: v for k, v in V1[phrase].items() if k not in ("version", "items")
        }
    # The application reads what the migration wrote, through the model (of head: later
    # migrations add columns the model maps).
    upgrade()
    from roadmap.models import Measure
    from roadmap.tasks.service import measure_schedule

    measure = db.session.get(Measure, phrases.index("ежемесячно (сентябрь-май)") + 1)
    assert _occurrences(measure_schedule(measure)) == _occurrences(parse("ежемесячно (сентябрь-май)"))
    db.session.rollback()

    downgrade(revision="0012")
    with db.engine.begin() as conn:
        assert _schedules(conn) == before
    upgrade(revision="0013")
    with db.engine.begin() as conn:
        assert _schedules(conn) == after
