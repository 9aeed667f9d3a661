"""Years side by side with predecessor roadmaps, the coordinator's conclusions, and the
monitoring order draft generated from what was missed — in the figures and in the DOCX."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from docx.text.paragraph import Paragraph
from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import AuditEvent, Conclusion, Measure, Report, Role, Task
from roadmap.plans.predecessor import predecessor_choices, set_predecessor
from roadmap.plans.service import PlanError
from roadmap.reports.compare import change_sentence, years_side_by_side
from roadmap.reports.conclusions import ConclusionError, conclusions_of, save_conclusions
from roadmap.reports.order import (
    CONTROL,
    SCHOOL_HEADS,
    MissedTarget,
    TargetsOutcome,
    draft_order,
    instructions,
    order_context,
)
from roadmap.reports.queries import Scope, YearSummary, monitoring_report
from roadmap.reports.service import build_scope, roadmap_export

from .conftest import TODAY, submit, tasks_of, utc

NBSP = "\u00a0"


def _text(value: str) -> str:
    return value.replace(NBSP, " ")


# --------------------------------------------------------------------------- three years


@pytest.fixture
def three_years(app, make_org, make_user, make_roadmap):
    """2021 and 2022 as roadmaps of their own, 2023 continuing 2022. The 2022 plan renumbered
    «Профессиональные пробы» (1.2 → 1.3) and dropped «Экскурсии»; 2023 added «Квест»."""
    org_a, org_b = make_org(short_name="МБОУ СОШ № 1"), make_org(short_name="МБОУ СОШ № 2")
    users = {o.id: make_user(role=Role.EXECUTOR, organization=o) for o in (org_a, org_b)}
    plans = {}
    rows = {
        2021: [
            ("1.1", "Классные часы", "сентябрь, ежегодно"),
            ("1.2", "Профессиональные пробы", "октябрь, ежегодно"),
            ("1.3", "Экскурсии", "ноябрь, ежегодно"),
        ],
        2022: [("1.1", "Классные часы", "сентябрь, ежегодно"), ("1.3", "Профессиональные пробы.", "октябрь, ежегодно")],
        2023: [
            ("1.1", "Классные часы", "сентябрь, ежегодно"),
            ("1.3", "Профессиональные пробы", "октябрь, ежегодно"),
            ("1.4", "Квест", "ноябрь, ежегодно"),
        ],
    }
    coverage = {2021: (40, 30), 2022: (50, 20), 2023: (30, 25)}  # per report: 1.1, the пробы
    for year, measures in rows.items():
        plans[year] = make_roadmap(
            [(n, t, d, [org_a, org_b]) for n, t, d in measures],
            period=(date(year, 1, 1), date(year, 12, 31)),
            title=f"План на {year} г.",
        )
        for task in tasks_of(plans[year]):
            if task.measure.title.startswith("Квест") or task.due_on >= TODAY:
                continue
            total = coverage[year][0] if task.measure.number == "1.1" else coverage[year][1]
            submit(
                task,
                users[task.organization_id],
                utc(year, task.due_on.month, 1),
                held_on=task.start_on,
                coverage_total=total,
                coverage_students=total,
            )
    db.session.flush()
    return plans


def _coverage_in_rows(roadmap_id: int, title: str) -> int:
    """The coverage of the reports of a measure, summed straight from the report rows."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Report.coverage_total), 0))
        .join(Task, Task.current_report_id == Report.id)
        .join(Measure, Measure.id == Task.measure_id)
        .where(Task.roadmap_id == roadmap_id, Measure.title.like(f"{title}%"))
    )


