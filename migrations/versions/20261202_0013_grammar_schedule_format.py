"""grammar schedule format: Measure.schedule items from two-letter keys (version 1) to readable names (version 2)

Version 1 items looked like {"t": "win", "sm": 9, "sd": 1, "em": 10, "ed": null, ...}; version 2
like {"type": "window", "start_month": 9, "start_day": 1, "end_month": 10, "end_day": null, ...}
(roadmap/schedule/items.py). Upgrade rewrites every stored schedule to version 2, downgrade back
to version 1; anything else in the JSON (text, kind, explanation, warnings, weekdays) is kept.

The key tables are a frozen copy of those in roadmap/schedule/items.py as of this revision, so
that the migration keeps meaning the same whatever the code becomes; a test checks that the two
agree on real schedules.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

V1_TYPES = {"win": "window", "half": "half_year", "term": "term", "cont": "continuous", "years": "years",
            "every": "every"}
V1_KEYS = {
    "window": {"sm": "start_month", "sd": "start_day", "em": "end_month", "ed": "end_day", "sy": "start_year",
               "ey": "end_year", "u": "unit", "q": "quarters", "n": "number", "part": "part", "dl": "only"},
    "half_year": {"n": "number", "y": "year", "acad": "academic", "dl": "only"},
    "term": {"a": "first", "b": "last", "ay": "academic_year", "cy": "calendar_year", "dl": "only"},
    "continuous": {"scope": "scope"},
    "years": {"y1": "first", "y2": "last", "acad": "academic"},
    "every": {"u": "unit", "day": "day", "days": "days", "due_next": "due_next", "within": "within"},
}
# Fields version 2 writes even when null, and keys version 1 always wrote.
V2_REQUIRED = {"window": {"start_month", "start_day", "end_month", "end_day"}, "half_year": {"number"},
               "term": {"first"}, "continuous": {"scope"}, "years": {"first", "last"}, "every": {"unit"}}
V1_ALWAYS = {"window": ("sd", "ed", "sy", "ey"), "half_year": ("y", "acad")}

measure = sa.table("measure", sa.column("id", sa.Integer), sa.column("schedule", sa.JSON))


def item_up(data):
    if not isinstance(data, dict) or data.get("t") not in V1_TYPES:
        return data
    kind = V1_TYPES[data["t"]]
    keys = V1_KEYS[kind]
    result = {"type": kind}
    for key, value in data.items():
        if key in keys and (value is not None or keys[key] in V2_REQUIRED[kind]):
            result[keys[key]] = item_up(value) if key == "within" else value
    if data.get("label") is not None:
        result["label"] = data["label"]
    return result


def item_down(data):
    if not isinstance(data, dict) or data.get("type") not in V1_KEYS:
        return data
    kind = data["type"]
    back = {name: key for key, name in V1_KEYS[kind].items()}
    result = {"t": next(t for t, name in V1_TYPES.items() if name == kind)}
    for key in V1_ALWAYS.get(kind, ()):
        result[key] = None
    for name, value in data.items():
        if name in back:
            result[back[name]] = item_down(value) if name == "within" else value
    if data.get("label") is not None:
        result["label"] = data["label"]
    return result


def schedule_up(schedule):
    if not isinstance(schedule, dict) or (schedule.get("version") or 1) >= 2:
        return schedule
    return {**schedule, "version": 2, "items": [item_up(item) for item in schedule.get("items") or []]}


def schedule_down(schedule):
    if not isinstance(schedule, dict) or (schedule.get("version") or 1) < 2:
        return schedule
    return {**schedule, "version": 1, "items": [item_down(item) for item in schedule.get("items") or []]}


def _convert(function):
    conn = op.get_bind()
    rows = conn.execute(sa.select(measure.c.id, measure.c.schedule).where(measure.c.schedule.isnot(None))).all()
    changed = []
    for row_id, schedule in rows:
        converted = function(schedule)
        if converted != schedule:
            changed.append({"row_id": row_id, "schedule": converted})
    if changed:
        conn.execute(
            measure.update().where(measure.c.id == sa.bindparam("row_id")).values(schedule=sa.bindparam("schedule")),
            changed,
        )


def upgrade():
    _convert(schedule_up)


def downgrade():
    _convert(schedule_down)
