"""Rework keeps the evidence: a corrected report starts with the returned report's files and links;
each carried file has its own row and file (the files check stays clean); the reviewer sees what
changed since the return; the review queue filters and goes on to the next report."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Attachment, Report, Role, Task, TaskStatus
from roadmap.tasks.dates import held_on_range, held_on_refusal
from roadmap.tasks.files import TEMP_PREFIX, check_files
from roadmap.tasks.review import QueueFilter, QueueKind, changes_since_return, filter_choices, place_in_queue, queue
from roadmap.tasks.workflow import (
    ConflictError,
    ReportInput,
    UploadedFile,
    WorkflowError,
    accept,
    mark_not_applicable,
    return_report,
    submit_report,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF2 = b"%PDF-1.4\n% another one\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def uploads(app, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    app.config["UPLOAD_FOLDER"] = folder
    return folder


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 2")
    other = make_org(short_name="СОШ № 10")
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "сентябрь", [school, other]), ("2.1", "Собрания", "октябрь", [school, other])]
    )
    tasks = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id).order_by(Task.id)).all()
    own = next(t for t in tasks if t.organization_id == school.id and t.measure.number == "1.1")
    return {
        "roadmap": roadmap,
        "tasks": tasks,
        "task": own,
        "school": school,
        "other": other,
        "executor": make_user(organization=school),
        "other_executor": make_user(organization=other),
        "coordinator": make_user(role=Role.COORDINATOR),
    }


def _returned_with_evidence(world):
    task, executor, coordinator = world["task"], world["executor"], world["coordinator"]
    submit_report(
        task,
        executor,
        ReportInput(
            comment="Проведено",
            coverage_total=10,
            links="https://school.ru/news/1\nhttps://school.ru/news/2",
            files=[UploadedFile("справка.pdf", PDF), UploadedFile("фото.png", PNG)],
        ),
    )
    return_report(task, coordinator, "coverage", "уточните охват")
    db.session.commit()
    return db.session.get(Report, task.current_report_id)


def test_a_corrected_report_keeps_the_returned_reports_files_and_links(uploads, world):
    task, executor = world["task"], world["executor"]
    old = _returned_with_evidence(world)
    old_names = {a.stored_name for a in old.attachments}
    keep = [a.id for a in old.attachments if a.original_name == "справка.pdf"]
    new = submit_report(
        task,
        executor,
        ReportInput(
            comment="Проведено",
            coverage_total=25,
            keep_files=keep,
            keep_links=["https://school.ru/news/1"],
            links="https://school.ru/news/3",
        ),
        expected_version=task.version,
    )
    db.session.commit()
    assert task.status == TaskStatus.SUBMITTED and task.current_report_id == new.id
    assert new.link_list == ["https://school.ru/news/1", "https://school.ru/news/3"]
    (carried,) = new.attachments
    assert carried.original_name == "справка.pdf" and carried.sha256 == old.attachments[0].sha256
    assert carried.stored_name not in old_names  # its own file: either row may go without the other
    assert (uploads / carried.stored_name).read_bytes() == PDF
    assert {a.stored_name for a in db.session.get(Report, old.id).attachments} == old_names  # the old report intact
    assert check_files().clean
    assert not [p for p in uploads.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_files_check_stays_clean_after_a_resubmission_and_a_rollback(uploads, world, runner):
    task, executor = world["task"], world["executor"]
    old = _returned_with_evidence(world)
    ids = [a.id for a in old.attachments]
    submit_report(task, executor, ReportInput(comment="не дошло", keep_files=ids))
    db.session.rollback()
    submit_report(db.session.get(Task, task.id), executor, ReportInput(comment="исправлено", keep_files=ids))
    db.session.commit()
    assert db.session.scalar(select(func.count(Attachment.id))) == 4
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 0, result.output
    assert "Расхождений нет" in result.output


def test_a_rolled_back_resubmission_leaves_only_the_first_reports_files(uploads, world):
    task, executor = world["task"], world["executor"]
    old = _returned_with_evidence(world)
    before = sorted(p.name for p in uploads.iterdir())
    submit_report(task, executor, ReportInput(comment="ещё", keep_files=[a.id for a in old.attachments]))
    assert len(list(uploads.iterdir())) == len(before) + 2  # written under temporary names
    db.session.rollback()
    assert sorted(p.name for p in uploads.iterdir()) == before
    assert check_files().clean


def test_a_carried_file_whose_original_is_gone_is_refused_by_name(uploads, world):
    task, executor = world["task"], world["executor"]
    old = _returned_with_evidence(world)
    photo = next(a for a in old.attachments if a.original_name == "фото.png")
    (uploads / photo.stored_name).unlink()
    with pytest.raises(WorkflowError, match="«фото.png» прошлого отчёта не найден") as refused:
        submit_report(task, executor, ReportInput(comment="x", keep_files=[photo.id]))
    assert refused.value.field == "files"


def test_only_the_previous_reports_own_files_can_be_kept(uploads, world):
    _returned_with_evidence(world)
    other_task = next(t for t in world["tasks"] if t.organization_id == world["other"].id)
    submit_report(other_task, world["other_executor"], ReportInput(comment="x", files=[UploadedFile("чужое.pdf", PDF)]))
    foreign = db.session.scalars(select(Attachment).where(Attachment.original_name == "чужое.pdf")).one()
    with pytest.raises(ConflictError):
        submit_report(world["task"], world["executor"], ReportInput(comment="x", keep_files=[foreign.id]))


def test_kept_files_alone_make_a_report(uploads, world):
    old = _returned_with_evidence(world)
    report = submit_report(world["task"], world["executor"], ReportInput(keep_files=[old.attachments[0].id]))
    assert len(report.attachments) == 1


def test_a_kept_link_that_is_not_a_link_is_refused_like_a_typed_one(uploads, world):
    _returned_with_evidence(world)
    with pytest.raises(WorkflowError, match="«школа точка ру» — не ссылка") as refused:
        submit_report(world["task"], world["executor"], ReportInput(comment="x", keep_links=["школа точка ру"]))
    assert refused.value.field == "links"


@pytest.mark.parametrize("link", ["ftp://school.ru/x", "javascript:alert(1)", "school.ru", "http://", "не ссылка"])
def test_links_must_be_http_addresses(world, link):
    with pytest.raises(WorkflowError, match="начинающийся с http:// или https://") as refused:
        submit_report(world["task"], world["executor"], ReportInput(comment="x", links=link))
    assert refused.value.field == "links"


@pytest.mark.parametrize("link", ["https://school.ru", "HTTP://SCHOOL.RU/a?b=1#c", "https://сош2.рф/новости"])
def test_http_links_pass(world, link):
    assert submit_report(world["task"], world["executor"], ReportInput(comment="x", links=link)).link_list == [link]


def test_the_reviewer_sees_what_changed_since_the_return(uploads, world):
    task, executor = world["task"], world["executor"]
    old = _returned_with_evidence(world)
    photo = next(a for a in old.attachments if a.original_name == "фото.png")
    submit_report(
        task,
        executor,
        ReportInput(
            comment="Проведено",
            coverage_total=25,
            held_on=date(2023, 9, 20),
            keep_files=[photo.id],
            keep_links=["https://school.ru/news/2"],
            links="https://school.ru/news/3",
            files=[UploadedFile("справка.pdf", PDF2), UploadedFile("план.pdf", PDF)],
        ),
    )
    changes = changes_since_return(task)
    assert changes is not None and changes.any
    fields = {c.label: (c.before, c.after) for c in changes.fields}
    assert fields == {"Охват, всего": ("10", "25"), "Дата проведения": ("—", "20.09.2023")}
    assert changes.files_changed == ["справка.pdf"]  # same name, other content
    assert changes.files_added == ["план.pdf"] and changes.files_removed == []
    assert changes.links_added == ["https://school.ru/news/3"]
    assert changes.links_removed == ["https://school.ru/news/1"]
    assert changes.summary() == "дата проведения; охват, всего; файлы: +1, заменено 1; ссылки: +1, −1"


def test_an_unchanged_resubmission_says_so_and_a_first_report_has_no_changes(uploads, world):
    task, executor = world["task"], world["executor"]
    submit_report(task, executor, ReportInput(comment="Проведено"))
    assert changes_since_return(task) is None  # never returned
    return_report(task, world["coordinator"], "other", "проверьте")
    assert changes_since_return(task) is None  # returned, nothing new yet
    submit_report(task, executor, ReportInput(comment="Проведено"))
    changes = changes_since_return(task)
    assert changes is not None and not changes.any


def test_a_removed_file_and_a_switch_to_not_applicable_are_changes(uploads, world):
    task = world["task"]
    _returned_with_evidence(world)
    mark_not_applicable(task, world["executor"], "в школе нет 9-х классов")
    changes = changes_since_return(task)
    assert ("Вид отчёта", "отчёт о проведении", "не применимо") in [
        (c.label, c.before, c.after) for c in changes.fields
    ]
    assert changes.files_removed == ["справка.pdf", "фото.png"]


# --------------------------------------------------------------------------- the held date


@pytest.mark.parametrize(
    ("held_on", "refused"),
    [
        (date(2023, 9, 15), None),
        (date(2023, 3, 2), None),  # half a year ahead: preparation counts
        (date(2023, 3, 1), "с 02.03.2023 по 01.12.2023: дата слишком далеко от срока мероприятия — проверьте год."),
        (date(2023, 12, 2), "с 02.03.2023 по 01.12.2023: позже сегодняшнего дня нельзя"),
        (date(1923, 9, 15), "проверьте год"),
    ],
)
def test_the_held_date_lies_in_a_named_range(held_on, refused):
    today = date(2023, 12, 1)
    message = held_on_refusal(held_on, date(2023, 9, 1), date(2023, 9, 30), today)
    if refused is None:
        assert message is None
    else:
        assert message.startswith("Дата проведения — ") and refused in message


def test_a_late_report_may_come_up_to_a_year_after_the_deadline():
    assert held_on_range(date(2023, 9, 1), date(2023, 9, 30), date(2026, 12, 2)) == (
        date(2023, 3, 2),
        date(2024, 9, 30),
    )
    assert held_on_refusal(date(2026, 12, 1), date(2023, 9, 1), date(2023, 9, 30), date(2026, 12, 2)).endswith(
        "проверьте год."
    )


def test_an_occurrence_far_ahead_cannot_have_been_held():
    message = held_on_refusal(date(2026, 12, 1), date(2027, 9, 1), date(2027, 9, 30), date(2026, 12, 2))
    assert "ещё не могло пройти" in message and "01.09.2027" in message


# --------------------------------------------------------------------------- the queue


def _all_submitted(world):
    for task in world["tasks"]:
        executor = world["executor"] if task.organization_id == world["school"].id else world["other_executor"]
        submit_report(task, executor, ReportInput(comment=f"отчёт {task.id}", coverage_total=5))
    db.session.flush()


def test_the_queue_filters_by_roadmap_section_organization_and_kind(world, make_roadmap):
    _all_submitted(world)
    elsewhere = make_roadmap([("1.1", "Чужая карта", "сентябрь", [world["school"]])], title="Другая карта")
    (foreign,) = db.session.scalars(select(Task).where(Task.roadmap_id == elsewhere.id)).all()
    mark_not_applicable(foreign, world["executor"], "нет классов")
    roadmap = world["roadmap"]
    section_two = next(s for s in roadmap.sections if s.number == "2")

    def ids(**kwargs):
        return {row.id for row in queue(QueueFilter(**kwargs))}

    everything = {t.id for t in world["tasks"]} | {foreign.id}
    assert ids() == everything
    assert ids(roadmap_id=roadmap.id) == {t.id for t in world["tasks"]}
    assert ids(roadmap_id=roadmap.id, section_id=section_two.id) == {
        t.id for t in world["tasks"] if t.measure.section_id == section_two.id
    }
    assert ids(organization_id=world["other"].id) == {
        t.id for t in world["tasks"] if t.organization_id == world["other"].id
    }
    assert ids(kind=QueueKind.NOT_APPLICABLE) == {foreign.id}
    assert ids(kind=QueueKind.REPORT) == {t.id for t in world["tasks"]}
    return_report(world["task"], world["coordinator"], "other", "ещё раз")
    submit_report(world["task"], world["executor"], ReportInput(comment="исправлено"))
    assert ids(kind=QueueKind.AGAIN) == {world["task"].id}
    rows = queue(QueueFilter())
    row = next(r for r in rows if r.id == world["task"].id)
    assert row.returned_before and row.report.comment == "исправлено"
    assert row.changes.summary() == "охват, всего; что сделано"  # the figure was dropped, the text rewritten
    assert all(r.changes is None for r in rows if r.id != row.id)

    choices = filter_choices(QueueFilter(roadmap_id=roadmap.id))
    assert [name for _id, name in choices.organizations] == ["СОШ № 2", "СОШ № 10"]  # numbers as numbers
    assert [title for _id, title in choices.sections] == ["1. Раздел 1", "2. Раздел 2"]
    assert {title for _id, title in choices.roadmaps} == {roadmap.title, "Другая карта"}


def test_filters_survive_the_query_string():
    filters = QueueFilter(roadmap_id=3, section_id=4, organization_id=5, kind=QueueKind.AGAIN)
    assert QueueFilter.from_args({k: str(v) for k, v in filters.as_args().items()}) == filters
    assert QueueFilter.from_args({"roadmap": "x", "kind": "что-то", "org": "-1"}) == QueueFilter()
    assert QueueFilter.from_args({"section": "4"}) == QueueFilter()  # a section only within its roadmap


def test_a_section_of_another_roadmap_is_dropped(world, make_roadmap):
    elsewhere = make_roadmap([("1.1", "Чужая карта", "сентябрь", [world["school"]])], title="Другая карта")
    own = world["roadmap"].sections[0]
    assert QueueFilter(roadmap_id=world["roadmap"].id, section_id=own.id).checked().section_id == own.id
    foreign = QueueFilter(roadmap_id=world["roadmap"].id, section_id=elsewhere.sections[0].id)
    assert foreign.checked() == QueueFilter(roadmap_id=world["roadmap"].id)


def test_the_next_report_follows_the_queue_order_and_wraps(world):
    _all_submitted(world)
    ordered = [row.id for row in queue(QueueFilter())]
    tasks = {t.id: t for t in world["tasks"]}
    first, second, *_rest, last = ordered
    place = place_in_queue(tasks[first], QueueFilter())
    assert (place.position, place.total, place.next_id) == (1, len(ordered), second)
    assert place_in_queue(tasks[last], QueueFilter()).next_id == first  # from the end back to the start
    only_other = QueueFilter(organization_id=world["other"].id)
    others = [row.id for row in queue(only_other)]
    assert place_in_queue(tasks[others[0]], only_other).next_id == others[1]
    key = (tasks[second].updated_at, second)
    accept(tasks[second], world["coordinator"])
    db.session.flush()
    after = place_in_queue(tasks[second], QueueFilter(), key=key)
    assert after.position is None and after.total == len(ordered) - 1 and after.next_id == ordered[2]


def test_the_last_decision_leaves_no_next(world):
    task = world["task"]
    submit_report(task, world["executor"], ReportInput(comment="x"))
    key = (task.updated_at, task.id)
    accept(task, world["coordinator"])
    assert place_in_queue(task, QueueFilter(), key=key).next_id is None
