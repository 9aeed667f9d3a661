"""The cascade: a regional roadmap's phrases resolve to the municipalities and their schools; a
municipal coordinator fans a regional measure out to their organizations; the regional figures
are the sums of the municipal children's, on every surface; a municipality sees nothing of
another's children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from roadmap.directory.cascade import ensure_cascade_groups, municipality_group_name, schools_group_name
from roadmap.directory.territory import municipality_named, place_organization
from roadmap.extensions import db
from roadmap.importers.model import ParsedMeasure, ParsedRoadmap, ParsedSection
from roadmap.models import AuditEvent, Measure, OrgGroup, OrgKind, Role, Task
from roadmap.plans.cascade import CascadeError, assignments, cascaded_measures, fan_out, summary_of
from roadmap.plans.service import create_roadmap, publish_roadmap
from roadmap.reports.queries import Figures, figures_of, monitoring_report, overview, task_rows
from roadmap.reports.service import build_scope
from roadmap.tasks.access import can_fan_out, can_view_roadmap, visible_roadmaps
from roadmap.tasks.workflow import ReportInput, accept, submit_report

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")

YEAR = date.today().year
MEASURES = (
    ("1.1", "Совещание с муниципальными центрами", "сентябрь", "все муниципальные центры"),
    ("1.2", "Единый день профориентации", "сентябрь", "все школы края"),
    ("1.3", "Методический десант", "сентябрь", "школы муниципалитета г. Альфа"),
    ("1.4", "Сводный отчёт", "сентябрь", "г. Бета"),
)


@dataclass
class Region:
    alpha: object
    beta: object
    centres: dict
    schools: dict
    institute: object
    regional_school: object
    region_coordinator: object
    coordinators: dict
    executors: dict
    roadmap: object

    def measure(self, number):
        return next(m for m in self.roadmap.measures if m.number == number)


@pytest.fixture
def region(app, make_org, make_user):
    alpha, beta = municipality_named("г. Альфа"), municipality_named("г. Бета")
    centres, schools, coordinators, executors = {}, {}, {}, {}
    for place in (alpha, beta):
        centres[place.name] = make_org(short_name=f"МЦ {place.name}", kind=OrgKind.CENTRE, municipality=place)
        schools[place.name] = [make_org(short_name=f"СОШ № {n} ({place.name})", municipality=place) for n in (1, 2)]
        coordinators[place.name] = make_user(
            role=Role.COORDINATOR, organization=centres[place.name], municipality=place
        )
        for org in (centres[place.name], *schools[place.name]):
            executors[org.id] = make_user(role=Role.EXECUTOR, organization=org)
    institute = make_org(short_name="ИРО края", kind=OrgKind.CENTRE, municipality=None)
    regional_school = make_org(short_name="Школа-интернат края", municipality=None)
    executors[regional_school.id] = make_user(role=Role.EXECUTOR, organization=regional_school)
    region_coordinator = make_user(role=Role.COORDINATOR, organization=institute)
    ensure_cascade_groups()
    parsed = ParsedRoadmap(
        title=f"Региональная дорожная карта на {YEAR} год",
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        sections=[ParsedSection("1", "Организационные мероприятия", 0)],
        measures=[ParsedMeasure(n, "1", t, d, r, position=i) for i, (n, t, d, r) in enumerate(MEASURES)],
    )
    roadmap = create_roadmap(parsed, user=region_coordinator)
    publish_roadmap(roadmap, region_coordinator)
    db.session.flush()
    return Region(
        alpha, beta, centres, schools, institute, regional_school, region_coordinator, coordinators, executors, roadmap
    )


def _organizations(measure) -> set[int]:
    return set(
        db.session.scalars(
            select(Task.organization_id).where(Task.measure_id == measure.id, Task.is_cancelled.is_(False))
        )
    )


def test_each_phrase_resolves_to_its_organizations(region):
    alpha, beta = region.alpha.name, region.beta.name
    parties = {m.number: m.parties for m in region.roadmap.measures}
    assert all(p.is_matched for ps in parties.values() for p in ps), {
        n: [p.text for p in ps] for n, ps in parties.items()
    }
    # The municipalities' centres, not the region's own institute of the same kind.
    assert _organizations(region.measure("1.1")) == {region.centres[alpha].id, region.centres[beta].id}
    every_school = {o.id for place in (alpha, beta) for o in region.schools[place]} | {region.regional_school.id}
    assert _organizations(region.measure("1.2")) == every_school
    assert _organizations(region.measure("1.3")) == {o.id for o in region.schools[alpha]}
    # A municipality named alone is the municipality itself: its centre.
    assert _organizations(region.measure("1.4")) == {region.centres[beta].id}
    group = db.session.get(OrgGroup, region.measure("1.4").parties[0].group_id)
    assert group.name == municipality_group_name(region.beta)


def test_a_municipality_name_inside_a_party_only_says_where(region, make_org):
    from roadmap.importers import match_parties
    from roadmap.plans.service import build_directory

    department = make_org(short_name="ДО АМУ г. Альфа", kind=OrgKind.DEPARTMENT, municipality=region.alpha)
    parties = match_parties("ДО АМУ г. Альфа, г. Бета", build_directory(None))
    assert [(p.text, p.id) for p in parties] == [
        ("ДО АМУ г. Альфа", department.id),
        (
            "г. Бета",
            db.session.scalar(select(OrgGroup.id).where(OrgGroup.name == municipality_group_name(region.beta))),
        ),
    ]


def test_cascade_groups_are_created_once_and_keep_remembered_aliases(region):
    again = ensure_cascade_groups()
    assert again.groups_created == 0 and again.aliases_created == 0
    assert (
        db.session.scalar(select(OrgGroup).where(OrgGroup.name == schools_group_name(region.alpha))).kind
        == OrgKind.SCHOOL
    )


def test_the_municipal_coordinator_sees_what_the_region_asks_of_their_municipality(region):
    alpha = region.coordinators[region.alpha.name]
    beta = region.coordinators[region.beta.name]
    assert [a.measure.number for a in assignments(alpha)] == ["1.1", "1.2", "1.3"]
    assert [a.measure.number for a in assignments(beta)] == ["1.1", "1.2", "1.4"]
    first = assignments(alpha)[0]
    assert first.organizations == [region.centres[region.alpha.name].short_name] and first.children == []
    assert not can_fan_out(beta, region.measure("1.3"))
    assert not can_fan_out(region.region_coordinator, region.measure("1.1"))
    assert assignments(region.region_coordinator) == []


def _fan_out_both(region):
    children = {}
    for place in (region.alpha, region.beta):
        coordinator = region.coordinators[place.name]
        result = fan_out(region.measure("1.1"), coordinator, roadmap=None, responsible=schools_group_name(place))
        assert result.created_roadmap and result.roadmap.municipality_id == place.id
        publish_roadmap(result.roadmap, coordinator)
        children[place.name] = result.measure
    db.session.flush()
    return children


def test_fan_out_creates_a_linked_municipal_measure_with_audit(region):
    coordinator = region.coordinators[region.alpha.name]
    result = fan_out(region.measure("1.1"), coordinator, roadmap=None, responsible=schools_group_name(region.alpha))
    child = result.measure
    assert child.parent_measure_id == region.measure("1.1").id
    assert (child.number, child.title, child.deadline_text) == (
        "1.1",
        "Совещание с муниципальными центрами",
        "сентябрь",
    )
    assert child.section.number == "1" and child.roadmap.status.value == "draft"
    assert "черновик" in result.message
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "measure_cascaded"))
    assert event.object_id == child.id and event.details["parent_measure_id"] == region.measure("1.1").id
    publish_roadmap(result.roadmap, coordinator)
    assert _organizations(child) == {o.id for o in region.schools[region.alpha.name]}
    with pytest.raises(CascadeError, match="уже передано"):
        fan_out(region.measure("1.1"), coordinator, roadmap=None, responsible="СОШ № 1")
    # Into a published roadmap of one's own: its tasks come at once.
    more = fan_out(
        region.measure("1.2"), coordinator, roadmap=result.roadmap, responsible=schools_group_name(region.alpha)
    )
    assert more.tasks_added == 2 and "задач создано: 2" in more.message
    assert [a.children for a in assignments(coordinator)][:2] == [[child], [more.measure]]


def test_fan_out_refuses_what_is_not_the_municipalitys(region):
    beta = region.coordinators[region.beta.name]
    with pytest.raises(CascadeError, match="не поручено"):
        fan_out(region.measure("1.3"), beta, roadmap=None, responsible="школы")
    alpha_roadmap = fan_out(
        region.measure("1.1"), region.coordinators[region.alpha.name], roadmap=None, responsible="школы"
    ).roadmap
    with pytest.raises(CascadeError, match="своего муниципалитета"):
        fan_out(region.measure("1.1"), beta, roadmap=alpha_roadmap, responsible="школы")
    with pytest.raises(CascadeError, match="кому"):
        fan_out(region.measure("1.4"), beta, roadmap=None, responsible="  ")


def _report(region, task, coverage, *, accepted):
    user = region.executors[task.organization_id]
    submit_report(
        task, user, ReportInput(held_on=date(YEAR, 9, 15), coverage_total=coverage, coverage_students=coverage - 1)
    )
    if accepted:
        coordinator = (
            region.coordinators[task.roadmap.municipality.name]
            if task.roadmap.municipality
            else region.region_coordinator
        )
        accept(task, coordinator)
    db.session.flush()


def _child_tasks(child):
    return db.session.scalars(select(Task).where(Task.measure_id == child.id).order_by(Task.organization_id)).all()


def _measure_row(report, number):
    return next(m for m in report.measures if m.number == number)


def _sum(figures: list[Figures]) -> Figures:
    total = Figures()
    for f in figures:
        total.add(f)
    return total


def test_the_regional_figures_are_the_sums_of_the_children(region):
    children = _fan_out_both(region)
    alpha_tasks, beta_tasks = _child_tasks(children[region.alpha.name]), _child_tasks(children[region.beta.name])
    _report(region, alpha_tasks[0], 30, accepted=True)
    _report(region, alpha_tasks[1], 20, accepted=False)
    _report(region, beta_tasks[0], 7, accepted=True)
    # The centre's own summary, prefilled from the roll-up, is not counted a second time.
    centre_task = db.session.scalar(
        select(Task).where(
            Task.measure_id == region.measure("1.1").id, Task.organization_id == region.centres[region.alpha.name].id
        )
    )
    _report(region, centre_task, 50, accepted=True)

    regional = monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR))
    child_figures = []
    for child in children.values():
        report = monitoring_report(child.roadmap, build_scope(child.roadmap, YEAR))
        child_figures.append(_measure_row(report, child.number).figures)
    expected = _sum(child_figures)
    got = _measure_row(regional, "1.1").figures
    assert got == expected
    assert (got.total, got.done, got.reported, got.coverage.total, got.coverage.students) == (4, 2, 3, 57, 54)
    # The roll-up's executors are the schools; the centres reported through their children.
    assert {e.name for e in regional.executors} >= {o.short_name for o in region.schools[region.alpha.name]}
    # Every surface agrees: the dashboard, the list of roadmaps, the export's task rows.
    scope = build_scope(region.roadmap, YEAR)
    summary = overview(region.roadmap, scope).summary
    assert summary == regional.summary
    assert figures_of([scope])[region.roadmap.id] == regional.summary
    rows = [r for r in task_rows(scope) if r.measure_number == "1.1"]
    assert len(rows) == 4 and sum(r.coverage_total or 0 for r in rows) == 57
    assert {r.organization_id for r in rows} == {t.organization_id for t in alpha_tasks + beta_tasks}
    # The municipal summary (what the centre reports up) is its children's figures.
    summary_figures = summary_of(centre_task)
    assert summary_figures == child_figures[0]
    beta_centre_task = db.session.scalar(
        select(Task).where(
            Task.measure_id == region.measure("1.1").id, Task.organization_id == region.centres[region.beta.name].id
        )
    )
    assert summary_of(beta_centre_task) == child_figures[1]
    assert summary_of(alpha_tasks[0]) is None  # a school's own task is no summary


def test_a_municipality_without_a_child_reports_through_its_own_task(region):
    coordinator = region.coordinators[region.alpha.name]
    result = fan_out(region.measure("1.2"), coordinator, roadmap=None, responsible=schools_group_name(region.alpha))
    publish_roadmap(result.roadmap, coordinator)
    db.session.flush()
    row = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.2")
    # Alpha's two schools through the child; Beta's two and the region's own school directly.
    assert row.figures.total == 5
    counted = {r.organization_id for r in task_rows(build_scope(region.roadmap, YEAR)) if r.measure_number == "1.2"}
    assert counted == {o.id for p in region.schools.values() for o in p} | {region.regional_school.id}


def test_a_school_moving_to_another_municipality_keeps_the_sums(region):
    children = _fan_out_both(region)
    moving = region.schools[region.alpha.name][0]
    task = next(t for t in _child_tasks(children[region.alpha.name]) if t.organization_id == moving.id)
    _report(region, task, 12, accepted=True)
    before = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.1").figures
    place_organization(moving, region.beta)
    db.session.flush()
    after = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.1").figures
    sums = _sum(
        [
            _measure_row(monitoring_report(c.roadmap, build_scope(c.roadmap, YEAR)), c.number).figures
            for c in children.values()
        ]
    )
    assert after == before == sums
    assert after.coverage.total == 12


def test_a_municipality_never_sees_another_municipalitys_child(region):
    children = _fan_out_both(region)
    beta = region.coordinators[region.beta.name]
    alpha_roadmap = children[region.alpha.name].roadmap
    assert not can_view_roadmap(beta, alpha_roadmap)
    assert alpha_roadmap.id not in {r.id for r in db.session.scalars(visible_roadmaps(beta))}
    assert all(c.roadmap_id != alpha_roadmap.id for a in assignments(beta) for c in a.children)
    assert cascaded_measures(beta) == []
    regional = cascaded_measures(region.region_coordinator)
    assert [(c.measure.number, {m.roadmap.municipality.name for m in c.children}) for c in regional] == [
        ("1.1", {region.alpha.name, region.beta.name})
    ]


def test_the_pages_of_the_cascade(app, region, make_user):
    from tests.security.conftest import login_as

    children = _fan_out_both(region)
    db.session.commit()
    alpha, beta = region.coordinators[region.alpha.name], region.coordinators[region.beta.name]
    body = login_as(app, alpha).get("/cascade/").get_data(as_text=True)
    assert children[region.alpha.name].roadmap.title in body
    assert children[region.beta.name].roadmap.title not in body
    assert "Передать в организации муниципалитета" in body  # 1.2 and 1.3 are still to pass on
    body = login_as(app, beta).get("/cascade/").get_data(as_text=True)
    assert children[region.alpha.name].roadmap.title not in body and "Методический десант" not in body
    regional = login_as(app, region.region_coordinator)
    body = regional.get("/cascade/").get_data(as_text=True)
    assert region.alpha.name in body and region.beta.name in body
    # The regional dashboard, report and export count the schools of both children.
    for path in ("", "/report", "/matrix"):
        assert regional.get(f"/roadmaps/{region.roadmap.id}{path}?year={YEAR}").status_code == 200, path
    csv = regional.get(f"/roadmaps/{region.roadmap.id}/export.csv?year={YEAR}").get_data().decode("utf-8-sig")
    assert all(o.short_name in csv for p in region.schools.values() for o in p)
    # The button: 1.3 passed on by Alpha's coordinator into its published roadmap.
    client = login_as(app, alpha)
    target = children[region.alpha.name].roadmap
    answer = client.post(
        f"/cascade/measures/{region.measure('1.3').id}/fan-out",
        data={
            f"m{region.measure('1.3').id}-roadmap": target.id,
            f"m{region.measure('1.3').id}-responsible": schools_group_name(region.alpha),
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/roadmaps/{target.id}")
    assert (
        db.session.scalar(select(Measure).where(Measure.parent_measure_id == region.measure("1.3").id)).roadmap_id
        == target.id
    )
    assert (
        login_as(app, beta)
        .post(
            f"/cascade/measures/{region.measure('1.3').id}/fan-out",
            data={f"m{region.measure('1.3').id}-roadmap": 0, f"m{region.measure('1.3').id}-responsible": "школы"},
        )
        .status_code
        == 404
    )
    refused = client.post(
        f"/cascade/measures/{region.measure('1.2').id}/fan-out", data={"roadmap": 0, "responsible": ""}
    )
    assert refused.status_code == 400 and "Укажите, кому" in refused.get_data(as_text=True)


def test_the_summary_task_page_shows_and_prefills_the_roll_up(app, region):
    from tests.security.conftest import login_as

    children = _fan_out_both(region)
    child_task = _child_tasks(children[region.alpha.name])[0]
    _report(region, child_task, 40, accepted=True)
    centre = region.centres[region.alpha.name]
    task = db.session.scalar(
        select(Task).where(Task.measure_id == region.measure("1.1").id, Task.organization_id == centre.id)
    )
    db.session.commit()
    page = login_as(app, region.executors[centre.id]).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Итоги муниципалитета по мероприятию" in page
    assert 'data-figure="total">40<' in page
    assert (
        'value="40"' in page.split('id="coverage_total"')[1].split(">")[0]
        or 'value="40"' in page.split('name="coverage_total"')[1].split(">")[0]
    )
    regional_page = login_as(app, region.region_coordinator).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-figure="total">40<' in regional_page


def test_the_region_import_creates_the_cascade_groups(app, runner, tmp_path):
    file = tmp_path / "krai.csv"
    file.write_text(
        "Полное наименование;Краткое наименование;Тип;Муниципалитет\n"
        "МКУ ЦРО г. Гамма;ЦРО г. Гамма;методический центр;г. Гамма\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["orgs", "import", str(file), "--region", "Краснодарский край"])
    assert result.exit_code == 0, result.output
    assert "Групп каскада создано: 5" in result.output  # three of the region, two of г. Гамма
    names = set(db.session.scalars(select(OrgGroup.name)))
    assert {
        "Все муниципальные центры",
        "Все школы края",
        "Школы муниципалитета г. Гамма",
        "Муниципалитет г. Гамма",
    } <= names
    again = runner.invoke(args=["orgs", "cascade-groups"])
    assert again.exit_code == 0 and "Групп каскада создано: 0, псевдонимов: 0." in again.output


def _statements(app, client, path: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_the_matrix_shows_the_childrens_tasks_under_the_regional_measure(app, region):
    from roadmap.clock import today_in
    from roadmap.plans.dashboard import MATRIX_FILTERS, OVERDUE, matrix
    from roadmap.reports.queries import cells
    from tests.security.conftest import login_as

    client = login_as(app, region.region_coordinator)
    path = f"/roadmaps/{region.roadmap.id}/matrix?year={YEAR}"
    db.session.commit()
    client.get(path)  # the session's first request loads what the later ones reuse
    before = _statements(app, client, path)
    children = _fan_out_both(region)
    alpha_tasks, beta_tasks = _child_tasks(children[region.alpha.name]), _child_tasks(children[region.beta.name])
    _report(region, alpha_tasks[0], 30, accepted=True)
    _report(region, beta_tasks[0], 7, accepted=False)
    db.session.commit()
    today = today_in(region.roadmap.timezone)
    data = matrix(region.roadmap, YEAR, today)
    scope = build_scope(region.roadmap, YEAR, today=today)
    rolled = cells(scope)
    # Every cell is the roll-up's: the same tasks under the same (measure, executor), same states.
    assert data.cells == {key: {s: n for s, n in cell.statuses.items() if n} for key, cell in rolled.items()}
    assert data.overdue == {key: cell.figures.overdue for key, cell in rolled.items() if cell.figures.overdue}
    parent = region.measure("1.1").id
    under_parent = {org for (measure, org) in data.cells if measure == parent}
    assert under_parent == {t.organization_id for t in alpha_tasks + beta_tasks}  # the schools, not the centres
    assert all(child.id not in {m.id for m in data.measures} for child in children.values())
    row = _measure_row(monitoring_report(region.roadmap, scope), "1.1").figures
    shown = [data.cells[(parent, org)] for org in under_parent]
    assert sum(sum(states.values()) for states in shown) == row.total == 4
    assert sum(states.get("accepted", 0) for states in shown) == row.done == 1
    assert sum(states.get("submitted", 0) for states in shown) == row.in_review == 1
    assert sum(data.overdue.get((parent, org), 0) for org in under_parent) == row.overdue
    # The filters apply to the rolled-up tasks too.
    late = matrix(region.roadmap, YEAR, today, status=OVERDUE)
    assert sum(late.overdue.values()) == sum(data.overdue.values()) and late.overdue
    accepted = matrix(region.roadmap, YEAR, today, status="accepted")
    assert accepted.cells == {(parent, alpha_tasks[0].organization_id): {"accepted": 1}}
    # The rows shown are the same cells: per executor of the page its states as counted, the overdue last.
    for row in data.rows:
        for executor, shown in zip(data.executors, row.cells, strict=True):
            key = (row.measure.id, executor.id)
            counted = [
                *data.cells.get(key, {}).items(),
                *([(OVERDUE, data.overdue[key])] if key in data.overdue else []),
            ]
            assert [(mark.state, mark.title.rsplit(": ", 1)[1]) for mark in shown] == [(s, str(n)) for s, n in counted]
    # The page: the schools' columns, each cell's marks, and as many queries as before the cascade.
    body = client.get(path).get_data(as_text=True)
    assert all(o.short_name in body for p in region.schools.values() for o in p)
    accepted_mark = f'<span class="cell status-accepted" title="{MATRIX_FILTERS["accepted"]}: 1">✓</span>'
    assert accepted_mark in body
    assert _statements(app, client, path) == before


def _own_roadmap(region, place, *, year=YEAR, title="Единый день профориентации"):
    """A municipal roadmap imported by the municipality itself, holding the region's measure 1.2."""
    coordinator = region.coordinators[place.name]
    parsed = ParsedRoadmap(
        title=f"Дорожная карта {place.name} на {year} год",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        sections=[ParsedSection("2", "Профориентация", 0)],
        measures=[
            ParsedMeasure("2.1", "2", title, "сентябрь", schools_group_name(place), position=0),
            ParsedMeasure("2.2", "2", "Ярмарка профессий", "октябрь", schools_group_name(place), position=1),
        ],
    )
    roadmap = create_roadmap(parsed, user=coordinator)
    publish_roadmap(roadmap, coordinator)
    db.session.flush()
    return roadmap


