"""Monitoring figures against the fixture roadmap (see conftest for the expected outcomes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from roadmap.extensions import db
from roadmap.models import Role
from roadmap.reports.queries import Scope, monitoring_report, task_rows

from .conftest import TODAY, submit, tasks_of, utc


def scope(data, **kw):
    kw.setdefault("plan_year", 2023)
    kw.setdefault("today", TODAY)
    return Scope(roadmap_id=data.roadmap.id, **kw)


def test_summary_outcomes(data):
    s = monitoring_report(data.roadmap, scope(data)).summary
    assert (s.total, s.on_time, s.late, s.overdue, s.open, s.not_applicable) == (7, 3, 1, 1, 1, 1)
    # "Выполнено" is accepted (1.2 A); the reports on review are "reported" as well.
    assert (s.done, s.reported, s.applicable, s.not_done) == (1, 4, 6, 2)
    assert s.done_ratio == 1 / 6 and s.reported_ratio == 4 / 6
    assert (s.in_review, s.returned) == (4, 0)
    c = s.coverage
    assert (c.total, c.students, c.parents, c.teachers, c.disabled) == (525, 205, 310, 5, 5)


def test_sections_measures_and_executors_add_up(data):
    report = monitoring_report(data.roadmap, scope(data))
    assert [s.heading for s in report.sections] == ["1. Раздел 1", "2. Раздел 2"]
    assert sum(s.figures.total for s in report.sections) == report.summary.total
    assert sum(e.figures.total for e in report.executors) == report.summary.total
    measures = {m.number: m for m in report.measures}
    assert (measures["1.1"].executors_done, measures["1.1"].executors_total) == (0, 3)  # all on review
    assert measures["1.1"].figures.reported == 2
    assert (measures["1.2"].executors_done, measures["1.2"].executors_total) == (1, 1)
    assert measures["1.2"].executors_not_applicable == 1
    assert (measures["2.1"].executors_done, measures["2.1"].executors_total) == (0, 1)  # H2 still open
    assert (measures["2.1"].figures.done, measures["2.1"].figures.reported) == (0, 1)
    # A measure that never got tasks is listed, not lost.
    assert measures["2.2"].has_tasks is False
    assert measures["1.1"].comments == ["Семинар проведён", "Проведён с опозданием"]


def test_executors_ranked(data):
    ranked = monitoring_report(data.roadmap, scope(data)).executors_ranked
    assert [(e.name, e.figures.done, e.figures.applicable) for e in ranked] == [
        ("МБОУ СОШ № 1", 1, 4),
        ("МБОУ СОШ № 2", 0, 1),
        ("МБОУ СОШ № 3", 0, 1),
    ]


def test_sql_states_match_the_state_module(data):
    """The SQL mirror of roadmap.tasks.state gives every task the model's workflow state and
    timeliness (the outcome, "not applicable" aside)."""
    from roadmap.tasks.workflow import return_report

    return_report(data.tasks[("1.1", "B")][0], data.coordinator, "coverage")  # returned after its deadline
    report = monitoring_report(data.roadmap, scope(data))
    expected: dict[str, int] = {}
    for task in tasks_of(data.roadmap):
        expected[task.workflow.value] = expected.get(task.workflow.value, 0) + 1
    assert {k: v for k, v in report.status_counts.items() if v} == expected
    assert expected["returned"] == 1
    rows = {row.task_id: row for row in task_rows(scope(data))}
    for task in tasks_of(data.roadmap):
        row = rows[task.id]
        assert row.workflow == task.workflow.value, task
        timeliness = task.timeliness(TODAY)
        assert row.outcome == (timeliness.value if timeliness else "not_applicable"), task
    assert rows[data.tasks[("1.1", "B")][0].id].outcome == "overdue"


def test_coverage_by_month(data):
    months = monitoring_report(data.roadmap, scope(data)).coverage_by_month
    assert [(m.year, m.month, m.coverage.total, m.tasks_done) for m in months] == [
        (2023, 6, 25, 1),
        (2023, 8, 120, 1),
        (2023, 9, 380, 2),
    ]


def test_on_time_is_judged_by_moscow_date_of_first_submission(app, make_org, make_user, make_roadmap):
    from roadmap.tasks.workflow import return_report

    org = make_org()
    user = make_user(role=Role.EXECUTOR, organization=org)
    coordinator = make_user(role=Role.COORDINATOR, organization=make_org())
    roadmap = make_roadmap(
        [
            ("1.1", "А", "до 1 сентября, ежегодно", [org]),
            ("1.2", "Б", "до 1 сентября, ежегодно", [org]),
            ("1.3", "В", "до 1 сентября, ежегодно", [org]),
        ]
    )
    t1, t2, t3 = (tasks_of(roadmap, n)[0] for n in ("1.1", "1.2", "1.3"))
    assert t1.due_effective_on == date(2023, 9, 1)  # a Friday
    submit(t1, user, utc(2023, 9, 1, 20, 59))  # 23:59 in Moscow: on time
    submit(t2, user, utc(2023, 9, 1, 21, 1))  # 00:01 on 2 September in Moscow: late
    submit(t3, user, utc(2023, 8, 20, 10, 0))  # on time, returned, submitted again late: still on time
    return_report(t3, coordinator, "coverage")
    submit(t3, user, utc(2023, 9, 20, 10, 0), comment="Исправлено")
    report = monitoring_report(roadmap, Scope(roadmap.id, 2023, date(2023, 10, 1)))
    outcomes = {r.measure_number: r.outcome for r in task_rows(Scope(roadmap.id, 2023, date(2023, 10, 1)))}
    assert outcomes == {"1.1": "on_time", "1.2": "late", "1.3": "on_time"}
    assert (report.summary.on_time, report.summary.late) == (2, 1)


def test_returned_report_is_not_done_and_not_counted_in_coverage(data):
    from roadmap.tasks.workflow import return_report

    task = data.tasks[("1.1", "B")][0]
    return_report(task, data.coordinator, "coverage")
    s = monitoring_report(data.roadmap, scope(data)).summary
    assert (s.done, s.reported, s.late, s.overdue, s.returned) == (1, 3, 0, 2, 1)
    assert s.coverage.total == 525 - 80


def test_date_range_selects_overlapping_windows(data):
    s = monitoring_report(data.roadmap, scope(data, date_from=date(2023, 1, 1), date_to=date(2023, 6, 30))).summary
    assert s.total == 1  # only the first half-year of 2.1
    s = monitoring_report(data.roadmap, scope(data, date_from=date(2023, 9, 1), date_to=date(2023, 9, 30))).summary
    # 1.1 (due 1 Sept) ×3, 1.2 (September) ×2, 2.1 H2 (July–December)
    assert s.total == 6


def test_organization_scope(data):
    report = monitoring_report(data.roadmap, scope(data, organization_id=data.orgs["A"].id))
    assert report.summary.total == 4
    assert {r.organization for r in task_rows(scope(data, organization_id=data.orgs["A"].id))} == {"МБОУ СОШ № 1"}
    assert "2.2" not in {m.number for m in report.measures}


def test_empty_roadmap(app, make_roadmap):
    roadmap = make_roadmap([])
    report = monitoring_report(roadmap, Scope(roadmap.id, 2023, TODAY))
    assert report.is_empty and report.sections == [] and report.executors == []
    assert report.comparison is None and report.coverage_by_month == []
    assert report.summary.done_ratio is None


def test_nothing_reported(app, make_org, make_roadmap):
    org = make_org()
    roadmap = make_roadmap([("1.1", "А", "сентябрь, ежегодно", [org]), ("1.2", "Б", "декабрь, ежегодно", [org])])
    s = monitoring_report(roadmap, Scope(roadmap.id, 2023, TODAY)).summary
    assert (s.total, s.done, s.overdue, s.open, s.coverage.total) == (2, 0, 1, 1, 0)
    assert s.done_ratio == 0


def test_comparison_with_previous_plan_year_of_same_roadmap(app, make_org, make_user, make_roadmap):
    org = make_org()
    user = make_user(role=Role.EXECUTOR, organization=org)
    roadmap = make_roadmap(
        [("1.1", "Собрание", "сентябрь, ежегодно", [org]), ("1.2", "Семинар", "до 1 декабря, ежегодно", [org])],
        period=(date(2022, 1, 1), date(2023, 12, 31)),
    )
    by_year = {}
    for task in tasks_of(roadmap):
        by_year.setdefault(task.plan_year, []).append(task)
    for task in by_year[2022]:
        submit(task, user, utc(2022, 9, 10), held_on=date(2022, 9, 5), coverage_total=50)
    submit(by_year[2023][0], user, utc(2023, 9, 10), held_on=date(2023, 9, 5), coverage_total=70)
    report = monitoring_report(roadmap, Scope(roadmap.id, 2023, date(2023, 12, 20)))
    comparison = report.comparison
    assert comparison is not None and comparison.same_roadmap
    assert (comparison.previous.plan_year, comparison.current.plan_year) == (2022, 2023)
    assert (comparison.previous.figures.reported, comparison.current.figures.reported) == (2, 1)
    assert (comparison.previous.figures.done, comparison.current.figures.done) == (0, 0)  # none accepted
    assert comparison.delta(lambda f: f.coverage.total) == 70 - 100
    assert [y.plan_year for y in report.comparison_years] == [2022, 2023]


def test_comparison_with_previous_roadmap(app, make_org, make_user, make_roadmap):
    org = make_org()
    user = make_user(role=Role.EXECUTOR, organization=org)
    old = make_roadmap(
        [("1.1", "Собрание", "сентябрь, ежегодно", [org])],
        period=(date(2022, 1, 1), date(2022, 12, 31)),
        title="План 2022",
    )
    submit(tasks_of(old)[0], user, utc(2022, 9, 10), held_on=date(2022, 9, 5), coverage_total=40)
    new = make_roadmap([("1.1", "Собрание", "сентябрь, ежегодно", [org])], title="План 2023")
    new.previous_roadmap_id = old.id
    db.session.flush()
    report = monitoring_report(new, Scope(new.id, 2023, TODAY))
    assert report.comparison is not None and not report.comparison.same_roadmap
    assert report.comparison.previous.roadmap_title == "План 2022"
    assert report.comparison.previous.figures.coverage.total == 40
    assert [(y.roadmap_id, y.plan_year) for y in report.years] == [(old.id, 2022), (new.id, 2023)]


def test_query_count_does_not_grow_with_the_roadmap(app, make_org, make_user, make_roadmap):
    def count_queries(n_orgs: int) -> int:
        orgs = [make_org() for _ in range(n_orgs)]
        user = make_user(role=Role.EXECUTOR, organization=orgs[0])
        roadmap = make_roadmap(
            [(f"1.{i}", f"Мероприятие {i}", "ежемесячно", orgs) for i in range(1, 4)]
            + [(f"2.{i}", f"Мероприятие {i}", "сентябрь, ежегодно", orgs) for i in range(1, 3)]
        )
        submit(tasks_of(roadmap, "2.1")[0], user, utc(2023, 9, 3), coverage_total=5)
        statements = []

        def record(*_args):
            statements.append(1)

        engine_conn = db.session.connection()
        event.listen(engine_conn, "before_cursor_execute", record)
        try:
            report = monitoring_report(roadmap, Scope(roadmap.id, 2023, TODAY))
            list(task_rows(Scope(roadmap.id, 2023, TODAY)))
        finally:
            event.remove(engine_conn, "before_cursor_execute", record)
        assert report.summary.total == 5 * n_orgs * 0 + (3 * 12 + 2) * n_orgs
        return len(statements)

    assert count_queries(2) == count_queries(12)
