"""Task status transitions: submit, mark not applicable, accept, return. The caller commits.

planned/returned → submitted (report or "not applicable") → accepted | returned → submitted ...
Every transition is stored with who, when, from, to and the comment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, make_dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from roadmap import audit
from roadmap.clock import today_in
from roadmap.extensions import db
from roadmap.models import (
    Attachment,
    Notice,
    NoticeKind,
    Report,
    ReturnReason,
    Role,
    Task,
    TaskStatus,
    Transition,
    User,
    utcnow,
)
from roadmap.models.task import lock_feed_counters
from roadmap.russian import truncate
from roadmap.tasks import coverage
from roadmap.tasks import files as attachment_files
from roadmap.tasks.access import can_review, can_submit
from roadmap.tasks.batch import BatchResult, Skipped, decide_each
from roadmap.tasks.dates import held_on_range, held_on_refusal

ALLOWED_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"}
RETURN_REASONS = {reason.value: reason.label for reason in ReturnReason}


class WorkflowError(Exception):
    """A refused action; the message is Russian and safe to show. `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(WorkflowError):
    """Someone else changed the task since this form was opened."""

    def __init__(self) -> None:
        super().__init__(
            "Задачу уже изменил другой пользователь, пока вы заполняли форму. "
            "Ваши изменения не сохранены: откройте задачу заново и проверьте."
        )


@dataclass
class UploadedFile:
    filename: str
    data: bytes


# What an executor reports: the date held, a coverage_<name> figure per category of
# roadmap.tasks.coverage (built from that one list), the comment, links and files. A report that
# replaces an earlier one (returned, or still on review) may keep that report's links and files:
# ``keep_links`` (the links as they stand there) and ``keep_files`` (ids of its attachments).
ReportInput = make_dataclass(
    "ReportInput",
    [
        ("held_on", date | None, None),
        *((name, int | None, None) for name in coverage.COLUMNS),
        ("comment", str, ""),
        ("links", str, ""),
        ("files", list[UploadedFile], field(default_factory=list)),
        ("keep_links", list[str], field(default_factory=list)),
        ("keep_files", list[int], field(default_factory=list)),
    ],
)
ReportInput.__module__ = __name__


def _check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is not None and task.version != expected_version:
        raise ConflictError()


def _transition(task: Task, user: User, to_status: TaskStatus, comment: str = "", reason: str | None = None) -> None:
    db.session.add(
        Transition(
            task=task,
            user_id=user.id,
            from_status=task.status.value,
            to_status=to_status.value,
            comment=comment.strip(),
            reason=reason,
        )
    )
    task.status = to_status
    task.sequence += 1
    task.updated_at = utcnow()


def _flush() -> None:
    # No rollback here: in a batch the caller's savepoint undoes just this item.
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError() from exc


def _lock(task: Task) -> None:
    """Lock the task for a write (its roadmap's row first) and read it as committed now."""
    lock_feed_counters([task.roadmap_id])
    db.session.refresh(task, with_for_update={"key_share": True})


def detect_file_type(data: bytes, filename: str) -> str | None:
    """The content type of an allowed file, judged by its content; None when not allowed."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"%PDF-"):
        return "application/pdf" if extension == "pdf" else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png" if extension == "png" else None
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg" if extension in {"jpg", "jpeg"} else None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return {"doc": "application/msword", "xls": "application/vnd.ms-excel"}.get(extension)
    if data.startswith(b"PK\x03\x04"):
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                total = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if total > 200 * 1024 * 1024:  # a zip bomb in disguise
            return None
        if extension == "docx" and "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if extension == "xlsx" and "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def max_file_bytes() -> int:
    from flask import current_app

    return current_app.config.get("MAX_UPLOAD_MB", 10) * 1024 * 1024


# One report's request may carry several files, each up to max_file_bytes(): the form is read
# up to this many, so that a file over the limit is refused by name beside its field, with
# what was typed kept, instead of the whole request answering 413.
FILES_PER_REQUEST = 5


def report_request_bytes() -> int:
    """The largest report request read (the files plus the form's text)."""
    return FILES_PER_REQUEST * max_file_bytes() + 1024 * 1024


def previous_evidence(task: Task) -> Report | None:
    """The report whose links and files a new report of this task starts with: the current one,
    unless it is «не применимо» (or there is none)."""
    report = db.session.get(Report, task.current_report_id) if task.current_report_id else None
    return report if report is not None and not report.is_not_applicable else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_file_name(name: str) -> str:
    """The base name of an uploaded file, without control characters (they broke downloads)."""
    return " ".join(_CONTROL.sub(" ", Path((name or "").replace("\\", "/")).name).split())


def report_links(data: ReportInput) -> list[str]:
    """The links a report will carry: those kept from the previous report, then the new ones, each once."""
    links: list[str] = []
    for line in [*data.keep_links, *data.links.splitlines()]:
        link = line.strip()
        if link and link not in links:
            links.append(link)
    return links


def _check_links(links: list[str]) -> None:
    for link in links:
        if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", link, re.IGNORECASE):
            raise WorkflowError(
                f"«{link[:80]}» — не ссылка: укажите адрес, начинающийся с http:// или https://, по одному в строке.",
                field="links",
            )


def empty_file_message(name: str) -> str:
    return f"Файл «{name}» пустой (0 байт): выберите его заново."


def too_large_message(name: str) -> str:
    return f"Файл «{name}» больше {max_file_bytes() // (1024 * 1024)} МБ: уменьшите его или приложите другой."


def _validate_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    checked = []
    for upload in files:
        name = clean_file_name(upload.filename)
        if not upload.data:
            raise WorkflowError(empty_file_message(name), field="files")
        if len(upload.data) > max_file_bytes():
            raise WorkflowError(too_large_message(name), field="files")
        content_type = detect_file_type(upload.data, upload.filename)
        if content_type is None:
            raise WorkflowError(
                f"Файл «{name}» не принят: допустимы PDF, DOC, DOCX, XLS, XLSX, JPG, PNG "
                "(тип проверяется по содержимому).",
                field="files",
            )
        checked.append((upload, content_type))
    return checked


def _store_files(report: Report, user: User, files: list[tuple[UploadedFile, str]]) -> None:
    for upload, content_type in files:
        extension = upload.filename.rsplit(".", 1)[-1].lower()
        stored = attachment_files.store(upload.data, extension)
        safe_name = clean_file_name(upload.filename)[:255] or f"файл.{extension}"
        db.session.add(
            Attachment(
                report=report,
                original_name=safe_name,
                stored_name=stored,
                content_type=content_type,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                uploaded_by_id=user.id,
            )
        )


def _validate_report(task: Task, data: ReportInput) -> None:
    numbers = [getattr(data, name) for name in coverage.COLUMNS]
    if any(n is not None and n < 0 for n in numbers):
        raise WorkflowError("Охват не может быть отрицательным.", field="coverage_total")
    # The parts (students, parents, teachers) are disjoint parts of the total; ОВЗ students are among the students.
    parts = [n for name in coverage.PARTS if (n := getattr(data, coverage.column(name))) is not None]
    if data.coverage_total is not None and parts and sum(parts) > data.coverage_total:
        labels = ", ".join(c.label for c in coverage.CATEGORIES if c.is_part)
        raise WorkflowError(
            f"Сумма охвата по категориям ({labels}) больше общего охвата.",
            field="coverage_total",
        )
    # ОВЗ students are counted among the students (or, without that figure, among everyone).
    among = data.coverage_students if data.coverage_students is not None else data.coverage_total
    if data.coverage_disabled is not None and among is not None and data.coverage_disabled > among:
        raise WorkflowError(
            "Обучающихся с ОВЗ не может быть больше, чем "
            + ("обучающихся." if data.coverage_students is not None else "участников всего."),
            field="coverage_disabled",
        )
    if data.held_on:
        refusal = held_on_refusal(data.held_on, task.start_on, task.due_effective_on, today_in(task.roadmap.timezone))
        if refusal:
            raise WorkflowError(refusal, field="held_on")
    links = report_links(data)
    _check_links(links)
    if (
        not data.comment.strip()
        and data.coverage_total is None
        and not data.files
        and not data.keep_files
        and not links
    ):
        raise WorkflowError("Опишите, что сделано: комментарий, охват, ссылка или файл.", field="comment")


def held_on_limits(task: Task) -> tuple[date, date]:
    """The dates the report form accepts as «дата проведения» for this task (roadmap.tasks.dates)."""
    return held_on_range(task.start_on, task.due_effective_on, today_in(task.roadmap.timezone))


def _kept_attachments(task: Task, ids: list[int]) -> list[Attachment]:
    """The previous report's attachments the new report keeps; any other id is refused."""
    if not ids:
        return []
    previous = previous_evidence(task)
    own = {a.id: a for a in (previous.attachments if previous else [])}
    if any(i not in own for i in ids):
        raise ConflictError()
    return [own[i] for i in dict.fromkeys(ids)]


def _carry_files(report: Report, user: User, kept: list[Attachment]) -> None:
    """Each kept file gets its own row and file for the new report (roadmap.tasks.files.copy)."""
    for old in kept:
        extension = old.stored_name.rsplit(".", 1)[-1]
        try:
            stored = attachment_files.copy(old.stored_name, extension)
        except FileNotFoundError:
            raise WorkflowError(
                f"Файл «{old.original_name}» прошлого отчёта не найден на сервере: уберите его и приложите заново.",
                field="files",
            ) from None
        db.session.add(
            Attachment(
                report=report,
                original_name=clean_file_name(old.original_name)[:255] or old.original_name,
                stored_name=stored,
                content_type=old.content_type,
                size=old.size,
                sha256=old.sha256,
                uploaded_by_id=old.uploaded_by_id or user.id,
            )
        )


def coverage_warning(task: Task, data: ReportInput) -> str | None:
    """Coverage above the organization's number of students asks for confirmation: above the
    students of the grade band the measure's target speaks of («обучающихся 9 классов»), when
    the organization gave its contingent by grade, else above all its students."""
    from roadmap.directory.service import contingent_of
    from roadmap.plans.targets import band_of

    students = task.organization.student_count
    band = band_of(task.measure_id, task.plan_year)
    if data.coverage_students and not band.is_whole:
        in_band = contingent_of([task.organization_id])[task.organization_id].of(band)
        if in_band is not None and data.coverage_students > in_band:
            return (
                f"Охват обучающихся ({data.coverage_students}) больше, чем {band.label} в организации ({in_band}): "
                "мероприятие рассчитано на эти классы. Проверьте цифру или подтвердите её."
            )
    if students and data.coverage_students and data.coverage_students > students:
        return (
            f"Охват обучающихся ({data.coverage_students}) больше числа обучающихся организации ({students}). "
            "Проверьте цифру или подтвердите её."
        )
    if students and data.coverage_total and data.coverage_total > students * 3:
        return f"Общий охват ({data.coverage_total}) намного больше числа обучающихся ({students}). Подтвердите цифру."
    return None


def submit_report(task: Task, user: User, data: ReportInput, *, expected_version: int | None = None) -> Report:
    if not can_submit(user, task):
        raise WorkflowError("Отчитываться по задаче могут только сотрудники организации-исполнителя.")
    _lock(task)
    _check_version(task, expected_version)
    if task.status == TaskStatus.ACCEPTED:
        raise WorkflowError("Отчёт уже принят; изменить его нельзя.")
    _validate_report(task, data)
    files = _validate_files(data.files)
    kept = _kept_attachments(task, data.keep_files)
    report = Report(
        task=task,
        author_id=user.id,
        is_not_applicable=False,
        held_on=data.held_on,
        **{name: getattr(data, name) for name in coverage.COLUMNS},
        comment=data.comment.strip(),
        links="\n".join(report_links(data)),
    )
    db.session.add(report)
    _carry_files(report, user, kept)
    _store_files(report, user, files)
    db.session.flush()
    task.current_report_id = report.id
    task.is_not_applicable = False
    _transition(
        task, user, TaskStatus.SUBMITTED, comment="отчёт" if task.status != TaskStatus.SUBMITTED else "отчёт обновлён"
    )
    _flush()
    return report


def mark_not_applicable(task: Task, user: User, reason: str, *, expected_version: int | None = None) -> Report:
    if not can_submit(user, task):
        raise WorkflowError("Отмечать задачу могут только сотрудники организации-исполнителя.")
    _lock(task)
    _check_version(task, expected_version)
    if task.status == TaskStatus.ACCEPTED:
        raise WorkflowError("Отчёт уже принят; изменить его нельзя.")
    if not reason.strip():
        raise WorkflowError("Укажите причину, по которой мероприятие не применимо.", field="reason")
    report = Report(task=task, author_id=user.id, is_not_applicable=True, comment=reason.strip())
    db.session.add(report)
    db.session.flush()
    task.current_report_id = report.id
    task.is_not_applicable = True
    _transition(task, user, TaskStatus.SUBMITTED, comment=f"не применимо: {reason.strip()}")
    _flush()
    return report


def accept(task: Task, user: User, comment: str = "", *, expected_version: int | None = None) -> None:
    if not can_review(user, task):
        raise WorkflowError("Принимать отчёты может только координатор.")
    _lock(task)
    _check_version(task, expected_version)
    if task.status != TaskStatus.SUBMITTED:
        raise WorkflowError("Принять можно только отчёт, ожидающий проверки.")
    _transition(task, user, TaskStatus.ACCEPTED, comment=comment)
    _flush()


def return_report(
    task: Task, user: User, reason: str, comment: str = "", *, expected_version: int | None = None
) -> None:
    if not can_review(user, task):
        raise WorkflowError("Возвращать отчёты может только координатор.")
    _lock(task)
    _check_version(task, expected_version)
    if task.status != TaskStatus.SUBMITTED:
        raise WorkflowError("Вернуть можно только отчёт, ожидающий проверки.")
    if reason not in RETURN_REASONS:
        raise WorkflowError("Выберите причину возврата.", field="reason")
    if reason == ReturnReason.OTHER and not comment.strip():
        raise WorkflowError("Опишите причину возврата в комментарии.", field="comment")
    text = RETURN_REASONS[reason] + (f": {comment.strip()}" if comment.strip() else "")
    _transition(task, user, TaskStatus.RETURNED, comment=text, reason=reason)
    notify_organization(
        task.organization_id,
        kind=NoticeKind.RETURNED,
        text=f"Отчёт возвращён на доработку: {task.measure.number} {truncate(task.measure.title, 80)} — {text}",
        url=f"/tasks/{task.id}",
    )
    _flush()


def notify_organization(organization_id: int, *, kind: NoticeKind, text: str, url: str | None) -> int:
    users = db.session.scalars(
        select(User.id).where(
            User.organization_id == organization_id,
            User.role == Role.EXECUTOR,
            User.is_active_account.is_(True),
        )
    ).all()
    for user_id in users:
        db.session.add(Notice(user_id=user_id, kind=kind, text=truncate(text, 2000), url=url))
    return len(users)


def duplicate_attachments(task_ids: list[int]) -> dict[str, set[int]]:
    """sha256 → organizations that attached a file with that content, where more than one did."""
    rows = db.session.execute(
        select(Attachment.sha256, Task.organization_id)
        .join(Report, Report.id == Attachment.report_id)
        .join(Task, Task.id == Report.task_id)
        .where(
            Attachment.sha256.in_(
                select(Attachment.sha256)
                .join(Report, Report.id == Attachment.report_id)
                .join(Task, Task.id == Report.task_id)
                .where(Task.id.in_(task_ids))
            )
        )
    ).all()
    by_hash: dict[str, set[int]] = {}
    for sha, org_id in rows:
        by_hash.setdefault(sha, set()).add(org_id)
    return {sha: orgs for sha, orgs in by_hash.items() if len(orgs) > 1}


def unread_notice_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None)))


def review_report(
    task: Task,
    user: User,
    *,
    accepting: bool,
    reason: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> str:
    """Accept or return one report and write the audit event; the message for the user. The caller commits."""
    if accepting:
        accept(task, user, comment, expected_version=expected_version)
        message = "Отчёт принят."
    else:
        return_report(task, user, reason, comment, expected_version=expected_version)
        message = "Отчёт возвращён на доработку."
    audit.record("report_reviewed", user=user, obj=task, summary=f"{message} Задача {task.id}")
    return message


def review_many(
    task_ids: set[int],
    user: User,
    *,
    accepting: bool,
    reason: str = "",
    comment: str = "",
    versions: dict[int, int] | None = None,
) -> BatchResult[Task]:
    """Accept or return several reports, each in its own savepoint; writes the audit event. The caller commits.

    ``versions`` are the task versions the coordinator saw: a report changed since is skipped,
    so nobody accepts a report they have not read. Locks are taken in one order (roadmaps,
    then tasks by id), so concurrent batches and submits wait for each other instead of deadlocking.
    """
    versions = versions or {}
    lock_feed_counters(db.session.scalars(select(Task.roadmap_id).where(Task.id.in_(task_ids)).distinct()))
    tasks = db.session.scalars(
        select(Task)
        .where(Task.id.in_(task_ids))
        .order_by(Task.id)
        .options(selectinload(Task.measure), selectinload(Task.organization))
        .with_for_update(key_share=True, of=Task)
        .execution_options(populate_existing=True)
    ).all()

    def decide(task: Task) -> None:
        if accepting:
            accept(task, user, comment, expected_version=versions.get(task.id))
        else:
            return_report(task, user, reason, comment, expected_version=versions.get(task.id))

    def why(task: Task, exc: Exception) -> str:
        if task.status != TaskStatus.SUBMITTED:
            return f"уже не на проверке ({task.status.label})"
        if isinstance(exc, ConflictError):
            return "отчёт изменён после того, как вы открыли страницу"
        return str(exc).rstrip(".")

    verb, refused = ("Принято", "Не принято") if accepting else ("Возвращено", "Не возвращено")
    result = decide_each(
        tasks,
        decide,
        verb=verb,
        refused=refused,
        label=lambda task: f"{task.measure.number}, {task.organization.short_name}",
        # StaleDataError: an autoflush found the row changed under it; with the locks above it should not happen.
        refusals=(WorkflowError, StaleDataError),
        reason=why,
    )
    found = {task.id for task in tasks}
    result.skipped += [Skipped(f"задача {i}", "не найдена", i) for i in sorted(task_ids - found)]
    audit.record(
        "reports_reviewed_bulk",
        user=user,
        summary=result.message(),
        details=result.details(lambda task: task.id),
    )
    return result