def test_a_measure_of_ones_own_roadmap_is_linked_and_rolls_up(region):
    from roadmap.plans.cascade import link_candidates, link_measure, linkable_measures, unlink_measure

    alpha = region.coordinators[region.alpha.name]
    own = _own_roadmap(region, region.alpha)
    mine = next(m for m in own.measures if m.number == "2.1")
    parent = region.measure("1.2")
    candidates = link_candidates(parent, linkable_measures(alpha))
    assert [m.number for m in candidates] == ["2.1", "2.2"]  # the same title first
    before = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.2").figures
    _report(region, _child_tasks(mine)[0], 25, accepted=True)
    result = link_measure(parent, alpha, mine)
    assert mine.parent_measure_id == parent.id and "связано с мероприятием 1.2" in result.message
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "measure_linked"))
    assert event.object_id == mine.id and event.details["parent_measure_id"] == parent.id
    assert [a.children for a in assignments(alpha) if a.measure.id == parent.id] == [[mine]]
    # Alpha's two schools now report through its own measure: same count, their figures.
    after = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.2").figures
    assert after.total == before.total == 5 and after.done == 1 and after.coverage.total == 25
    counted = {r.task_id for r in task_rows(build_scope(region.roadmap, YEAR)) if r.measure_number == "1.2"}
    assert {t.id for t in _child_tasks(mine)} <= counted
    assert linkable_measures(alpha) == [next(m for m in own.measures if m.number == "2.2")]
    # Unlinked: out of the roll-up again, the measure and its tasks left in place.
    undone = unlink_measure(mine, alpha)
    assert mine.parent_measure_id is None and "отвязано" in undone.message
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "measure_unlinked")).object_id == mine.id
    again = _measure_row(monitoring_report(region.roadmap, build_scope(region.roadmap, YEAR)), "1.2").figures
    assert again == before and len(_child_tasks(mine)) == 2


