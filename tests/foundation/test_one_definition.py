"""One definition per rule: today, the time zone, the current plan year, how instants are shown.

The scan fails if a second reader of the clock or a second literal of the default zone comes
back; the other tests pin that every surface agrees with the one rule.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from roadmap import clock
from roadmap.extensions import db
from roadmap.models import AuditEvent, Role, Task, Transition
from roadmap.schedule import current_plan_year

PACKAGE = Path(__file__).resolve().parents[2] / "roadmap"

# Calls that read the system clock's date or instant: only roadmap/clock.py may make them.
# time.time() as such measures file ages and durations; turned into a date it is refused too.
CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
}

# (module, what) the scan lets through for now. Each entry must still be needed: the test
# fails when one is not, so the list only shrinks.
ALLOWED: set[tuple[str, str]] = set()


def _is_time_time(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "time"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "time"
    )


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _findings(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            if (name, node.func.attr) in CLOCK_CALLS:
                found.append((f"{name}.{node.func.attr}", node.lineno))
            elif node.func.attr == "fromtimestamp" and any(_is_time_time(arg) for arg in ast.walk(node)):
                found.append(("fromtimestamp(time.time())", node.lineno))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "Europe/Moscow" in node.value
            and id(node) not in docstrings
        ):
            found.append(("Europe/Moscow", node.lineno))
        elif isinstance(node, ast.Constant) and node.value == "TIMEZONE":
            found.append(("config TIMEZONE", node.lineno))  # the app-wide zone: clock.app_zone()
    return found


def test_only_the_clock_reads_today_and_the_zone():
    offending, used = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE.parent).as_posix()
        if module == "roadmap/clock.py":
            continue
        for what, line in _findings(path):
            if (module, what) in ALLOWED:
                used.add((module, what))
            else:
                offending.append(f"{module}:{line}: {what}")
    assert not offending, "read the clock through roadmap.clock (today_for, today_in, now, DEFAULT_TIMEZONE):\n" + (
        "\n".join(offending)
    )
    assert used >= ALLOWED, f"no longer needed, remove from ALLOWED: {sorted(ALLOWED - used)}"


def test_the_scan_sees_what_it_forbids(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Europe/Moscow in a docstring is prose."""\n'
        "import datetime as dt\n"
        "from datetime import date, datetime\n"
        "a = date.today()\n"
        "b = datetime.now()\n"
        "c = dt.datetime.utcnow()\n"
        "d = date.fromtimestamp(time.time() - 86400)\n"
        "zone = 'Europe/Moscow'\n"
        "app_zone = config.get('TIMEZONE')\n"
        "age = time.time() - mtime\n",
        encoding="utf-8",
    )
    assert _findings(sample) == [
        ("date.today", 4),
        ("datetime.now", 5),
        ("datetime.utcnow", 6),
        ("fromtimestamp(time.time())", 7),
        ("Europe/Moscow", 8),
        ("config TIMEZONE", 9),
    ]


def test_today_is_the_date_in_the_zone_not_on_the_server(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 14, 21, 30, tzinfo=UTC))
    assert clock.today_in("Europe/Moscow") == date(2026, 3, 15)
    assert clock.today_in("UTC") == date(2026, 3, 14)
    assert clock.today_in() == date(2026, 3, 15)  # outside an app: the default zone


def test_a_roadmap_zone_wins_over_the_app_zone(app, monkeypatch):
    class Zoned:
        timezone = "Asia/Vladivostok"

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 14, 14, 30, tzinfo=UTC))
    app.config["TIMEZONE"] = "UTC"
    assert clock.app_zone() == "UTC"
    assert clock.today_for(None) == date(2026, 3, 14)
    assert clock.today_for(Zoned()) == date(2026, 3, 15)
    assert clock.zone_label("Europe/Moscow") == "МСК"
    assert clock.zone_label("UTC") == "UTC"


# ------------------------------------------------------------------ the current plan year