def test_three_years_with_predecessors_chosen_by_hand(three_years, make_user):
    coordinator = make_user(role=Role.COORDINATOR, organization=None)
    old, middle, new = three_years[2021], three_years[2022], three_years[2023]
    assert middle in predecessor_choices(new) and new not in predecessor_choices(middle)
    set_predecessor(middle, old.id, coordinator)
    set_predecessor(new, middle.id, coordinator)
    # A loop is refused in the coordinator's words.
    with pytest.raises(PlanError, match="нельзя указать предыдущей"):
        set_predecessor(old, new.id, coordinator)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "roadmap_predecessor_set")) == 2

    report = monitoring_report(new, Scope(new.id, 2023, TODAY))
    history = years_side_by_side(report)
    assert [(y.roadmap_id, y.plan_year) for y in history.years] == [(old.id, 2021), (middle.id, 2022), (new.id, 2023)]
    trends = {t.title: t for t in history.measures}
    expected = [_coverage_in_rows(r.id, "Профессиональные пробы") for r in (old, middle, new)]
    assert trends["Профессиональные пробы"].series(lambda f: f.coverage.total) == expected == [60, 40, 0]
    assert trends["Классные часы"].series(lambda f: f.coverage.total) == [
        _coverage_in_rows(r.id, "Классные часы") for r in (old, middle, new)
    ]
    assert trends["Классные часы"].series(lambda f: f.done) == [0, 0, 0]  # submitted, none accepted
    assert trends["Классные часы"].series(lambda f: f.reported) == [2, 2, 2]
    # «Квест» is new in 2023: nothing to compare with.
    assert trends["Квест"].values[:2] == [None, None]
    # The sections and the total add up the same rows (2023's October пробы are not due yet).
    totals = [_coverage_in_rows(r.id, "") for r in (old, middle, new)]
    assert history.total.series(lambda f: f.coverage.total) == totals == [200, 140, 60]
    assert history.sections[0].series(lambda f: f.coverage.total) == totals


def test_change_in_russian_words():
    academic = YearSummary(1, "", 2024, "academic", None)
    calendar = YearSummary(1, "", 2024, "calendar", None)
    assert _text(change_sentence("охват участников", 110, 80, academic)) == (
        "охват участников уменьшился на 27,3 % по сравнению с 2024–2025 учебным годом"
    )
    assert _text(change_sentence("количество участников", 107, 134, calendar)) == (
        "количество участников увеличилось на 25,2 % по сравнению с 2024 годом"
    )
    assert _text(change_sentence("доля выполненных задач", 5, 5, calendar)) == (
        "доля выполненных задач не изменилась по сравнению с 2024 годом"
    )
    assert _text(change_sentence("охват участников", 0, 12, calendar)) == "охват участников — 12 (в 2024 году — 0)"


def test_docx_compares_three_years_per_measure(three_years, client, make_user):
    coordinator = make_user(role=Role.COORDINATOR, organization=None)
    set_predecessor(three_years[2022], three_years[2021].id, coordinator)
    set_predecessor(three_years[2023], three_years[2022].id, coordinator)
    new = three_years[2023]
    export = roadmap_export(new, build_scope(new, 2023, today=TODAY), "docx")
    document = docx.Document(io.BytesIO(export.data))
    text = _text("\n".join(p.text for p in document.paragraphs))
    assert "Сравнительный анализ в разрезе 3-х лет: 2021 – 2023" in text
    assert "Охват участников уменьшился на 57,1 % по сравнению с 2022 годом." in text  # 140 → 60
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Мероприятие")
    header = [_text(c.text) for c in table.rows[0].cells]
    assert header[:4] == ["Мероприятие", "Охват, 2021", "Охват, 2022", "Охват, 2023"]
    rows = {r.cells[0].text: [_text(c.text) for c in r.cells[1:5]] for r in table.rows[1:]}
    assert rows["1.3. Профессиональные пробы"] == ["60", "40", "0", "−100,0 %"]
    assert rows["1.4. Квест"] == ["—", "—", "0", "—"]
    captions = re.findall(r"Рисунок (\d+)\. Сравнительный анализ охвата участников: (.+) в разрезе 3-х лет", text)
    assert [c[1] for c in captions] == ["Итого по дорожной карте", "1.1. Классные часы", "1.3. Профессиональные пробы"]
    numbers = [int(n) for n in re.findall(r"Рисунок (\d+)\.", text)]
    assert numbers == list(range(1, len(numbers) + 1))  # the pictures are numbered on from the report's


