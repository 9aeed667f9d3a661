"""Coverage categories are one list (roadmap.tasks.coverage): every surface derives from it."""

from __future__ import annotations

from dataclasses import fields

from roadmap.models import Report
from roadmap.reports import layout, queries
from roadmap.tasks import coverage
from roadmap.tasks.workflow import ReportInput


def test_every_surface_has_exactly_the_listed_categories(app):
    from roadmap.web.forms.tasks import ReportForm

    columns = set(coverage.COLUMNS)
    assert {c.name for c in Report.__table__.columns if c.name.startswith("coverage_")} == columns
    assert {f.name for f in fields(ReportInput) if f.name.startswith("coverage_")} == columns
    with app.test_request_context():
        assert {name for name in ReportForm()._fields if name.startswith("coverage_")} == columns
    assert tuple(f.name for f in fields(queries.Coverage)) == coverage.FIELDS
    assert queries.COVERAGE_FIELDS == coverage.FIELDS
    assert [name for name in layout.TASK_COLUMNS if name.startswith("Охват: ")] == [
        f"Охват: {c.label}" for c in coverage.CATEGORIES
    ]
    assert [row.label for row in layout.COVERAGE_ROWS] == [layout.coverage_label(name) for name in coverage.FIELDS]


def test_other_participants_are_the_total_beyond_the_parts():
    summed = queries.Coverage(total=100, students=60, parents=20, teachers=5, disabled=3)
    assert summed.other == 15  # ОВЗ are among the students, not a part of their own
    summed.add(queries.Coverage(total=10, students=10))
    assert (summed.total, summed.students, summed.other) == (110, 70, 15)
    assert queries.Coverage(total=5, students=9).other == 0
