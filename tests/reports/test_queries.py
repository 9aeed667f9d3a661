from __future__ import annotations

from roadmap.reports.queries import Scope, monitoring_report

from .conftest import TODAY


def scope(data, **kw):
    return Scope(roadmap_id=data.roadmap.id, plan_year=2023, today=TODAY, **kw)


def test_summary_outcomes(data):
    report = monitoring_report(data.roadmap, scope(data))
    s = report.summary
    assert (s.total, s.on_time, s.late, s.overdue, s.open, s.not_applicable) == (7, 3, 1, 1, 1, 1)

