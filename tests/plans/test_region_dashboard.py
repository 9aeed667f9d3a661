"""The region's summary of a roadmap: municipalities ranked by completion and coverage, the
measures × municipalities matrix, the drill-down, the region's files; figures equal to those of
the roadmap's and the municipality's own dashboards (one counting path); constant queries.

A regional roadmap, plan year 2023, today 15 November 2023 (every deadline past):

1.1 «сентябрь»  a1 (Альфа, 100 students) accepted, 50 covered; a2 (Альфа, 300) on review, 150
                covered; b1 (Бета, no contingent) nothing: overdue; r1 (the region's college) accepted
1.2 «октябрь»   a1 "not applicable"; b1 accepted, 20 covered
Гамма has no organizations.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date

import pytest
from sqlalchemy import event, select

from roadmap.extensions import db
from roadmap.models import Municipality, OrgKind, Role
from roadmap.plans.region import REGION_OWN_NAME, REGION_OWN_SHORT, region_dashboard
from roadmap.reports import region as region_report
from roadmap.reports.queries import Scope, overview
from tests.reports.conftest import submit, tasks_of, utc
from tests.security.conftest import login_as

TODAY = date(2023, 11, 15)


@dataclass
class Region:
    roadmap: object
    places: dict
    orgs: dict
    users: dict


@pytest.fixture
def region(app, make_org, make_user, make_roadmap):
    from roadmap.directory.territory import municipality_named
    from roadmap.tasks.workflow import accept, mark_not_applicable

    places = {
        key: municipality_named(name) for key, name in (("A", "г. Альфа"), ("B", "г. Бета"), ("C", "Гамма район"))
    }
    orgs = {
        "a1": make_org(short_name="СОШ № 1 Альфа", municipality=places["A"], student_count=100),
        "a2": make_org(short_name="СОШ № 2 Альфа", municipality=places["A"], student_count=300),
        "b1": make_org(short_name="СОШ № 1 Бета", municipality=places["B"]),
        "r1": make_org(short_name="Краевой колледж", kind=OrgKind.COLLEGE, municipality=None),
    }
    executors = {key: make_user(role=Role.EXECUTOR, organization=org) for key, org in orgs.items()}
    users = {
        "region": make_user(role=Role.COORDINATOR, login="rd-region"),
        "region_observer": make_user(role=Role.OBSERVER, login="rd-region-observer"),
        "alpha": make_user(role=Role.COORDINATOR, login="rd-alpha", municipality=places["A"]),
        "beta": make_user(role=Role.COORDINATOR, login="rd-beta", municipality=places["B"]),
    }
    roadmap = make_roadmap(
        [
            ("1.1", "Классный час", "сентябрь, ежегодно", [orgs["a1"], orgs["a2"], orgs["b1"], orgs["r1"]]),
            ("1.2", "Родительское собрание", "октябрь, ежегодно", [orgs["a1"], orgs["b1"]]),
        ],
        title="Региональная карта",
    )
    task = {(t.measure.number, k): t for t in tasks_of(roadmap) for k, o in orgs.items() if o.id == t.organization_id}
    submit(task["1.1", "a1"], executors["a1"], utc(2023, 9, 20), held_on=date(2023, 9, 19), coverage_students=50)
    accept(task["1.1", "a1"], users["region"])
    submit(task["1.1", "a2"], executors["a2"], utc(2023, 9, 21), held_on=date(2023, 9, 20), coverage_students=150)
    submit(task["1.1", "r1"], executors["r1"], utc(2023, 9, 22), held_on=date(2023, 9, 21), coverage_total=10)
    accept(task["1.1", "r1"], users["region"])
    mark_not_applicable(task["1.2", "a1"], executors["a1"], "нет родителей выпускников")
    submit(task["1.2", "b1"], executors["b1"], utc(2023, 10, 20), held_on=date(2023, 10, 19), coverage_students=20)
    accept(task["1.2", "b1"], users["region"])
    db.session.commit()
    return Region(roadmap, places, orgs, users)


def scope_of(region, **kw) -> Scope:
    return Scope(roadmap_id=region.roadmap.id, plan_year=2023, today=TODAY, **kw)


def test_municipalities_are_ranked_by_completion_and_by_coverage(region):
    data = region_dashboard(region.roadmap, scope_of(region))
    rows = {m.name: m for m in data.municipalities}
    assert list(rows) == ["г. Альфа", "г. Бета", "Гамма район"]  # every municipality of a regional roadmap
    alpha, beta, gamma = rows["г. Альфа"], rows["г. Бета"], rows["Гамма район"]
    assert (alpha.figures.total, alpha.figures.applicable, alpha.figures.done) == (3, 2, 1)
    assert (beta.figures.total, beta.figures.applicable, beta.figures.done, beta.figures.overdue) == (2, 2, 1, 1)
    assert gamma.figures.total == 0 and gamma.place_done is None
    # Both 50 %: Альфа handed in two reports on time, Бета one.
    assert [m.name for m in data.ranked_by_done] == ["г. Альфа", "г. Бета", "Гамма район"]
    assert (alpha.place_done, beta.place_done) == (1, 2)
    # Coverage: 200 covered of the 100 + 300 students of Альфа's executors; Бета gave no figures.
    assert (alpha.data.students, alpha.data.contingent, alpha.data.executors) == (200, 400, 2)
    assert alpha.data.coverage_share == 0.5 and alpha.place_coverage == 1
    assert beta.data.coverage_share is None and beta.data.missing_contingent == 1 and beta.place_coverage is None
    assert region_report.coverage_share_text(alpha.data) == "50,0\u00a0% контингента"
    assert region_report.coverage_share_text(beta.data) == "нет данных о контингенте (1 орг.)"
    assert data.region_own is not None and data.region_own.name == REGION_OWN_NAME
    assert (data.region_own.figures.total, data.region_own.figures.done) == (1, 1)


def test_the_ranking_by_coverage_puts_municipalities_without_a_share_last(region, make_org):
    from roadmap.directory.service import set_contingent

    data = region_dashboard(region.roadmap, scope_of(region))
    assert [m.name for m in data.ranked_by_coverage][0] == "г. Альфа"
    set_contingent(region.orgs["b1"], {5: 15}, user=None)
    data = region_dashboard(region.roadmap, scope_of(region))
    assert [m.name for m in data.ranked_by_coverage] == ["г. Бета", "г. Альфа", "Гамма район"]
    rows = {m.name: m for m in data.municipalities}
    # b1's 15 students counted for each of its two measures: 20 covered of 30, ahead of Альфа's half.
    assert (rows["г. Бета"].data.students, rows["г. Бета"].data.contingent) == (20, 30)


def test_the_figures_add_up_to_the_roadmap_and_to_each_municipality_dashboard(region):
    scope = scope_of(region)
    data = region_dashboard(region.roadmap, scope)
    whole = overview(region.roadmap, scope).summary
    assert data.summary == whole
    assert sum(r.figures.total for r in data.rows) == whole.total == 6
    for row in data.municipalities:
        own = overview(region.roadmap, replace(scope, municipality_id=row.id))
        assert own.summary == row.figures, row.name
        names = {e.name for e in own.executors}
        assert all(name.endswith(row.name.removeprefix("г. ")) for name in names), names


def test_the_matrix_cells_follow_the_rule_of_the_executors_matrix(region):
    data = region_dashboard(region.roadmap, scope_of(region))
    measures = {m.number: m.id for m in data.measures}
    a, b = region.places["A"].id, region.places["B"].id
    cell = data.cells.get
    assert [region_report.cell_text(cell((measures["1.1"], p))) for p in (a, b, None)] == ["1/2", "0/1", "1/1"]
    assert region_report.cell_state(cell((measures["1.1"], a))) == "partial"
    assert region_report.cell_state(cell((measures["1.1"], b))) == "none"  # overdue
    assert region_report.cell_state(cell((measures["1.2"], b))) == "complete"
    assert region_report.cell_text(cell((measures["1.2"], a))) == "не применимо"
    assert cell((measures["1.1"], region.places["C"].id)) is None


def _statements(action) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def _page_statements(client, url: str) -> int:
    client.get(url)  # warm: the session user, the app's first-request work
    db.session.expire_all()

    def fetch():
        assert client.get(url).status_code == 200, url

    return _statements(fetch)


def test_the_summary_runs_the_same_queries_for_two_municipalities_or_six(app, make_org, make_user, make_roadmap):
    from roadmap.directory.territory import municipality_named

    client = login_as(app, make_user(role=Role.COORDINATOR, login="rd-counter"))
    counts = {}
    for n in (2, 6):
        orgs = [
            make_org(municipality=municipality_named(f"Район {n}-{i}"), student_count=10 * (j + 1))
            for i in range(n)
            for j in range(n)
        ]
        roadmap = make_roadmap(
            [(f"1.{k}", f"Мероприятие {k}", "ежемесячно", orgs) for k in range(1, n + 1)], title=f"Карта {n}"
        )
        db.session.commit()
        scope = Scope(roadmap_id=roadmap.id, plan_year=2023, today=TODAY)
        data = region_dashboard(roadmap, scope)
        assert sum(r.figures.total for r in data.rows) == 12 * n * n * n
        counts[n, "builder"] = _statements(lambda roadmap=roadmap, scope=scope: region_dashboard(roadmap, scope))
        base = f"/roadmaps/{roadmap.id}/municipalities"
        counts[n, "page"] = _page_statements(client, base)
        counts[n, "by coverage"] = _page_statements(client, f"{base}?order=coverage")
        first = db.session.scalar(select(Municipality.id).where(Municipality.name == f"Район {n}-0"))
        counts[n, "drill-down"] = _page_statements(client, f"{base}/{first}")
    # Eight whatever the size: the contingent's level totals (level_count) are one of them.
    assert counts[2, "builder"] == counts[6, "builder"] == 8
    for key in ("page", "by coverage", "drill-down"):
        assert counts[2, key] == counts[6, key], counts


def test_regional_staff_see_every_municipality_and_drill_down(app, region):
    for role in ("region", "region_observer"):
        client = login_as(app, region.users[role])
        roadmap_page = client.get(f"/roadmaps/{region.roadmap.id}").get_data(as_text=True)
        assert f"/roadmaps/{region.roadmap.id}/municipalities" in roadmap_page and "Муниципалитеты" in roadmap_page
        listing = client.get("/roadmaps/").get_data(as_text=True)
        assert f"/roadmaps/{region.roadmap.id}/municipalities" in listing and "Сводка по муниципалитетам" in listing
        page = client.get(f"/roadmaps/{region.roadmap.id}/municipalities?year=2023")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        for name in ("г. Альфа", "г. Бета", "Гамма район", REGION_OWN_NAME, "Классный час"):
            assert name in body
        alpha = region.places["A"].id
        assert f"/roadmaps/{region.roadmap.id}/municipalities/{alpha}?year=2023" in body
        drill = client.get(f"/roadmaps/{region.roadmap.id}/municipalities/{alpha}?year=2023")
        assert drill.status_code == 200
        text = drill.get_data(as_text=True)
        assert "СОШ № 1 Альфа" in text and "СОШ № 2 Альфа" in text
        assert "СОШ № 1 Бета" not in text and "Краевой колледж" not in text
        assert "Пересчитать задачи" not in text  # the roadmap's work is not done from a municipality's view


def test_municipal_staff_never_reach_another_municipality(app, region, make_roadmap):
    alpha_roadmap = make_roadmap(
        [("1.1", "Муниципальное мероприятие", "сентябрь, ежегодно", [region.orgs["a1"]])],
        title="Карта Альфы",
        municipality=region.places["A"],
    )
    db.session.commit()
    a, b = region.places["A"].id, region.places["B"].id
    alpha = login_as(app, region.users["alpha"])
    beta = login_as(app, region.users["beta"])
    # The regional roadmap is not theirs: unknown, summary, drill-down and files alike.
    for client in (alpha, beta):
        for path in ("municipalities", f"municipalities/{a}", f"municipalities/{b}", "municipalities/download.xlsx"):
            assert client.get(f"/roadmaps/{region.roadmap.id}/{path}").status_code == 404, path
    # Their own roadmap: their own municipality only, and no comparison of municipalities.
    summary = alpha.get(f"/roadmaps/{alpha_roadmap.id}/municipalities")
    assert summary.status_code == 403 and "Недостаточно прав" in summary.get_data(as_text=True)
    assert alpha.get(f"/roadmaps/{alpha_roadmap.id}/municipalities/{a}").status_code == 200
    refused = alpha.get(f"/roadmaps/{alpha_roadmap.id}/municipalities/{b}")
    assert refused.status_code == 404 and "Страница не найдена" in refused.get_data(as_text=True)
    assert beta.get(f"/roadmaps/{alpha_roadmap.id}/municipalities/{b}").status_code == 404
    assert alpha.get(f"/roadmaps/{alpha_roadmap.id}/municipalities/download.docx").status_code == 403
    assert "/municipalities" not in alpha.get(f"/roadmaps/{alpha_roadmap.id}").get_data(as_text=True)
    assert "/municipalities" not in alpha.get("/roadmaps/").get_data(as_text=True)
    assert alpha.get(f"/roadmaps/{alpha_roadmap.id}/municipalities/{10**6}").status_code == 404
    assert db.session.scalar(select(Municipality.id).where(Municipality.id == 10**6)) is None


def test_the_region_files_hold_a_section_per_municipality(app, region):
    from docx import Document
    from openpyxl import load_workbook

    client = login_as(app, region.users["region"])
    base = f"/roadmaps/{region.roadmap.id}/municipalities/download"
    docx = client.get(f"{base}.docx?year=2023")
    assert docx.status_code == 200 and "attachment" in docx.headers["Content-Disposition"]
    document = Document(io.BytesIO(docx.data))

    def plain(text):  # the documents' typography binds «г.» to the name
        return text.replace("\u00a0", " ")

    headings = [plain(p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Общие показатели",
        "Муниципальные образования по выполнению",
        "г. Альфа",
        "г. Бета",
        "Гамма район",
        REGION_OWN_NAME,
    ]
    ranking = document.tables[0]
    assert [plain(row.cells[1].text) for row in ranking.rows[1:]] == [
        "г. Альфа",
        "г. Бета",
        "Гамма район",
        REGION_OWN_NAME,
    ]
    assert ranking.rows[1].cells[3].text == "1 из 2 (50\u00a0%)"
    alpha_measures = document.tables[1]
    assert [row.cells[0].text for row in alpha_measures.rows[1:]] == ["1.1", "1.2"]
    assert alpha_measures.rows[2].cells[2].text == "не применимо"

    xlsx = client.get(f"{base}.xlsx?year=2023")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Сводка", "Матрица", "г. Альфа", "г. Бета", REGION_OWN_SHORT]
    summary = [row for row in book["Сводка"].iter_rows(min_row=6, values_only=True)]
    assert [(r[0], r[1], r[4], r[5]) for r in summary[:2]] == [(1, "г. Альфа", 1, 2), (2, "г. Бета", 1, 2)]
    matrix = list(book["Матрица"].iter_rows(values_only=True))
    assert matrix[0][2:] == ("г. Альфа", "г. Бета", REGION_OWN_SHORT)
    assert matrix[1][2:] == ("1/2", "0/1", "1/1")
    assert client.get(f"{base}.csv").status_code == 404