def test_linking_refuses_with_a_reason(region):
    from roadmap.plans.cascade import link_measure, unlink_measure
    from roadmap.plans.service import archive_roadmap

    alpha, beta = region.coordinators[region.alpha.name], region.coordinators[region.beta.name]
    own = _own_roadmap(region, region.alpha)
    mine, other = (next(m for m in own.measures if m.number == n) for n in ("2.1", "2.2"))
    beta_own = next(m for m in _own_roadmap(region, region.beta).measures if m.number == "2.1")
    with pytest.raises(CascadeError, match="не поручено вашему муниципалитету"):
        link_measure(region.measure("1.3"), beta, beta_own)  # 1.3 asks nothing of Beta
    with pytest.raises(CascadeError, match="своего муниципалитета"):
        link_measure(region.measure("1.2"), beta, mine)  # Alpha's measure
    with pytest.raises(CascadeError, match="своего муниципалитета"):
        link_measure(region.measure("1.2"), alpha, None)
    link_measure(region.measure("1.2"), alpha, mine)
    with pytest.raises(CascadeError, match="уже связано с мероприятием 1.2"):
        link_measure(region.measure("1.2"), alpha, mine)
    with pytest.raises(CascadeError, match="уже связано с мероприятием 1.2 карты .*сначала отвяжите"):
        link_measure(region.measure("1.3"), alpha, mine)
    with pytest.raises(CascadeError, match="1.2 уже передано: мероприятие 2.1"):
        link_measure(region.measure("1.2"), alpha, other)
    with pytest.raises(CascadeError, match="1.2 уже передано"):
        fan_out(region.measure("1.2"), alpha, roadmap=None, responsible="школы")
    # Another year's roadmap would count another year's tasks under this year's measure.
    next_year = next(m for m in _own_roadmap(region, region.alpha, year=YEAR + 1).measures if m.number == "2.2")
    with pytest.raises(CascadeError, match=r"не пересекается с периодом региональной карты \(01\.01\.\d{4}"):
        link_measure(region.measure("1.3"), alpha, next_year)
    archive_roadmap(own, alpha)
    with pytest.raises(CascadeError, match="в архиве"):
        link_measure(region.measure("1.3"), alpha, other)
    other.is_removed = True
    with pytest.raises(CascadeError, match="удалено"):
        link_measure(region.measure("1.3"), alpha, other)
    with pytest.raises(CascadeError, match="своего муниципалитета"):
        unlink_measure(mine, beta)
    with pytest.raises(CascadeError, match="своего муниципалитета"):
        unlink_measure(mine, region.region_coordinator)
    with pytest.raises(CascadeError, match="не связано"):
        unlink_measure(beta_own, beta)
    assert mine.parent_measure_id == region.measure("1.2").id
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "measure_linked")) == 1


