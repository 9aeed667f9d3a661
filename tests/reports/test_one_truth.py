"""One truth for every figure: random worlds, every surface tells the same story.

Hypothesis builds roadmaps with organizations, measures and tasks in every state (on time, late,
accepted, returned, "not applicable" on review and accepted, cancelled, untouched; deadlines past
and to come). For each world the figures per measure, section and organization are worked out
from the ORM objects with roadmap.tasks.state (the oracle), and read back from every surface:
the dashboard page, the matrix page, the XLSX, DOCX and CSV exports, the roadmap's calendar feed
and the executors' own XLSX reports. All must equal the oracle.

The worlds live in the current calendar year (the roadmap's today is the real one, as every
surface reads it), so deadlines fall both before and after today.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta

import docx
import icalendar
import lxml.html
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.accounts.sessions import make_token
from roadmap.clock import today_in
from roadmap.extensions import db
from roadmap.models import Role, Task
from roadmap.reports.typography import NBSP

from .conftest import submit

DEADLINES = ("до 1 марта, ежегодно", "сентябрь, ежегодно", "декабрь, ежегодно", "1 раз в полугодие")
FATES = (
    "untouched",
    "submitted_on_time",
    "submitted_late",
    "accepted_on_time",
    "accepted_late",
    "returned",
    "returned_late",
    "na_submitted",
    "na_accepted",
    "cancelled",
)

world_strategy = st.fixed_dictionaries(
    {
        "orgs": st.integers(min_value=1, max_value=3),
        "measures": st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=2),  # section
                st.sampled_from(DEADLINES),
                st.integers(min_value=1, max_value=7),  # bit mask of executors
            ),
            min_size=1,
            max_size=4,
        ),
        "fates": st.lists(st.sampled_from(FATES), min_size=24, max_size=24),
        "coverage": st.lists(st.integers(min_value=0, max_value=90), min_size=24, max_size=24),
    }
)


def _text(value) -> str:
    return " ".join(str(value).replace(NBSP, " ").split())


def _int(text) -> int:
    return int(_text(text).replace(" ", ""))


class Figures(Counter):
    """total, done (accepted), reported (on review or accepted), overdue, returned, na, coverage."""


def oracle(roadmap, today) -> dict:
    """Figures per measure number, section heading and organization name, from the ORM objects."""
    by: dict[str, dict] = {
        "measure": defaultdict(Figures),
        "section": defaultdict(Figures),
        "org": defaultdict(Figures),
    }
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for task in db.session.scalars(db.select(Task).where(Task.roadmap_id == roadmap.id)):
        if task.is_cancelled:
            continue
        workflow, timeliness = task.workflow, task.timeliness(today)
        figures = Figures(total=1)
        figures["done"] = int(workflow == "accepted")
        figures["reported"] = int(timeliness in ("on_time", "late"))
        figures["overdue"] = int(timeliness == "overdue")
        figures["returned"] = int(workflow == "returned")
        figures["na"] = int(timeliness is None)
        if figures["reported"]:
            figures["coverage"] = task.current_report.coverage_total or 0
        section = f"{task.measure.section.number}. {task.measure.section.title}"
        for kind, key in (
            ("measure", task.measure.number),
            ("section", section),
            ("org", task.organization.short_name),
        ):
            by[kind][key].update(figures)
        cells[(task.measure.number, task.organization.short_name)][workflow.value] += 1
        cells[(task.measure.number, task.organization.short_name)]["overdue"] += figures["overdue"]
    by["cells"] = {key: +counter for key, counter in cells.items()}
    return by


def build_world(world, n, make_org, make_user, make_roadmap, coordinator):
    from roadmap.tasks.workflow import accept, mark_not_applicable, return_report

    today = today_in()
    orgs = [make_org(short_name=f"Школа {n}-{i}", full_name=f"Средняя школа {n}-{i}") for i in range(world["orgs"])]
    users = {org.id: make_user(role=Role.EXECUTOR, organization=org) for org in orgs}
    rows = []
    for index, (section, deadline, mask) in enumerate(world["measures"], start=1):
        executors = [org for bit, org in enumerate(orgs) if mask & (1 << bit)] or orgs[:1]
        rows.append((f"{section}.{index}", f"Мероприятие {index}", deadline, executors))
    rows.sort(key=lambda row: row[0])
    year = today.year
    roadmap = make_roadmap(
        rows,
        period=(today.replace(month=1, day=1), today.replace(month=12, day=31)),
        title=f"Карта {n} на {year} год",
    )
    tasks = db.session.scalars(db.select(Task).where(Task.roadmap_id == roadmap.id).order_by(Task.id)).all()
    for task, fate, coverage in zip(tasks, world["fates"], world["coverage"], strict=False):
        user = users[task.organization_id]
        due = datetime.combine(task.due_effective_on, time(9), tzinfo=UTC)
        when = due + timedelta(days=3) if fate.endswith("late") else due - timedelta(days=1)
        if fate == "cancelled":
            task.is_cancelled, task.cancel_reason = True, "исполнитель исключён"
        elif fate.startswith("na_"):
            mark_not_applicable(task, user, "нет таких классов")
            if fate == "na_accepted":
                accept(task, coordinator)
        elif fate != "untouched":
            submit(task, user, when, coverage_total=coverage)
            if fate.startswith("accepted"):
                accept(task, coordinator)
            elif fate.startswith("returned"):
                return_report(task, coordinator, "coverage")
    db.session.flush()
    return roadmap, orgs, users, today


# --------------------------------------------------------------------------- readers


def read_dashboard(html: str) -> dict:
    page = lxml.html.fromstring(html)
    sections = {}
    for row in page.xpath('//table[@id="sections"]/tbody/tr[@data-section]'):
        cells = [_text(td.text_content()) for td in row.xpath("./td")]
        done, applicable = re.match(r"(\d+) из (\d+)", cells[2]).groups() if "из" in cells[2] else (0, 0)
        sections[row.get("data-section")] = Figures(
            total=_int(cells[6]),
            done=int(done),
            na=_int(cells[6]) - int(applicable),
            reported=_int(cells[3]),
            returned=_int(cells[4]),
            overdue=_int(cells[5]),
        )
    executors = {}
    for row in page.xpath('//table[@id="executors"]/tbody/tr'):
        cells = [_text(td.text_content()) for td in row.xpath("./td")]
        if cells[0]:
            done, applicable = (int(x) for x in cells[3].split(" из "))
            executors[cells[1]] = (done, applicable, _int(cells[5]))
    statuses = {
        item.get("data-status"): _int(_text(item.text_content()).rsplit("—", 1)[1])
        for item in page.xpath("//*[@data-status]")
    }
    return {"sections": sections, "executors": executors, "statuses": statuses}


def read_matrix(html: str) -> dict:
    page = lxml.html.fromstring(html)
    table = page.xpath('//table[contains(@class, "matrix")]')[0]
    executors = [th.get("title") for th in table.xpath("./thead/tr/th")[1:]]
    cells: dict[tuple[str, str], Counter] = {}
    for row in table.xpath("./tbody/tr"):
        head = row.xpath("./th")
        if not head:
            continue
        number = _text(head[0].text_content()).split(" ")[0]
        for org, td in zip(executors, row.xpath("./td"), strict=True):
            counter = Counter()
            for span in td.xpath('./span[contains(@class, "cell")]'):
                state = span.get("class").split("status-")[1]
                counter[state] += int(span.get("title").rsplit(": ", 1)[1])
            if counter:
                cells[(number, org)] = counter
    return cells


def _header_index(row) -> dict[str, int]:
    return {str(name).strip(): i for i, name in enumerate(row) if name is not None}


def read_xlsx(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict[str, dict] = {"measure": {}, "org": {}}
    for sheet, kind, key_column in (("Мероприятия", "measure", "№"), ("Исполнители", "org", "Организация")):
        rows = list(wb[sheet].iter_rows(values_only=True))
        col = _header_index(rows[0])
        for row in rows[1:]:
            if not row[col["Задач"]]:
                continue
            out[kind][str(row[col[key_column]])] = Figures(
                total=row[col["Задач"]],
                done=row[col["Выполнено"]],
                reported=row[col["Включая на проверке"]],
                overdue=row[col["Просрочено"]],
                na=row[col["Не применимо"]],
                coverage=row[col["Охват участников, всего"]],
            )
    return out


def read_csv(data: bytes) -> dict:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    col = _header_index(rows[0])
    out: dict[str, dict] = {
        "measure": defaultdict(Figures),
        "section": defaultdict(Figures),
        "org": defaultdict(Figures),
    }
    for row in rows[1:]:
        figures = Figures(total=1)
        figures["done"] = int(row[col["Статус"]] == "принято")
        figures["returned"] = int(row[col["Статус"]] == "возвращено на доработку")
        figures["reported"] = int(row[col["Соблюдение срока"]] in ("в срок", "с опозданием"))
        figures["overdue"] = int(row[col["Соблюдение срока"]] == "просрочено")
        figures["na"] = int(row[col["Соблюдение срока"]] == "не применимо")
        figures["coverage"] = int(row[col["Охват: всего"]] or 0)
        number = row[col["№"]].removeprefix('="').removesuffix('"')
        for kind, key in (("measure", number), ("section", row[col["Раздел"]]), ("org", row[col["Исполнитель"]])):
            out[kind][key].update(figures)
    return out


def read_docx(data: bytes) -> dict[str, tuple[int, int]]:
    """Section heading → (done, applicable) from each section table's total row."""
    document = docx.Document(io.BytesIO(data))
    totals = {}
    headings = [
        p.text for p in document.paragraphs if p.style.name == "Heading 2" and re.match(r"^\d+\. Раздел", p.text)
    ]
    tables = [t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["№", "Мероприятие"]]
    for heading, table in zip(headings, tables, strict=True):
        match = re.search(r"задач: (\d+) из (\d+)", _text(table.rows[-1].cells[4].text))
        totals[heading] = (int(match[1]), int(match[2]))
    return totals


