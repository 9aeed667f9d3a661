import json
from datetime import date

from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Measure, Organization, Roadmap, Task, User
from roadmap.plans.examples import example_docx


def test_users_create_list_and_set_password(runner, make_org):
    org = make_org(short_name="Школа 7")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ivanova",
            "--name",
            "Иванова",
            "--role",
            "executor",
            "--org",
            "Школа 7",
            "--password",
            "secret2026",
        ]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    assert {"login": "ivanova", "role": "executor", "organization": "Школа 7"}.items() <= next(
        u for u in listed if u["login"] == "ivanova"
    ).items()
    result = runner.invoke(args=["users", "set-password", "ivanova", "--password", "another2027"])
    assert result.exit_code == 0
    user = db.session.scalar(select(User).where(User.login == "ivanova"))
    assert user.check_password("another2027") and user.organization_id == org.id


def test_users_errors_are_one_line_and_status_2(runner):
    result = runner.invoke(args=["users", "create", "x1", "--role", "executor", "--password", "secret2026"])
    assert result.exit_code == 2
    assert "организацию" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["users", "create", "weak", "--role", "admin", "--password", "123"])
    assert result.exit_code == 2 and "Пароль" in result.output
    assert runner.invoke(args=["users", "set-password", "nobody", "--password", "secret2026"]).exit_code == 2


def test_orgs_import_with_bad_rows_writes_nothing(runner, tmp_path):
    before = db.session.scalar(select(func.count(Organization.id)))
    bad = tmp_path / "orgs.csv"
    bad.write_bytes(
        "Полное наименование;Краткое наименование;Тип;Муниципалитет\n"
        "Школа № 1;СОШ 1;школа;г. Тест\n"
        ";Пусто;школа;г. Тест\n"
        "Завод;Завод;космодром;г. Тест\n".encode("cp1251")
    )
    result = runner.invoke(args=["orgs", "import", str(bad)])
    assert result.exit_code == 2
    assert "Строка 3" in result.output and "Строка 4" in result.output and "космодром" in result.output
    assert db.session.scalar(select(func.count(Organization.id))) == before
    good = tmp_path / "good.csv"
    good.write_text(
        "Полное наименование;Краткое наименование;Тип;Муниципалитет;Число обучающихся\n"
        "Школа № 1;СОШ 1;школа;г. Тест;640\nКолледж;К;СПО;г. Тест;\n",
        encoding="utf-8-sig",
    )
    result = runner.invoke(args=["orgs", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Organization.student_count).where(Organization.short_name == "СОШ 1")) == 640


def test_orgs_import_xlsx(runner, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Полное наименование", "Краткое наименование", "Тип", "Муниципалитет"])
    workbook.active.append(["Университет тестовый", "УТ", "вуз", "г. Тест"])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    assert runner.invoke(args=["orgs", "import", str(path)]).exit_code == 0
    assert db.session.scalar(select(Organization.kind).where(Organization.short_name == "УТ")).value == "university"


def test_demo_is_idempotent_and_refuses_foreign_data(runner, make_org):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "coordinator" in first.output and "demo2026" in first.output
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Organization, User, Roadmap, Task)]
    # This year's roadmap and the two years before it (archived, for the three-year comparison).
    assert counts[0] >= 41 and counts[2] == 3 and counts[3] > 3 * 500
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert [db.session.scalar(select(func.count(m.id))) for m in (Organization, User, Roadmap, Task)] == counts
    make_org(full_name="Чужая организация")
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert runner.invoke(args=["demo", "--force"]).exit_code == 0


def test_roadmap_import_json_and_dry_run(runner, tmp_path):
    path = tmp_path / "karta.docx"
    path.write_bytes(example_docx(2023))
    result = runner.invoke(args=["roadmap", "import", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == {"start": "2023-01-01", "end": "2023-12-31"} and data["year_type"] == "calendar"
    assert len(data["sections"]) == 6 and len(data["measures"]) == 48
    first = data["measures"][0]
    assert (first["number"], first["section"], first["deadline"]) == ("1.1", "1", "до 1 сентября, ежегодно")
    assert first["occurrences"] == [{"start": "2023-09-01", "due": "2023-09-01"}]
    assert db.session.scalar(select(func.count(Roadmap.id))) == 0
    result = runner.invoke(
        args=["roadmap", "import", str(path), "--period", "2024-09-01:2025-08-31", "--year-type", "academic"]
    )
    assert result.exit_code == 0, result.output
    roadmap = db.session.scalar(select(Roadmap))
    assert roadmap.period_start.isoformat() == "2024-09-01" and roadmap.year_type == "academic"
    assert db.session.scalar(select(func.count(Measure.id))) == 48


def test_roadmap_import_bad_input(runner, tmp_path):
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a document at all")
    result = runner.invoke(args=["roadmap", "import", str(junk)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert runner.invoke(args=["roadmap", "import", str(junk), "--period", "2023-01-01"]).exit_code == 2
    assert runner.invoke(args=["roadmap", "import", str(tmp_path / "missing.docx")]).exit_code == 2
    assert runner.invoke(args=["roadmap", "generate", "999"]).exit_code == 2
    assert db.session.scalar(select(func.count(Roadmap.id))) == 0


def test_roadmap_generate_reports_counts(runner, make_org, make_roadmap):
    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "ежеквартально", [org])])
    result = runner.invoke(args=["roadmap", "generate", str(roadmap.id)])
    assert result.exit_code == 0
    assert "Добавлено: 0" in result.output and "Без изменений: 4" in result.output


def test_roadmap_publish_does_what_the_button_does(runner, make_org, make_roadmap):
    from roadmap.models import RoadmapStatus

    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "ежеквартально", [org])], publish=False)
    result = runner.invoke(args=["roadmap", "publish", str(roadmap.id)])
    assert result.exit_code == 0, result.output
    assert "Дорожная карта опубликована" in result.output and "4" in result.output
    assert db.session.get(type(roadmap), roadmap.id).status == RoadmapStatus.PUBLISHED
    assert db.session.query(Task).filter(Task.roadmap_id == roadmap.id).count() == 4