# --------------------------------------------------------------------------- conclusions


def test_conclusions_are_saved_audited_and_placed_after_their_section(data):
    section = next(s for s in data.roadmap.sections if s.number == "1")
    saved = save_conclusions(
        data.roadmap,
        2023,
        {section.id: "Семинары проведены во всех школах.\nОхват вырос.", None: "Работа выполнена в целом."},
        data.coordinator,
    )
    assert saved == 2
    assert (
        save_conclusions(
            data.roadmap, 2023, {section.id: "Семинары проведены во всех школах.\nОхват вырос."}, data.coordinator
        )
        == 0
    )
    assert conclusions_of(data.roadmap.id, 2023) == {
        f"section:{section.id}": "Семинары проведены во всех школах.\nОхват вырос.",
        "report": "Работа выполнена в целом.",
    }
    with pytest.raises(ConclusionError, match="длиннее 20\u00a0000 знаков"):
        save_conclusions(data.roadmap, 2023, {None: "а" * 20_001}, data.coordinator)
    with pytest.raises(ConclusionError, match="выберите год"):
        save_conclusions(data.roadmap, None, {None: "текст"}, data.coordinator)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "conclusion_saved")) == 1

    export = roadmap_export(data.roadmap, build_scope(data.roadmap, 2023, today=TODAY), "docx")
    document = docx.Document(io.BytesIO(export.data))
    body = list(document.element.body.iterchildren())
    texts = [("table", "") if el.tag.endswith("tbl") else ("p", Paragraph(el, document).text) for el in body]
    heading = len(texts) - 1 - texts[::-1].index(("p", "1. Раздел 1"))  # the heading, not its line in the contents
    assert texts[heading + 1][0] == "table"  # the section's figures ...
    assert texts[heading + 2] == ("p", "Выводы")  # ... then its conclusions
    assert texts[heading + 3] == ("p", "Семинары проведены во всех школах.")
    assert texts[heading + 4] == ("p", "Охват вырос.")
    whole = texts.index(("p", "Работа выполнена в целом."))
    assert texts[whole - 1] == ("p", "Выводы") and whole > texts.index(("p", "2. Раздел 2"))

    # An empty text removes the conclusion.
    save_conclusions(data.roadmap, 2023, {None: "  "}, data.coordinator)
    assert db.session.scalar(select(Conclusion.text).where(Conclusion.part == "report")) == ""
    assert "report" not in conclusions_of(data.roadmap.id, 2023)


# --------------------------------------------------------------------------- the order


def test_order_instructions_come_from_what_was_missed(data):
    """1.1 is overdue at СОШ № 3, which reported nothing; СОШ № 2 is below the average (0 of 1
    against 1 of 6); СОШ № 1 (1 of 4) is above it."""
    report = monitoring_report(data.roadmap, Scope(data.roadmap.id, 2023, TODAY))
    points = instructions(order_context(report))
    assert [p.body for p in points] == [SCHOOL_HEADS, "МКУ КНМЦ", ""]
    schools = [_text(i) for i in points[0].items]
    assert schools[0] == (
        "выполнить мероприятия дорожной карты, срок исполнения которых истёк: 1.1 «Семинар для заместителей "
        "директоров» (МБОУ СОШ № 3), и представить отчёты об их проведении"
    )
    assert schools[1].endswith("от среднего по муниципалитету (17 %) (МБОУ СОШ № 2)")
    assert schools[2].startswith("представить отчёты о проведённых мероприятиях") and schools[2].endswith(
        "(МБОУ СОШ № 3)"
    )
    assert points[-1].items == [CONTROL]

    # Nothing missed: only the closing point (no school named, no support asked for).
    for task in tasks_of(data.roadmap):
        task.due_effective_on = date(2023, 12, 31) if task.status.value == "planned" else task.due_effective_on
    db.session.flush()
    report = monitoring_report(data.roadmap, Scope(data.roadmap.id, 2023, date(2023, 6, 1)))
    bodies = [p.body for p in instructions(order_context(report))]
    assert "МКУ КНМЦ" not in bodies