def test_the_page_links_and_unlinks_and_refuses_another_municipality(app, region):
    from tests.security.conftest import login_as

    own = _own_roadmap(region, region.alpha)
    mine = next(m for m in own.measures if m.number == "2.1")
    parent = region.measure("1.2")
    beta_own = next(m for m in _own_roadmap(region, region.beta).measures if m.number == "2.1")
    db.session.commit()
    alpha, beta = (
        login_as(app, region.coordinators[region.alpha.name]),
        login_as(app, region.coordinators[region.beta.name]),
    )
    page = alpha.get("/cascade/").get_data(as_text=True)
    assert f'action="/cascade/measures/{parent.id}/link"' in page and "Связать с мероприятием региона" in page
    assert beta_own.roadmap.title not in page  # only one's own measures to choose from
    # Beta's coordinator can link neither Alpha's measure nor anything to a measure not asked of Beta.
    refused = beta.post(f"/cascade/measures/{parent.id}/link", data={f"l{parent.id}-measure": mine.id})
    assert refused.status_code == 400 and "своего муниципалитета" in refused.get_data(as_text=True)
    assert (
        beta.post(f"/cascade/measures/{region.measure('1.3').id}/link", data={"measure": beta_own.id}).status_code
        == 404
    )
    assert db.session.get(Measure, mine.id).parent_measure_id is None
    done = alpha.post(f"/cascade/measures/{parent.id}/link", data={f"l{parent.id}-measure": mine.id})
    assert done.status_code == 302 and done.headers["Location"].endswith("/cascade/")
    db.session.expire_all()
    assert db.session.get(Measure, mine.id).parent_measure_id == parent.id
    page = alpha.get("/cascade/").get_data(as_text=True)
    assert "связано с мероприятием 1.2" in page and f'action="/cascade/linked/{mine.id}/unlink"' in page
    # Another municipality's coordinator cannot undo it; the regional one is told why.
    assert beta.post(f"/cascade/linked/{mine.id}/unlink").status_code == 404
    regional = login_as(app, region.region_coordinator).post(f"/cascade/linked/{mine.id}/unlink")
    assert regional.status_code == 302
    db.session.expire_all()
    assert db.session.get(Measure, mine.id).parent_measure_id == parent.id
    unlinked = alpha.post(f"/cascade/linked/{mine.id}/unlink", follow_redirects=True).get_data(as_text=True)
    assert "отвязано от мероприятия 1.2" in unlinked
    db.session.expire_all()
    assert db.session.get(Measure, mine.id).parent_measure_id is None
    again = alpha.post(f"/cascade/linked/{mine.id}/unlink", follow_redirects=True).get_data(as_text=True)
    assert "не связано с мероприятием региона" in again


def test_a_matrix_mark_shows_its_count_above_one():
    from roadmap.plans.dashboard import MATRIX_FILTERS, OVERDUE, matrix_mark

    assert matrix_mark("planned", 1).text == "·" and matrix_mark("planned", 3).text == "·3"
    assert matrix_mark(OVERDUE, 2).title == f"{MATRIX_FILTERS[OVERDUE]}: 2"
    assert matrix_mark("unknown", 2).text == "unknown2"  # a state without a mark is named