def test_roadmap_publish_refuses_while_questions_remain(runner, make_org, make_roadmap):
    from roadmap.models import RoadmapStatus

    roadmap = make_roadmap([("1.1", "М", "сделать хорошо", [make_org()])], publish=False)
    result = runner.invoke(args=["roadmap", "publish", str(roadmap.id)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "Публикация невозможна" in result.output
    assert db.session.get(type(roadmap), roadmap.id).status == RoadmapStatus.DRAFT
    missing = runner.invoke(args=["roadmap", "publish", "999999"])
    assert missing.exit_code == 2 and "не найдена" in missing.output


def test_roadmap_import_dry_run_flags_a_measure_without_executor_as_the_review_does(runner, tmp_path, make_org):
    from roadmap.plans.service import review_roadmap

    make_org(short_name="МКУ КНМЦ", full_name="МКУ КНМЦ")
    path = tmp_path / "plan.csv"
    path.write_text(
        "№;Мероприятие;Сроки исполнения;Ответственный\n"
        "1;Методическая работа;;\n"
        "1.1;Семинар;сентябрь;МКУ КНМЦ\n"
        "1.2;Совещание;октябрь;—\n",
        encoding="utf-8",
    )
    period = ["--period", "2023-01-01:2023-12-31"]
    text = runner.invoke(args=["roadmap", "import", str(path), *period, "--dry-run"])
    assert text.exit_code == 0, text.output
    assert "требуют внимания: 1" in text.output
    assert "1.2: не указан ответственный" in text.output
    dry = json.loads(runner.invoke(args=["roadmap", "import", str(path), *period, "--dry-run", "--json"]).output)
    assert db.session.scalar(select(func.count(Roadmap.id))) == 0
    assert runner.invoke(args=["roadmap", "import", str(path), *period]).exit_code == 0
    reviews = review_roadmap(db.session.scalar(select(Roadmap)))
    assert {m["number"]: m["flags"] for m in dry["measures"]} == {r.measure.number: r.flags for r in reviews}
    assert {r.measure.number: r.flags for r in reviews}["1.2"] == ["responsible_empty"]


def test_roadmap_list_tells_the_dashboards_figures(runner, make_org, make_user, make_roadmap):
    from roadmap.plans.dashboard import roadmap_cards
    from roadmap.reports.typography import format_percent

    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "ежеквартально", [org])])
    card = roadmap_cards([roadmap])[roadmap.id]
    result = runner.invoke(args=["roadmap", "list"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith(f"{roadmap.id}\t"))
    f = card.figures
    assert f"выполнено {f.done} из {f.applicable} ({format_percent(f.done_ratio)}), просрочено {f.overdue}" in line
    assert f.applicable == 4 and "опубликована" in line


def test_publish_can_mark_past_deadlines_not_required(runner, make_org, make_roadmap):
    from roadmap.models import Task, Transition
    from roadmap.reports.queries import Scope, monitoring_report
    from roadmap.tasks.service import generate_tasks

    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "ежеквартально", [org])], publish=False)  # 2023: all past today
    result = runner.invoke(args=["roadmap", "publish", str(roadmap.id), "--past-not-required"])
    assert result.exit_code == 0, result.output
    assert "отмечено «не требуется»: 4" in result.output
    tasks = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).all()
    assert all(t.workflow == "not_applicable" for t in tasks)
    assert (
        db.session.scalar(select(func.count(Transition.id)).where(Transition.task_id.in_([t.id for t in tasks]))) == 4
    )
    figures = monitoring_report(roadmap, Scope(roadmap.id, 2023, date(2026, 12, 1))).summary
    assert (figures.total, figures.applicable, figures.overdue) == (4, 0, 0)
    assert generate_tasks(roadmap).written == 0  # regeneration leaves them so
    assert all(t.workflow == "not_applicable" for t in tasks)