def test_missed_targets_are_one_more_source(data):
    report = monitoring_report(data.roadmap, Scope(data.roadmap.id, 2023, TODAY))
    outcome = TargetsOutcome(
        met=("охват классными часами",),
        missed=(
            MissedTarget("профессиональная диагностика обучающихся 8–11 классов", "90 %", "72 %", ("МБОУ СОШ № 2",)),
        ),
    )
    context = order_context(report, lambda _report: outcome)
    items = [_text(i) for i in instructions(context)[0].items]
    assert (
        "обеспечить выполнение целевого показателя «профессиональная диагностика обучающихся 8–11 классов» "
        "(план — 90 %, факт — 72 %) (МБОУ СОШ № 2)"
    ) in items
    results = draft_order(context).results
    assert "Целевые показатели выполнены, кроме:" in results
    assert "профессиональная диагностика обучающихся 8–11 классов." in results


def test_order_docx_reads_like_an_order(data):
    from roadmap.reports.analysis_docx import order_document

    report = monitoring_report(data.roadmap, Scope(data.roadmap.id, 2023, TODAY))
    draft = draft_order(order_context(report), order_date=date(2023, 11, 20))
    draft.number = "327"
    draft.signer_position, draft.signer_name = "Директор", "А. В. Климкин"
    document = docx.Document(io.BytesIO(order_document(draft)))
    paragraphs = [_text(p.text) for p in document.paragraphs]
    assert paragraphs[0] == "МКУ «КРАСНОДАРСКИЙ НАУЧНО-МЕТОДИЧЕСКИЙ ЦЕНТР»"
    assert "ПРИКАЗ" in paragraphs
    first_table = [_text(c.text) for c in document.tables[0].rows[0].cells]
    assert first_table == ["20.11.2023", "№ 327"]
    assert any(p.endswith("ПРИКАЗЫВАЮ:") for p in paragraphs)
    start = next(i for i, p in enumerate(paragraphs) if p.endswith("ПРИКАЗЫВАЮ:"))
    numbered = [p for p in paragraphs[start + 1 :] if p]
    assert numbered[0] == f"1. {SCHOOL_HEADS}:"
    assert numbered[1].startswith("1.1. выполнить мероприятия дорожной карты") and numbered[1].endswith(";")
    assert numbered[3].startswith("1.3. представить отчёты") and numbered[3].endswith(".")
    assert numbered[4] == "2. МКУ КНМЦ:"
    assert numbered[6] == "3. Контроль за исполнением настоящего приказа оставляю за собой."
    assert [_text(c.text) for c in document.tables[-1].rows[0].cells] == ["Директор", "А. В. Климкин"]
    assert "В мониторинге приняли участие 3 организации-исполнителя." in paragraphs


# --------------------------------------------------------------------------- the demo


def test_demo_holds_three_plan_years_side_by_side(demo, client):
    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.reports.service import build_scope

    current = db.session.scalar(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED))
    archived = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.ARCHIVED)).all()
    assert len(archived) == 2
    report = monitoring_report(current, build_scope(current))
    history = years_side_by_side(report)
    year = report.scope.plan_year
    assert [y.plan_year for y in history.years] == [year - 2, year - 1, year]
    assert {y.roadmap_id for y in history.years[:2]} == {r.id for r in archived}
    # Every measure of the demo document is found in the years before (the same rows rolled over).
    assert sum(1 for m in history.measures if m.has_history) >= len(history.measures) - 1
    done = history.total.series(lambda f: f.done)
    assert done[0] > 0 and done[1] > done[0]  # the earlier years are complete, the later one better
    client.post("/login", data={"login": "coordinator", "password": "demo2026"})
    page = client.get(f"/roadmaps/{current.id}/report").get_data(as_text=True)
    assert "в разрезе 3-х лет" in page and "data-years-side-by-side" in page
