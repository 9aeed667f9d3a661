"""The dashboard and the exported files show the same numbers (issue 7: "the numbers in them
match the dashboards").

A roadmap with every kind of task — accepted on time and late, submitted, returned before and
after its deadline, overdue, open, "not applicable" (submitted and accepted), cancelled — is
rendered as the dashboard page and exported as XLSX, DOCX and CSV for the same plan year; each
file is parsed (openpyxl, python-docx, csv, lxml for the HTML) and its per-section and total
figures are compared with the page's, and with the values worked out by hand below. The demo
data gets the same comparison.

Plan years 2022 and 2023 (calendar), schools A–D, today 15.10.2023:

1.1 "до 1 сентября, ежегодно"  A accepted on time, B accepted late, C returned after the
                                deadline (returned *and* overdue), D never reported (overdue)
1.2 "сентябрь, ежегодно"        A submitted on time (in review), B "not applicable" submitted,
                                C "not applicable" accepted
2.1 "ноябрь, ежегодно"          A submitted early (in review), B returned before the deadline (open)
2.2 "октябрь, ежегодно"         A not reported yet (open), C cancelled, D accepted on time
2022: 1.1 A and B submitted on time and never reviewed, everything else overdue.

"Выполнено" is accepted (roadmap.tasks.state); "включая на проверке" adds the reports on review.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import docx
import lxml.html
import openpyxl
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from roadmap.extensions import db
from roadmap.models import Role
from roadmap.reports.layout import TARGET_COLUMNS
from roadmap.reports.queries import OUTCOME_LABELS, WORKFLOW_STATE_LABELS
from roadmap.reports.typography import NBSP, format_percent

from .conftest import TODAY, submit, tasks_of, utc

LABEL_STATUS = {label: name for name, label in WORKFLOW_STATE_LABELS.items()}


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


# --------------------------------------------------------------------------- what a page or file says


@dataclass
class Line:
    """Figures of one section (or of the total) as a page or a file shows them."""

    done: int
    applicable: int
    percent: str  # "60 %" as shown (a fraction in XLSX is turned into the same text)
    total: int | None = None


@dataclass
class Shown:
    sections: dict[str, Line] = field(default_factory=dict)
    total: Line | None = None
    statuses: dict[str, int] = field(default_factory=dict)  # workflow states
    executors: list[tuple[str, int, int, str]] = field(default_factory=list)  # name, done, of, %
    extra: dict[str, int] = field(default_factory=dict)
    coverage: int | None = None


def _text(value) -> str:
    return " ".join(str(value).replace(NBSP, " ").split())


def _int(text: str) -> int:
    return int(text.replace(NBSP, "").replace(" ", ""))


def _percent(ratio: float | None) -> str:
    return _text(format_percent(ratio))


DONE_OF = re.compile(r"(?:задач: )?([\d\s]+) из ([\d\s]+) \(([\d,]+ %|—)\)")


def _done_of(text: str) -> tuple[int, int, str]:
    match = DONE_OF.search(_text(text))
    assert match, text
    return _int(match[1]), _int(match[2]), match[3]


def from_dashboard(html: str) -> Shown:
    page = lxml.html.fromstring(html)
    shown = Shown()
    for row in page.xpath('//table[@id="sections"]//tr[@data-section]'):
        cells = [_text(td.text_content()) for td in row.xpath("./td")]
        done, applicable, percent = _done_of(cells[2])
        line = Line(done, applicable, percent, total=_int(cells[6]))
        for offset, name in enumerate(("reported", "returned", "overdue"), start=3):
            shown.extra[f"{row.get('data-section')}:{name}"] = _int(cells[offset])
        if row.get("data-section") == "Итого":
            shown.total = line
        else:
            shown.sections[_text(row.get("data-section"))] = line
    for card in page.xpath("//*[@data-figure]"):
        shown.extra[card.get("data-figure")] = _int(card.xpath('.//div[contains(@class, "fs-4")]')[0].text_content())
    for item in page.xpath("//*[@data-status]"):
        shown.statuses[item.get("data-status")] = _int(_text(item.text_content()).rsplit("—", 1)[1])
    for row in page.xpath('//table[@id="executors"]/tbody/tr'):
        cells = [_text(td.text_content()) for td in row.xpath("./td")]
        if cells[0]:
            done, of = (_int(x) for x in cells[3].split(" из "))
            shown.executors.append((cells[1], done, of, cells[4]))
    return shown


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def from_xlsx(data: bytes) -> Shown:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    shown = Shown()
    rows = _rows(wb["Сводка"])
    start = next(i for i, r in enumerate(rows) if r[0] == "Исполнение по разделам")
    header = rows[start + 1]
    assert header[:11] == [
        "Раздел",
        "Задач",
        "Выполнено",
        "Включая на проверке",
        "В срок",
        "С опозданием",
        "Просрочено",
        "Срок не наступил",
        "Не применимо",
        "Исполнение, %",
        "Охват, всего",
    ]
    for row in rows[start + 2 :]:
        if row[0] is None:
            break
        total, done, reported, on_time, late, _overdue, _open, not_applicable, ratio = row[1:10]
        assert all(isinstance(v, int) for v in (total, done, on_time, late, not_applicable)), row  # numbers
        assert reported == on_time + late, row
        line = Line(done, total - not_applicable, _percent(ratio), total=total)
        if row[0] == "Итого":
            shown.total = line
        else:
            shown.sections[_text(row[0])] = line
    figures: dict[str, int] = {}
    for r in rows:  # the first occurrence: the comparison block further down repeats the labels
        if isinstance(r[0], str) and isinstance(r[1], int):
            figures.setdefault(r[0].strip(), r[1])
    shown.extra.update(
        in_review=figures["На проверке"],
        returned=figures["Возвращено на доработку"],
        reported=figures["Выполнено, включая на проверке"],
        overdue=figures["просрочено"],
        done=figures["Выполнено (отчёт принят)"],
        total=figures["Задач всего"],
    )
    shown.coverage = figures["Охват участников, всего"]
    ranked = _rows(wb["Исполнители"])
    assert ranked[0][:4] == ["Место", "Организация", "Задач", "Выполнено"]
    assert (ranked[0][9], ranked[0][10]) == ("Не применимо", "Исполнение, %")
    for row in ranked[1:]:
        if row[0] is not None:
            shown.executors.append((row[1], row[3], row[2] - row[9], _percent(row[10])))
    statuses: Counter = Counter()
    for name in wb.sheetnames:
        if name in ("Сводка", "Мероприятия", "Исполнители", "Матрица", "Целевые показатели", "Сравнение по годам"):
            continue
        sheet_rows = _rows(wb[name])
        column = sheet_rows[0].index("Статус")
        statuses.update(LABEL_STATUS[r[column]] for r in sheet_rows[1:])
    shown.statuses = dict(statuses)
    return shown


def _body_items(document):
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def from_docx(data: bytes) -> Shown:
    document = docx.Document(io.BytesIO(data))
    shown = Shown()
    heading = None
    after_total_heading = False
    for item in _body_items(document):
        if isinstance(item, Paragraph):
            if item.style.name.startswith("toc"):  # the contents repeat the headings
                continue
            text = _text(item.text)
            if after_total_heading and text:
                match = re.search(r"Выполнено задач \(отчёт принят\): ([\d\s]+) из ([\d\s]+) \(([\d,]+ %|—)\)", text)
                assert match, text
                # The total is given to a tenth of a per cent; the page rounds to a whole one.
                shown.extra["total_percent_1"] = match[3]
                done, applicable = _int(match[1]), _int(match[2])
                shown.total = Line(done, applicable, _percent(done / applicable if applicable else None))
                after_total_heading = False
            if text == "Итого по дорожной карте":
                after_total_heading = True
            elif text:
                heading = text
            continue
        header = [_text(c.text) for c in item.rows[0].cells]
        if header == list(TARGET_COLUMNS):
            continue  # the targets' table (compared in test_targets_and_shares_…)
        if header[:2] == ["№", "Мероприятие"]:
            last = [c.text for c in item.rows[-1].cells]
            assert _text(last[1]) == "Итого по разделу"
            shown.sections[heading] = Line(*_done_of(last[4]))
        elif header[:2] == ["№", "Организация"]:
            rate = header.index("Исполнение, %")
            for row in item.rows[1:]:
                cells = [_text(c.text) for c in row.cells]
                shown.executors.append((cells[1], None, None, cells[rate]))
    sentences = _text(" ".join(p.text for p in document.paragraphs))
    match = re.search(r"На проверке у координатора: ([\d\s]+)\.", sentences)
    shown.extra["in_review"] = _int(match[1])
    return shown


def from_csv(data: bytes, encoding: str = "utf-8") -> Shown:
    if encoding == "utf-8":
        assert data.startswith("\ufeff".encode())
        text = data.decode("utf-8-sig")
    else:
        assert not data.startswith("\ufeff".encode()) and not data.startswith(b"\xef\xbb\xbf")
        text = data.decode(encoding)  # strict: every byte is Windows-1251
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    section, status, outcome = header.index("Раздел"), header.index("Статус"), header.index("Соблюдение срока")
    coverage = header.index("Охват: всего")
    counts: dict[str, Counter] = defaultdict(Counter)
    shown = Shown(coverage=0)
    statuses: Counter = Counter()
    for row in rows[1:]:
        for key in (_text(row[section]), "Итого"):
            counts[key]["total"] += 1
            counts[key]["done"] += row[status] == WORKFLOW_STATE_LABELS["accepted"]
            counts[key]["not_applicable"] += row[outcome] == OUTCOME_LABELS["not_applicable"]
        statuses[LABEL_STATUS[row[status]]] += 1
        shown.extra["overdue"] = shown.extra.get("overdue", 0) + (row[outcome] == OUTCOME_LABELS["overdue"])
        shown.coverage += int(row[coverage] or 0)
    for key, c in counts.items():
        applicable = c["total"] - c["not_applicable"]
        line = Line(c["done"], applicable, _percent(c["done"] / applicable if applicable else None), c["total"])
        if key == "Итого":
            shown.total = line
        else:
            shown.sections[key] = line
    shown.statuses = dict(statuses)
    return shown


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.data


def everything(client, roadmap_id: int, year) -> dict[str, Shown]:
    query = f"year={year}"
    return {
        "dashboard": from_dashboard(fetch(client, f"/roadmaps/{roadmap_id}?{query}").decode()),
        "xlsx": from_xlsx(fetch(client, f"/roadmaps/{roadmap_id}/export.xlsx?{query}")),
        "docx": from_docx(fetch(client, f"/roadmaps/{roadmap_id}/export.docx?{query}")),
        "csv": from_csv(fetch(client, f"/roadmaps/{roadmap_id}/export.csv?{query}")),
        "csv1251": from_csv(fetch(client, f"/roadmaps/{roadmap_id}/export.csv?{query}&encoding=cp1251"), "cp1251"),
    }


def assert_all_agree(shown: dict[str, Shown]) -> None:
    page = shown["dashboard"]
    assert page.sections and page.total is not None
    for name in ("xlsx", "docx", "csv", "csv1251"):
        other = shown[name]
        assert list(other.sections) == list(page.sections), name
        for heading, line in page.sections.items():
            theirs = other.sections[heading]
            assert (theirs.done, theirs.applicable, theirs.percent) == (line.done, line.applicable, line.percent), (
                name,
                heading,
            )
            if theirs.total is not None:
                assert theirs.total == line.total, (name, heading)
        assert (other.total.done, other.total.applicable, other.total.percent) == (
            page.total.done,
            page.total.applicable,
            page.total.percent,
        ), name
        if other.total.total is not None:
            assert other.total.total == page.total.total, name
    # The status distribution of the page is the count of the task rows' statuses in the files.
    nonzero = {k: v for k, v in page.statuses.items() if v}
    assert shown["xlsx"].statuses == nonzero
    assert shown["csv"].statuses == shown["csv1251"].statuses == nonzero
    # Executors ranked: the same order and percentages on the page, in XLSX and in DOCX.
    assert shown["xlsx"].executors == page.executors
    assert [(n, p) for n, _d, _o, p in shown["docx"].executors] == [(n, p) for n, _d, _o, p in page.executors]
    # The cards: totals, done, reported, in review, returned, overdue.
    xlsx = shown["xlsx"].extra
    for key in ("total", "done", "reported", "in_review", "returned", "overdue"):
        assert page.extra[key] == xlsx[key], key
    assert page.extra["in_review"] == shown["docx"].extra["in_review"]
    for key in ("reported", "returned", "overdue"):
        assert page.extra[f"Итого:{key}"] == page.extra[key], key
    assert page.extra["overdue"] == shown["csv"].extra.get("overdue", 0)
    # The returned tasks are returned everywhere, whatever their deadline.
    assert page.extra["returned"] == page.statuses["returned"]
    # Coverage: the CSV rows add up to the summary's total (one rule for what is counted).
    assert shown["csv"].coverage == shown["csv1251"].coverage == shown["xlsx"].coverage


# --------------------------------------------------------------------------- the mixed roadmap


@pytest.fixture
def fixed_today(monkeypatch):
    from roadmap.plans import dashboard
    from roadmap.reports import service

    monkeypatch.setattr(service, "today_in", lambda tz: TODAY)
    monkeypatch.setattr(dashboard, "today_in", lambda tz: TODAY)


@pytest.fixture
def mixed(app, make_org, make_user, make_roadmap, fixed_today):
    from roadmap.tasks.workflow import accept, mark_not_applicable, return_report

    orgs = {key: make_org(short_name=f"МБОУ СОШ № {n}", full_name=f"Школа № {n}") for n, key in enumerate("ABCD", 1)}
    users = {key: make_user(role=Role.EXECUTOR, organization=org) for key, org in orgs.items()}
    coordinator = make_user(role=Role.COORDINATOR, login="coordinator")
    a, b, c, d = orgs.values()
    roadmap = make_roadmap(
        [
            ("1.1", "Семинар для заместителей директоров", "до 1 сентября, ежегодно", [a, b, c, d]),
            ("1.2", "Родительское собрание", "сентябрь, ежегодно", [a, b, c]),
            ("2.1", "Профессиональные пробы", "ноябрь, ежегодно", [a, b]),
            ("2.2", "Экскурсии на предприятия", "октябрь, ежегодно", [a, c, d]),
        ],
        period=(date(2022, 1, 1), date(2023, 12, 31)),
    )
    task = {}
    for t in tasks_of(roadmap):
        key = next(k for k, o in orgs.items() if o.id == t.organization_id)
        task[(t.plan_year, t.measure.number, key)] = t

    def report(key, org, at, **fields):
        fields.setdefault("coverage_total", 10)
        return submit(task[key], users[org], at, **fields)

    report((2022, "1.1", "A"), "A", utc(2022, 8, 20))
    report((2022, "1.1", "B"), "B", utc(2022, 8, 25))

    report((2023, "1.1", "A"), "A", utc(2023, 8, 30))
    accept(task[(2023, "1.1", "A")], coordinator)
    report((2023, "1.1", "B"), "B", utc(2023, 9, 5))
    accept(task[(2023, "1.1", "B")], coordinator)
    report((2023, "1.1", "C"), "C", utc(2023, 8, 31))
    return_report(task[(2023, "1.1", "C")], coordinator, "coverage")
    report((2023, "1.2", "A"), "A", utc(2023, 9, 29))
    mark_not_applicable(task[(2023, "1.2", "B")], users["B"], "нет 9-х классов")
    mark_not_applicable(task[(2023, "1.2", "C")], users["C"], "нет 9-х классов")
    accept(task[(2023, "1.2", "C")], coordinator)
    report((2023, "2.1", "A"), "A", utc(2023, 10, 1))
    report((2023, "2.1", "B"), "B", utc(2023, 10, 2))
    return_report(task[(2023, "2.1", "B")], coordinator, "coverage")
    task[(2023, "2.2", "C")].is_cancelled = True
    report((2023, "2.2", "D"), "D", utc(2023, 10, 10))
    accept(task[(2023, "2.2", "D")], coordinator)
    db.session.flush()
    return roadmap


def login(client, login_name="coordinator", password="secret123"):
    response = client.post("/login", data={"login": login_name, "password": password})
    assert response.status_code in (302, 303)


def test_mixed_roadmap_numbers_match_in_page_and_files(client, mixed):
    login(client)
    shown = everything(client, mixed.id, 2023)
    assert_all_agree(shown)
    page = shown["dashboard"]
    # ... and they are the right numbers, worked out by hand (see the module docstring).
    assert {k: (v.done, v.applicable, v.percent, v.total) for k, v in page.sections.items()} == {
        "1. Раздел 1": (2, 5, "40 %", 7),
        "2. Раздел 2": (1, 4, "25 %", 4),
    }
    assert (page.total.done, page.total.applicable, page.total.percent, page.total.total) == (3, 9, "33 %", 11)
    assert shown["docx"].extra["total_percent_1"] == "33,3 %"
    # Two axes: 1.1 C is returned (a workflow state) and overdue (timeliness) at once.
    assert page.statuses == {
        "planned": 2,
        "returned": 2,
        "submitted": 3,
        "accepted": 3,
        "not_applicable": 1,
    }
    assert [(name[-1], done, of, percent) for name, done, of, percent in page.executors] == [
        ("4", 1, 2, "50 %"),
        ("2", 1, 2, "50 %"),
        ("1", 1, 4, "25 %"),
        ("3", 0, 1, "0 %"),
    ]
    extra = page.extra
    assert (extra["reported"], extra["done"], extra["in_review"], extra["returned"], extra["overdue"]) == (
        5,
        3,
        3,
        2,
        2,
    )
    assert (extra["1. Раздел 1:reported"], extra["1. Раздел 1:returned"], extra["1. Раздел 1:overdue"]) == (3, 1, 2)


def test_mixed_roadmap_previous_year_matches_too(client, mixed):
    login(client)
    shown = everything(client, mixed.id, 2022)
    assert_all_agree(shown)
    # 1.1 A and B reported on time and never reviewed: reported, not done.
    assert (shown["dashboard"].total.done, shown["dashboard"].total.applicable) == (0, 12)
    assert shown["dashboard"].extra["reported"] == 2


def test_all_years_match(client, mixed):
    login(client)
    shown = everything(client, mixed.id, "all")
    assert_all_agree(shown)
    assert (shown["dashboard"].total.done, shown["dashboard"].total.total) == (3, 23)


def test_dashboard_lists_overdue_tasks_of_the_report(client, mixed):
    login(client)
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{mixed.id}?year=2023").decode())
    rows = [
        " | ".join(_text(td.text_content()) for td in tr.xpath("./td"))
        for tr in page.xpath('//table[@id="overdue"]/tbody/tr')
    ]
    assert len(rows) == 2
    assert all(row.startswith("01.09.2023 | 1.1 Семинар") for row in rows), rows
    # schools C (returned after the deadline: says so) and D (never reported)
    assert {row.rsplit(" | ", 1)[0][-1]: row.rsplit(" | ", 1)[1] for row in rows} == {
        "3": "возвращено на доработку",
        "4": "запланировано",
    }
    links = page.xpath('//a[contains(@href, "/export.")]/@href')
    assert sorted(link.rsplit("/", 1)[-1] for link in links) == [
        "export.csv?year=2023",
        "export.docx?year=2023",
        "export.xlsx?year=2023",
    ]
    assert len(page.xpath('//figure[contains(@class, "chart")]/*[local-name()="svg"]')) == 4


# --------------------------------------------------------------------------- targets and the contingent


@pytest.fixture
def targeted(mixed):
    """The mixed roadmap with a contingent (grade 9: 40 students, grade 8: 30 in every school)
    and three targets; 1.1 A and B (both accepted) reported 30 and 14 students."""
    from roadmap.contingent import Band
    from roadmap.directory.service import set_contingent
    from roadmap.models import Measure, Organization, Report, Task
    from roadmap.plans.targets import set_target

    for org in db.session.scalars(db.select(Organization).where(Organization.short_name.like("МБОУ СОШ № %"))):
        set_contingent(org, {8: 30, 9: 40}, user=None)
    measures = {m.number: m for m in db.session.scalars(db.select(Measure).where(Measure.roadmap_id == mixed.id))}
    set_target(measures["1.1"], plan_year=None, kind="band_share", planned=25, band=Band(9, 9), user=None)
    set_target(measures["1.2"], plan_year=2023, kind="org_share", planned=100, user=None)
    set_target(measures["2.2"], plan_year=None, kind="events", planned=1, user=None)
    for task, students in zip(
        db.session.scalars(
            db.select(Task)
            .where(Task.measure_id == measures["1.1"].id, Task.plan_year == 2023, Task.status == "accepted")
            .order_by(Task.organization_id)
        ),
        (30, 14),
        strict=True,
    ):
        db.session.get(Report, task.current_report_id).coverage_students = students
    db.session.flush()
    return mixed


def _table_rows(table) -> list[list[str]]:
    return [[_text(td.text_content()) for td in tr.xpath("./td")] for tr in table.xpath("./tbody/tr")]


def test_targets_and_shares_of_the_contingent_match_in_page_and_files(client, targeted):
    from roadmap.reports.layout import COVERAGE_SHARE_LABEL, TARGET_COLUMNS

    login(client)
    query = "year=2023"
    report_page = lxml.html.fromstring(fetch(client, f"/roadmaps/{targeted.id}/report?{query}").decode())
    dashboard = lxml.html.fromstring(fetch(client, f"/roadmaps/{targeted.id}?{query}").decode())
    wb = openpyxl.load_workbook(io.BytesIO(fetch(client, f"/roadmaps/{targeted.id}/export.xlsx?{query}")))
    document = docx.Document(io.BytesIO(fetch(client, f"/roadmaps/{targeted.id}/export.docx?{query}")))
    rows = list(
        csv.reader(
            io.StringIO(fetch(client, f"/roadmaps/{targeted.id}/export.csv?{query}").decode("utf-8-sig")),
            delimiter=";",
        )
    )

    # The targets: the same rows on the report page, the dashboard, in DOCX and in XLSX.
    on_report = [row[:5] for row in _table_rows(report_page.xpath('//table[@id="targets"]')[0])]
    on_report = [[*row[:4], row[4].split(" ниже плана")[0]] for row in on_report]
    on_dashboard = _table_rows(dashboard.xpath('//table[@id="targets"]')[0])
    docx_table = next(t for t in document.tables if [_text(c.text) for c in t.rows[0].cells] == list(TARGET_COLUMNS))
    in_docx = [[_text(c.text).split(" ниже плана")[0] for c in r.cells] for r in docx_table.rows[1:]]
    sheet = _rows(wb["Целевые показатели"])
    header = sheet.index([*TARGET_COLUMNS, "Ниже плана"])
    in_xlsx = [[_text(v) for v in r[:5]] for r in sheet[header + 1 :]]
    expected = [
        [
            "1.1",
            "Семинар для заместителей директоров",
            "не менее 25 % обучающихся 9 классов",
            "44 из 160 (27,5 %)",
            "выполнен",
        ],
        ["1.2", "Родительское собрание", "не менее 100 % организаций", "1 из 1 (100,0 %)", "выполнен"],
        ["2.2", "Экскурсии на предприятия", "не менее 1 мероприятия", "1", "выполнен"],
    ]
    assert on_report == on_dashboard == in_docx == in_xlsx == expected
    sentence = _text(report_page.xpath('//*[@id="targets-sentence"]')[0].text_content())
    assert sentence == _text(dashboard.xpath('//*[@id="targets-sentence"]')[0].text_content())
    assert sentence == "Целевые показатели выполнены (3 из 3)."
    assert sentence in _text(" ".join(p.text for p in document.paragraphs))
    assert _text(sheet[0][0]) == sentence
    # Per organization: C and D reported nothing of 1.1: below 25 % of their grade 9.
    below = _text(report_page.xpath('//table[@id="targets"]/tbody/tr[1]/td[5]')[0].text_content())
    assert below == "выполнен ниже плана: МБОУ СОШ № 3 — 0,0 %, МБОУ СОШ № 4 — 0,0 %"

    # Coverage as a share of the band: the page, DOCX and XLSX say 27,5 % of grade 9 for 1.1 ...
    share = _text(report_page.xpath('//*[@data-share="1.1"]')[0].text_content())
    assert share == "27,5 % обучающихся 9 классов"
    assert any(share in _text(c.text) for t in document.tables for r in t.rows for c in r.cells)
    measures = _rows(wb["Мероприятия"])
    columns = measures[0]
    line = next(r for r in measures[1:] if r[0] == "1.1")
    assert line[columns.index("Контингент (классы показателя)")] == 160
    assert line[columns.index(COVERAGE_SHARE_LABEL)] == pytest.approx(44 / 160)
    # ... and the CSV's task rows add up to the same students and contingent.
    head = rows[0]
    of_measure = [r for r in rows[1:] if r[head.index("№")] == '="1.1"']
    contingent = sum(int(r[head.index("Контингент (классы показателя)")]) for r in of_measure)
    students = sum(int(r[head.index("Охват: обучающиеся")] or 0) for r in of_measure)
    assert (
        (students, contingent)
        == (44, 160)
        == (line[columns.index("обучающиеся")], line[columns.index("Контингент (классы показателя)")])
    )


# --------------------------------------------------------------------------- the demo


def test_demo_numbers_match_in_page_and_files(client, demo):
    from sqlalchemy import select

    from roadmap.models import Roadmap, RoadmapStatus

    roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
    assert roadmap is not None
    coordinator = next(account for account in demo if account.role == Role.COORDINATOR)
    login(client, coordinator.login, coordinator.password)
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{roadmap.id}").decode())
    year = page.xpath('//select[@id="year"]/option[@selected]/@value')[0]
    shown = everything(client, roadmap.id, year)
    assert_all_agree(shown)
    figures = shown["dashboard"]
    # The demo has history: something done, something overdue, something in review.
    assert figures.total.done > 0 and figures.extra["overdue"] > 0 and figures.extra["in_review"] > 0
    assert len(figures.sections) >= 3


def _change_text(ratio) -> str:
    """A change kept as a fraction in the XLSX, as the page writes it: «+25,0 %», «−27,3 %»."""
    if ratio is None:
        return "—"
    sign = "+" if ratio > 0 else ("−" if ratio < 0 else "")
    return sign + _text(format_percent(abs(ratio), places=1))


def _years_on_page(page) -> list[tuple[str, list[str]]]:
    """(number, cells) per row of the page's years-side-by-side table; the total's number is ""."""
    table = page.xpath("//table[@data-years-side-by-side]")[0]
    rows = []
    for tr in table.xpath("./tbody/tr | ./tfoot/tr"):
        heading = _text(tr.xpath("./th")[0].text_content())
        number = "" if heading == "Итого" else heading.split()[0].rstrip(".")
        rows.append((number, [_text(td.text_content()) for td in tr.xpath("./td")]))
    return rows


def _years_in_xlsx(wb, years: int) -> tuple[list[str], list[tuple[str, list[str]]]]:
    sheet = _rows(wb["Сравнение по годам"])
    start = next(i for i, r in enumerate(sheet) if r[0] == "№")
    rows = []
    for row in sheet[start + 1 :]:
        if row[1] is None:
            break
        coverage, change, done, done_change = row[2 : 2 + years], row[2 + years], row[3 + years], row[4 + years]
        assert all(v is None or isinstance(v, int) for v in (*coverage, done)), row  # numbers, not text
        shown = ["—" if v is None else _text(f"{v:,}".replace(",", " ")) for v in coverage]
        shown += [_change_text(change), "—" if done is None else str(done), _change_text(done_change)]
        rows.append((row[0] or "", shown))
    return [_text(v) for v in sheet[start] if v is not None], rows


def test_demo_years_side_by_side_match_in_page_and_xlsx(client, demo):
    """The XLSX's «Сравнение по годам» has the page's rows and figures, three years of them, and
    native charts of the total and of the measures the page and the DOCX draw."""
    from sqlalchemy import select

    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.reports.compare import years_side_by_side
    from roadmap.reports.queries import monitoring_report
    from roadmap.reports.service import build_scope

    roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
    coordinator = next(account for account in demo if account.role == Role.COORDINATOR)
    login(client, coordinator.login, coordinator.password)
    year = lxml.html.fromstring(fetch(client, f"/roadmaps/{roadmap.id}").decode()).xpath(
        '//select[@id="year"]/option[@selected]/@value'
    )[0]
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{roadmap.id}/report?year={year}").decode())
    wb = openpyxl.load_workbook(io.BytesIO(fetch(client, f"/roadmaps/{roadmap.id}/export.xlsx?year={year}")))
    history = years_side_by_side(monitoring_report(roadmap, build_scope(roadmap, int(year))))
    assert len(history.years) == 3

    header, in_xlsx = _years_in_xlsx(wb, len(history.years))
    page_header = [_text(th.text_content()) for th in page.xpath("//table[@data-years-side-by-side]/thead//th")]
    assert header[1:] == page_header
    on_page = _years_on_page(page)
    assert in_xlsx == on_page
    assert len(on_page) == len(history.sections) + len(history.measures) + 1
    # Something changed, up and down, and a measure the earlier years lacked shows «—».
    changes = {cells[len(history.years)] for _n, cells in on_page}
    assert any(c.startswith("+") for c in changes) and any(c.startswith("−") for c in changes)

    charts = wb["Сравнение по годам"]._charts
    charted = [history.total, *history.charted_measures()]
    assert len(charts) == len(charted) >= 2
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in p.r) for c in charts]
    assert all("в разрезе 3-х лет" in t for t in titles)
    assert [t.split(": ", 1)[1].rsplit(" в разрезе", 1)[0] for t in titles] == [t.heading for t in charted]


# --------------------------------------------------------------------------- date ranges


def test_date_range_exports_with_the_same_range_a_year_earlier(client, mixed):
    """November–December 2023 holds the two tasks of 2.1 (A done on time, B returned and still
    open); the same months of 2022 hold its two tasks of 2022, both overdue."""
    login(client)
    query = "from=2023-11-01&to=2023-12-31"
    rows = list(
        csv.reader(
            io.StringIO(fetch(client, f"/roadmaps/{mixed.id}/export.csv?{query}").decode("utf-8-sig")), delimiter=";"
        )
    )
    header = rows[0]
    assert [(r[header.index("№")], r[header.index("Срок")]) for r in rows[1:]] == [('="2.1"', "30.11.2023")] * 2

    doc = docx.Document(io.BytesIO(fetch(client, f"/roadmaps/{mixed.id}/export.docx?{query}")))
    text = _text(" ".join(p.text for p in doc.paragraphs))
    assert "за период с 01.11.2023 по 31.12.2023" in text
    shown = from_docx(fetch(client, f"/roadmaps/{mixed.id}/export.docx?{query}"))
    assert {k: (v.done, v.applicable, v.percent) for k, v in shown.sections.items()} == {"2. Раздел 2": (0, 2, "0 %")}
    comparison = next(t for t in doc.tables if t.rows[0].cells[0].text == "Показатель")
    assert [_text(c.text) for c in comparison.rows[0].cells] == [
        "Показатель",
        "01.11.2022 – 31.12.2022",
        "01.11.2023 – 31.12.2023",
        "Изменение к предыдущему году",
    ]
    by_label = {r.cells[0].text: [_text(c.text) for c in r.cells[1:]] for r in comparison.rows[1:]}
    assert by_label["Задач всего"] == ["2", "2", "0"]
    assert by_label["Выполнено (отчёт принят)"] == ["0", "0", "0"]
    assert by_label["Выполнено, включая на проверке"] == ["0", "1", "+1"]
    assert by_label["Исполнение, %"] == ["0,0 %", "0,0 %", "0 п.п."]

    wb = openpyxl.load_workbook(io.BytesIO(fetch(client, f"/roadmaps/{mixed.id}/export.xlsx?{query}")))
    summary = _rows(wb["Сводка"])
    assert next(r for r in summary if r[0] == "Отчётный период")[1] == "период с 01.11.2023 по 31.12.2023"
    assert next(r for r in summary if r[0] == "Задач всего")[1] == 2
    start = next(i for i, r in enumerate(summary) if r[0] == "Сравнение с предыдущими периодами")
    assert summary[start + 1][:4] == [
        "Показатель",
        "01.11.2022 – 31.12.2022",
        "01.11.2023 – 31.12.2023",
        "Изменение к предыдущему году",
    ]
    block = {r[0].strip(): r[1:4] for r in summary[start + 2 : start + 14] if r[0]}
    # The same rows as the DOCX's comparison table, with the same values.
    assert list(block) == list(by_label)
    assert block["Выполнено, включая на проверке"] == [0, 1, 1]
    assert block["Задач всего"] == [2, 2, 0]
    assert wb.sheetnames == ["Сводка", "Мероприятия", "2. Раздел 2", "Исполнители", "Матрица"]

    page = fetch(client, f"/roadmaps/{mixed.id}/report?{query}").decode()
    assert "01.11.2022 – 31.12.2022" in page and "01.11.2023 – 31.12.2023" in page


def test_plan_year_and_date_range_compare_with_the_same_range_of_the_year_before(client, mixed):
    from roadmap.models import Task

    login(client)
    doc = docx.Document(
        io.BytesIO(fetch(client, f"/roadmaps/{mixed.id}/export.docx?year=2023&from=2023-09-01&to=2023-09-30"))
    )
    comparison = next(t for t in doc.tables if t.rows[0].cells[0].text == "Показатель")
    assert [_text(c.text) for c in comparison.rows[0].cells][1:3] == [
        "01.09.2022 – 30.09.2022",
        "01.09.2023 – 30.09.2023",
    ]
    expected = [
        db.session.query(Task)
        .filter(
            Task.roadmap_id == mixed.id,
            Task.plan_year == year,
            Task.is_cancelled.is_(False),
            Task.due_on >= date(year, 9, 1),
            Task.start_on <= date(year, 9, 30),
        )
        .count()
        for year in (2022, 2023)
    ]
    total = next(r for r in comparison.rows if r.cells[0].text == "Задач всего")
    assert [int(c.text) for c in total.cells[1:3]] == expected
    assert expected[0] > 0 and expected[1] > 0


def test_date_range_before_the_roadmap_has_no_comparison(client, mixed):
    login(client)
    doc = docx.Document(io.BytesIO(fetch(client, f"/roadmaps/{mixed.id}/export.docx?from=2022-03-01&to=2022-05-31")))
    assert not [t for t in doc.tables if t.rows[0].cells[0].text == "Показатель"]


def test_dashboard_asks_for_the_plan_years_once(client, mixed):
    from sqlalchemy import event

    login(client)
    client.get(f"/roadmaps/{mixed.id}?year=2023")
    statements: list[str] = []

    def record(conn, cursor, statement, *_args):
        statements.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/roadmaps/{mixed.id}?year=2023").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plan_year_lists = [s for s in statements if s.startswith("select distinct task.plan_year")]
    assert len(plan_year_lists) == 1, plan_year_lists


def test_roadmap_list_shows_the_dashboards_figures(client, mixed, make_roadmap, make_org):
    other = make_roadmap([("1.1", "Одно мероприятие", "октябрь", [make_org()])], title="Вторая карта")
    login(client)
    listing = lxml.html.fromstring(client.get("/roadmaps/").get_data(as_text=True))
    for roadmap in (mixed, other):
        card = listing.xpath(f'//a[@href="/roadmaps/{roadmap.id}"]/ancestor::div[contains(@class, "card-body")]')[0]
        text = _text(card.text_content())
        page = from_dashboard(client.get(f"/roadmaps/{roadmap.id}").get_data(as_text=True))
        total = page.total
        assert f"выполнено {total.done} из {total.applicable} ({total.percent})" in text, text
        assert f"просрочено у {page.extra['overdue']}" in text, text
    assert "План на 2023: выполнено 3 из 9 (33 %)" in _text(listing.text_content())
    assert "4 мероприятия" in _text(listing.text_content())


def _matrix_marks(html: str) -> Counter:
    shown: Counter = Counter()
    for status, count in re.findall(r'class="cell status-(\w+)" title="[^:]+: (\d+)"', html):
        shown[status] += int(count)
    return shown


def test_matrix_cells_show_the_reports_statuses(client, mixed):
    login(client)
    shown = _matrix_marks(client.get(f"/roadmaps/{mixed.id}/matrix?year=2023").get_data(as_text=True))
    page = from_dashboard(client.get(f"/roadmaps/{mixed.id}?year=2023").get_data(as_text=True))
    overdue = shown.pop("overdue")
    assert dict(shown) == {name: n for name, n in page.statuses.items() if n}
    assert overdue == page.extra["overdue"] == 2
    late = _matrix_marks(client.get(f"/roadmaps/{mixed.id}/matrix?year=2023&status=overdue").get_data(as_text=True))
    # 1.1 C returned after its deadline and 1.1 D never reported: both overdue, in their own states.
    assert late == Counter(overdue=2, returned=1, planned=1)
    returned = _matrix_marks(
        client.get(f"/roadmaps/{mixed.id}/matrix?year=2023&status=returned").get_data(as_text=True)
    )
    assert returned == Counter(returned=2, overdue=1)


def test_demo_returned_work_is_returned_everywhere(client, demo):
    """The issue's "done when": the demo's returned reports, many past their deadline, are
    counted as returned on the dashboard, in the matrix filter and in every export."""
    from sqlalchemy import select

    from roadmap.models import Roadmap, RoadmapStatus

    roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
    coordinator = next(account for account in demo if account.role == Role.COORDINATOR)
    login(client, coordinator.login, coordinator.password)
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{roadmap.id}").decode())
    year = page.xpath('//select[@id="year"]/option[@selected]/@value')[0]
    shown = everything(client, roadmap.id, year)
    returned = shown["dashboard"].statuses["returned"]
    assert returned > 0
    assert shown["xlsx"].statuses["returned"] == shown["csv"].statuses["returned"] == returned
    marks = _matrix_marks(fetch(client, f"/roadmaps/{roadmap.id}/matrix?year={year}&status=returned").decode())
    assert marks["returned"] == returned
    # some of them past their deadline: returned *and* overdue
    assert 0 < marks["overdue"] <= returned


def test_a_share_of_a_level_total_is_said_so_in_page_docx_and_xlsx(client, targeted):
    """A school that gave only «ООО: 70» (no grades): the share of grades 5–9 takes its level
    total; the page, the DOCX and the XLSX all say so, in the one wording of roadmap.reports.layout."""
    from roadmap.contingent import Band
    from roadmap.directory.service import set_contingent
    from roadmap.models import Measure, Organization
    from roadmap.plans.targets import set_target
    from roadmap.reports.layout import CONTINGENT_FROM_LEVELS_NOTE

    school = db.session.scalars(db.select(Organization).where(Organization.short_name == "МБОУ СОШ № 1")).one()
    set_contingent(school, {}, levels={"ООО": 70}, user=None)
    measure = db.session.scalars(
        db.select(Measure).where(Measure.roadmap_id == targeted.id, Measure.number == "1.1")
    ).one()
    set_target(measure, plan_year=None, kind="band_share", planned=25, band=Band(5, 9), user=None)
    db.session.commit()
    login(client)
    query = "year=2023"
    page = lxml.html.fromstring(fetch(client, f"/roadmaps/{targeted.id}/report?{query}").decode())
    document = docx.Document(io.BytesIO(fetch(client, f"/roadmaps/{targeted.id}/export.docx?{query}")))
    wb = openpyxl.load_workbook(io.BytesIO(fetch(client, f"/roadmaps/{targeted.id}/export.xlsx?{query}")))

    assert _text(page.xpath('//*[@data-from-levels="1.1"]')[0].text_content()) == CONTINGENT_FROM_LEVELS_NOTE
    assert len(page.xpath("//*[@data-from-levels]")) == 1  # 1.2 has no band share: nothing to say
    cells = [_text(c.text) for t in document.tables for r in t.rows for c in r.cells]
    share = next(c for c in cells if CONTINGENT_FROM_LEVELS_NOTE in c)
    assert share.endswith(f"15,7 % обучающихся ООО (5–9 классы) {CONTINGENT_FROM_LEVELS_NOTE}")  # 44 of 280
    assert sum(CONTINGENT_FROM_LEVELS_NOTE in c for c in set(cells)) == 1
    measures = _rows(wb["Мероприятия"])
    columns = measures[0]
    line = next(r for r in measures[1:] if r[0] == "1.1")
    assert _text(line[columns.index("Примечание")]).startswith("Контингент — всего по уровню, без классов.")
    assert line[columns.index("Контингент (классы показателя)")] == 70 + 3 * (30 + 40)
    others = [r for r in measures[1:] if r[0] != "1.1"]
    assert not any(CONTINGENT_FROM_LEVELS_NOTE in _text(r[columns.index("Примечание")] or "").lower() for r in others)