def read_feed(data: bytes) -> dict[str, Counter]:
    """Measure number → done and applicable summed over its occurrences."""
    out: dict[str, Counter] = defaultdict(Counter)
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        number = str(event["SUMMARY"]).split(" ")[1]
        match = re.search(r"Выполнено \(отчёт принят\): (\d+) из (\d+)", str(event["DESCRIPTION"]))
        out[number].update(done=int(match[1]), applicable=int(match[2]))
    return out


def read_executor_xlsx(data: bytes) -> Figures:
    rows = {
        str(r[0]).strip(): r[1]
        for r in openpyxl.load_workbook(io.BytesIO(data))["Итоги"].iter_rows(values_only=True)
        if r[0] is not None
    }
    return Figures(
        total=rows["Задач всего"],
        done=rows["Выполнено (отчёт принят)"],
        reported=rows["Выполнено, включая на проверке"],
        overdue=rows["просрочено"],
        returned=rows["Возвращено на доработку"],
        na=rows["Не применимо"],
        coverage=rows["Охват участников, всего"],
    )


# --------------------------------------------------------------------------- the property


def _only(figures: Figures, *names: str) -> dict[str, int]:
    return {name: figures[name] for name in names}


def _login(client, user) -> None:
    """Sign in as `user` without the login form (whose rate limit a dozen worlds would hit)."""
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = make_token(user)  # what a real login stores
        session["_fresh"] = True