@pytest.mark.parametrize(
    ("period", "year_type", "today", "years", "expected"),
    [
        # academic 2025/26 – 2026/27: March 2026 is in 2025/26
        ((date(2025, 9, 1), date(2027, 8, 31)), "academic", date(2026, 3, 15), None, 2025),
        ((date(2025, 9, 1), date(2027, 8, 31)), "academic", date(2026, 9, 1), None, 2026),
        # before the first plan year: the first; after the last: the last
        ((date(2025, 9, 1), date(2027, 8, 31)), "academic", date(2024, 1, 10), None, 2025),
        ((date(2025, 9, 1), date(2027, 8, 31)), "academic", date(2030, 1, 10), None, 2026),
        ((date(2023, 1, 1), date(2025, 12, 31)), "calendar", date(2024, 3, 15), None, 2024),
        # limited to the years that have tasks: the latest not after it, else the earliest
        ((date(2023, 1, 1), date(2025, 12, 31)), "calendar", date(2024, 3, 15), [2023, 2025], 2023),
        ((date(2023, 1, 1), date(2025, 12, 31)), "calendar", date(2023, 3, 15), [2024, 2025], 2024),
        ((date(2023, 1, 1), date(2025, 12, 31)), "calendar", date(2024, 3, 15), [], None),
    ],
)
def test_current_plan_year(period, year_type, today, years, expected):
    assert current_plan_year(period[0], period[1], year_type, today, years) == expected


@pytest.fixture
def academic(app, make_org, make_user, make_roadmap, monkeypatch):
    """An academic roadmap 2025/26 – 2026/27 with tasks in both plan years; today 15 March 2026."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 15, 9, 0, tzinfo=UTC))
    school = make_org(short_name="МБОУ СОШ № 7")
    make_user(organization=school, login="school7")
    make_user(role=Role.COORDINATOR, login="coord7")
    roadmap = make_roadmap(
        [("1.1", "Классный час", "сентябрь, ежегодно", [school])],
        period=(date(2025, 9, 1), date(2027, 8, 31)),
        year_type="academic",
        title="План на 2025–2027 учебные годы",
    )
    years = sorted({t.plan_year for t in db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id))})
    assert years == [2025, 2026]
    return roadmap


def _selected_year(html: str) -> str:
    match = re.search(r'<select[^>]*id="year".*?</select>', html, re.S)
    assert match, "no year selector on the page"
    selected = re.search(r"<option(?: value=\"(\d+)\")? selected>(\d+)", match.group(0))
    assert selected, "no year selected"
    return selected.group(1) or selected.group(2)


def test_every_surface_opens_on_the_same_plan_year(client, auth, academic):
    auth.login("coord7")
    dashboard = client.get(f"/roadmaps/{academic.id}")
    assert dashboard.status_code == 200
    assert _selected_year(dashboard.get_data(as_text=True)) == "2025"
    export = client.get(f"/roadmaps/{academic.id}/export.csv")
    assert export.status_code == 200
    assert f"roadmap-{academic.id}-report-2025" in export.headers["Content-Disposition"]
    auth.logout()
    auth.login("school7")
    mine = client.get("/tasks")
    assert mine.status_code == 200
    assert _selected_year(mine.get_data(as_text=True)) == "2025"


# ------------------------------------------------------------------ instants shown to people


def test_a_late_evening_transition_shows_as_the_next_day_moscow_time(client, auth, make_org, make_user, make_roadmap):
    from roadmap import audit
    from roadmap.tasks.workflow import ReportInput, submit_report

    school = make_org(short_name="МБОУ СОШ № 8")
    executor = make_user(organization=school, login="school8")
    make_user(role=Role.ADMIN, login="admin8", organization=None)
    roadmap = make_roadmap([("1.1", "Классный час", "сентябрь, ежегодно", [school])])
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).first()
    submit_report(task, executor, ReportInput(comment="Проведено"))
    audit.record("report_submitted", obj=task, summary="Отчёт по задаче")
    db.session.flush()
    moment = datetime(2023, 9, 20, 21, 30, tzinfo=UTC)
    for transition in db.session.scalars(select(Transition).where(Transition.task_id == task.id)):
        transition.at = moment
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report_submitted")):
        event.at = moment
    db.session.flush()

    auth.login("school8")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "21.09.2023 00:30 МСК" in page
    assert "20.09.2023 21:30" not in page
    auth.logout()
    auth.login("admin8")
    log = client.get("/admin/audit?action=report_submitted").get_data(as_text=True)
    assert "21.09.2023 00:30:00 МСК" in log
    assert "Когда (МСК)" in log


def test_natural_order_compares_numbers_as_numbers():
    from roadmap.russian import natural_key

    names = ["МБОУ СОШ № 10", "МБОУ СОШ № 2", "мбоу сош № 1", "МБОУ СОШ № 11", "Гимназия № 3", "МБОУ СОШ №2а"]
    assert sorted(names, key=natural_key) == [
        "Гимназия № 3",
        "мбоу сош № 1",
        "МБОУ СОШ № 2",
        "МБОУ СОШ №2а",  # spacing is not a difference
        "МБОУ СОШ № 10",
        "МБОУ СОШ № 11",
    ]
