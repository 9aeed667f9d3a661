import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Notice, Role, Task, TaskStatus, Transition
from roadmap.tasks.workflow import (
    ConflictError,
    ReportInput,
    UploadedFile,
    WorkflowError,
    accept,
    coverage_warning,
    mark_not_applicable,
    return_report,
    submit_report,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(make_org, make_user, make_roadmap):
    school = make_org(student_count=100)
    other = make_org()
    roadmap = make_roadmap([("1.1", "Классные часы", "сентябрь", [school, other])])
    task = db.session.scalars(select(Task).where(Task.organization_id == school.id)).one()
    return {
        "task": task,
        "executor": make_user(organization=school),
        "stranger": make_user(organization=other),
        "coordinator": make_user(role=Role.COORDINATOR),
        "observer": make_user(role=Role.OBSERVER),
        "roadmap": roadmap,
    }


def test_full_cycle_is_recorded(setup):
    task, executor, coordinator = setup["task"], setup["executor"], setup["coordinator"]
    submit_report(
        task, executor, ReportInput(comment="проведено", coverage_total=50, files=[UploadedFile("отчёт.pdf", PDF)])
    )
    assert task.status == TaskStatus.SUBMITTED and task.current_report.attachments[0].original_name == "отчёт.pdf"
    return_report(task, coordinator, "coverage", "уточните")
    assert task.status == TaskStatus.RETURNED
    notice = db.session.scalars(select(Notice).where(Notice.user_id == executor.id)).one()
    assert "возвращён" in notice.text
    submit_report(task, executor, ReportInput(comment="исправлено", coverage_total=45))
    accept(task, coordinator, "спасибо")
    history = db.session.execute(
        select(Transition.from_status, Transition.to_status, Transition.user_id)
        .where(Transition.task_id == task.id)
        .order_by(Transition.id)
    ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        ("planned", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
    ]
    assert [h.user_id for h in history] == [executor.id, coordinator.id, executor.id, coordinator.id]
    assert len(task.reports) == 2 and task.sequence == 4


def test_only_executor_organization_submits(setup):
    task = setup["task"]
    for user in (setup["stranger"], setup["coordinator"], setup["observer"]):
        with pytest.raises(WorkflowError):
            submit_report(task, user, ReportInput(comment="чужой"))
    assert task.status == TaskStatus.PLANNED


def test_only_coordinator_reviews(setup):
    task = setup["task"]
    submit_report(task, setup["executor"], ReportInput(comment="сделано"))
    for user in (setup["executor"], setup["stranger"], setup["observer"]):
        with pytest.raises(WorkflowError):
            accept(task, user)
        with pytest.raises(WorkflowError):
            return_report(task, user, "other", "нет")
    with pytest.raises(WorkflowError, match="причину"):
        return_report(task, setup["coordinator"], "")
    accept(task, setup["coordinator"])
    with pytest.raises(WorkflowError):
        submit_report(task, setup["executor"], ReportInput(comment="ещё"))


def test_not_applicable_needs_a_reason_and_is_reviewed(setup):
    task = setup["task"]
    with pytest.raises(WorkflowError):
        mark_not_applicable(task, setup["executor"], "  ")
    mark_not_applicable(task, setup["executor"], "нет 9-х классов")
    assert task.status == TaskStatus.SUBMITTED and task.is_not_applicable
    accept(task, setup["coordinator"])
    assert task.workflow == "not_applicable"


def test_empty_report_and_bad_numbers_refused(setup):
    task = setup["task"]
    with pytest.raises(WorkflowError, match="Опишите"):
        submit_report(task, setup["executor"], ReportInput())
    with pytest.raises(WorkflowError, match="отрицательным"):
        submit_report(task, setup["executor"], ReportInput(comment="x", coverage_total=-1))
    with pytest.raises(WorkflowError, match="больше общего"):
        submit_report(task, setup["executor"], ReportInput(comment="x", coverage_total=5, coverage_students=10))


def test_file_type_is_checked_by_content(setup):
    task = setup["task"]
    with pytest.raises(WorkflowError, match="не принят"):
        submit_report(task, setup["executor"], ReportInput(comment="x", files=[UploadedFile("a.pdf", b"<html>")]))
    with pytest.raises(WorkflowError, match="не принят"):
        submit_report(task, setup["executor"], ReportInput(comment="x", files=[UploadedFile("a.exe", PDF)]))


def test_coverage_above_students_asks_for_confirmation(setup):
    assert coverage_warning(setup["task"], ReportInput(coverage_students=150)) is not None
    assert coverage_warning(setup["task"], ReportInput(coverage_students=90)) is None


def test_stale_version_is_a_conflict(setup):
    task = setup["task"]
    version = task.version
    submit_report(task, setup["executor"], ReportInput(comment="первый"), expected_version=version)
    with pytest.raises(ConflictError):
        accept(task, setup["coordinator"], expected_version=version)
    assert task.status == TaskStatus.SUBMITTED


def test_disabled_students_do_not_count_twice(setup):
    # 25 people, all students, 2 of them with disabilities: a valid report.
    submit_report(
        setup["task"],
        setup["executor"],
        ReportInput(comment="x", coverage_total=25, coverage_students=25, coverage_disabled=2),
    )
    assert setup["task"].status == TaskStatus.SUBMITTED


def test_a_held_date_after_the_roadmaps_today_is_refused(setup, monkeypatch):
    from datetime import date

    from roadmap.tasks import workflow

    # One reports on what was held: not later than today where the roadmap lives (a leap day too).
    monkeypatch.setattr(workflow, "today_in", lambda timezone: date(2024, 2, 29))
    task = setup["task"]  # September 2023
    with pytest.raises(WorkflowError, match=r"с 02\.03\.2023 по 29\.02\.2024: позже сегодняшнего дня нельзя"):
        submit_report(task, setup["executor"], ReportInput(held_on=date(2024, 3, 1), coverage_total=5))
    submit_report(task, setup["executor"], ReportInput(held_on=date(2024, 2, 29), coverage_total=5))
    assert task.status == TaskStatus.SUBMITTED


def test_empty_files_and_non_links_are_refused_by_name(setup):
    from roadmap.tasks.workflow import UploadedFile

    task = setup["task"]
    with pytest.raises(WorkflowError, match="«справка.pdf» пустой"):
        submit_report(task, setup["executor"], ReportInput(comment="x", files=[UploadedFile("справка.pdf", b"")]))
    with pytest.raises(WorkflowError, match="«не ссылка» — не ссылка"):
        submit_report(task, setup["executor"], ReportInput(comment="x", links="https://school.ru/news\nне ссылка"))


def test_file_names_are_cleaned_of_control_characters():
    from roadmap.tasks.workflow import clean_file_name

    assert clean_file_name("C:\\Users\\отчёт\r\n.pdf") == "отчёт .pdf"
    assert clean_file_name("../../etc/passwd\x00") == "passwd"