def _get(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.data


@pytest.mark.slow
def test_every_surface_tells_the_same_story(app, client, make_org, make_user, make_roadmap):
    from roadmap.feeds.options import parse_options
    from roadmap.feeds.service import create_subscription

    coordinator = make_user(role=Role.COORDINATOR, login="coordinator-truth", organization=make_org())
    worlds = iter(range(10_000))

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(world=world_strategy)
    def check(world):
        n = next(worlds)
        roadmap, orgs, users, today = build_world(world, n, make_org, make_user, make_roadmap, coordinator)
        expected = oracle(roadmap, today)
        year = today.year
        _login(client, coordinator)

        base = f"/roadmaps/{roadmap.id}"
        page = read_dashboard(_get(client, f"{base}?year={year}").decode())
        names = ("total", "done", "reported", "overdue", "returned", "na")
        assert {k: _only(v, *names) for k, v in page["sections"].items()} == {
            k: _only(v, *names) for k, v in expected["section"].items()
        }
        for org, (done, applicable, overdue) in page["executors"].items():
            figures = expected["org"][org]
            assert (done, applicable, overdue) == (
                figures["done"],
                figures["total"] - figures["na"],
                figures["overdue"],
            )
        workflow_totals = Counter()
        for counter in expected["cells"].values():
            workflow_totals.update({k: v for k, v in counter.items() if k != "overdue"})
        assert {k: v for k, v in page["statuses"].items() if v} == dict(workflow_totals)

        assert read_matrix(_get(client, f"{base}/matrix?year={year}").decode()) == expected["cells"]

        xlsx = read_xlsx(_get(client, f"{base}/export.xlsx?year={year}"))
        names = ("total", "done", "reported", "overdue", "na", "coverage")
        for kind in ("measure", "org"):
            assert {k: _only(v, *names) for k, v in xlsx[kind].items()} == {
                k: _only(v, *names) for k, v in expected[kind].items()
            }, kind
        from_csv = read_csv(_get(client, f"{base}/export.csv?year={year}"))
        names = ("total", "done", "reported", "overdue", "returned", "na", "coverage")
        for kind in ("measure", "section", "org"):
            assert {k: _only(v, *names) for k, v in from_csv[kind].items()} == {
                k: _only(v, *names) for k, v in expected[kind].items()
            }, kind
        assert read_docx(_get(client, f"{base}/export.docx?year={year}")) == {
            k: (v["done"], v["total"] - v["na"]) for k, v in expected["section"].items()
        }

        options = parse_options({"status": "all", "from": f"{year}-01-01", "to": f"{year + 1}-12-31"})
        _sub, token = create_subscription(
            coordinator, name="Проверка", kind="roadmap", target_id=roadmap.id, options=options
        )
        db.session.flush()
        feed = read_feed(_get(client, f"/feeds/{token}.ics"))
        assert dict(feed) == {
            k: Counter(done=v["done"], applicable=v["total"] - v["na"]) for k, v in expected["measure"].items()
        }

        for org in orgs:
            if org.short_name not in expected["org"]:
                continue
            _login(client, users[org.id])
            own = read_executor_xlsx(_get(client, f"/reports/my.xlsx?roadmap={roadmap.id}&year={year}"))
            assert own == Figures({k: v for k, v in expected["org"][org.short_name].items() if v}), org.short_name

    check()
