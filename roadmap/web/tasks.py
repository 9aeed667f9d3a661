"""Tasks: the executor's list and reports, the coordinator's review, notices, attachments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from roadmap.clock import today_in
from roadmap.extensions import db
from roadmap.models import (
    Attachment,
    Notice,
    Report,
    Role,
    Task,
    TaskStatus,
    Transition,
    utcnow,
)
from roadmap.plans.cascade import summary_of
from roadmap.russian import quantity
from roadmap.tasks import coverage
from roadmap.tasks.access import can_review, can_submit, can_view_task, territory_of
from roadmap.tasks.files import upload_folder
from roadmap.tasks.listing import my_tasks
from roadmap.tasks.proposals import manual_measures_for
from roadmap.tasks.review import QueueFilter, changes_since_return, filter_choices, place_in_queue, queue
from roadmap.tasks.workflow import (
    RETURN_REASONS,
    ConflictError,
    ReportInput,
    UploadedFile,
    WorkflowError,
    clean_file_name,
    coverage_warning,
    duplicate_attachments,
    empty_file_message,
    held_on_limits,
    mark_not_applicable,
    max_file_bytes,
    previous_evidence,
    report_request_bytes,
    review_many,
    review_report,
    submit_report,
    too_large_message,
    unread_notice_count,
)
from roadmap.web.access import coordinator_required, roles_required
from roadmap.web.forms.tasks import NotApplicableForm, ReportForm, ReviewForm
from roadmap.web.retry import retried

bp = Blueprint("tasks", __name__)

SOON_DAYS = 14
QUEUE_LIMIT = 200  # reports on one review page, the longest-waiting first


@bp.url_value_preprocessor
def _report_body_limit(endpoint, _values):
    # Before any before_request hook reads the form (CSRF does): a report may carry several files.
    # Only for a signed-in executor: anyone else gets the app-wide limit.
    if endpoint == "tasks.submit" and current_user.is_authenticated and current_user.role == Role.EXECUTOR:
        request.max_content_length = report_request_bytes()


def report_too_large():
    """A report request over even the report's limit: back to the form, the message beside the files.

    Nothing of the request can be read, so what was typed is lost here; the page's script refuses
    such files before sending (data-max-bytes), so only a browser without scripts lands here."""
    task_id = (request.view_args or {}).get("task_id")
    limit = report_request_bytes() // (1024 * 1024)
    session["report_draft"] = {
        "task": task_id,
        "values": {},
        "files": f"Файлы вместе больше {limit} МБ: отчёт не отправлен. Каждый файл — не более "
        f"{max_file_bytes() // (1024 * 1024)} МБ; приложите меньше файлов или уменьшите их и отправьте снова.",
    }
    return redirect(url_for("tasks.show", task_id=task_id), 303)


@bp.app_context_processor
def notices_badge():
    def count():
        if current_user.is_authenticated:
            return unread_notice_count(current_user)
        return 0

    return {"unread_notices": count}


def _task(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    # Someone else's task answers exactly like a missing one: ids reveal nothing.
    if task is None or not can_view_task(current_user, task):
        abort(404)
    return task


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


@bp.route("/tasks")
@roles_required(Role.EXECUTOR)
def my():
    today = today_in()  # the app-wide zone: the list may span roadmaps
    data = my_tasks(
        current_user.organization_id,
        today,
        year=request.args.get("year", type=int),
        roadmap_id=request.args.get("roadmap", type=int),
    )
    own_schedule = manual_measures_for(current_user.organization)
    return render_template(
        "tasks/my.html",
        data=data,
        groups=data.groups,
        years=data.years,
        year=data.year,
        today=today,
        return_reasons=_return_reasons([row.Task.id for row in data.groups["returned"]]),
        own_schedule=len(own_schedule),
        own_schedule_missing=sum(1 for item in own_schedule if item.needs_dates),
    )


def _return_reasons(task_ids: list[int]) -> dict[int, str]:
    """The coordinator's words on the latest return of each task, in one query."""
    if not task_ids:
        return {}
    reasons: dict[int, str] = {}
    for task_id, comment in db.session.execute(
        select(Transition.task_id, Transition.comment)
        .where(Transition.task_id.in_(task_ids), Transition.to_status == TaskStatus.RETURNED.value)
        .order_by(Transition.id)
    ):
        reasons[task_id] = comment
    return reasons


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    return _show_page(_task(task_id))


def _whole_queue() -> QueueFilter:
    """The queue without filters: everything the reviewer's territory holds."""
    return QueueFilter(territory=territory_of(current_user))


def _queue_filter(source) -> QueueFilter | None:
    """The review queue's filters a report page was opened with (``review=1`` marks it), else None."""
    territory = territory_of(current_user)
    return QueueFilter.from_args(source, territory).checked() if source.get("review") else None


def _removed(source) -> tuple[set[str], set[str]]:
    """The previous report's files (attachment ids) and links the executor ticked «убрать»."""
    return set(source.getlist("remove_file")), set(source.getlist("remove_link"))


def _show_page(task: Task, *, report_form=None, na_form=None, review_form=None, status: int = 200, removed=None):
    """The task page; a form refused by validation comes back bound, with its errors next to the fields."""
    today = today_in(task.roadmap.timezone)
    reports = db.session.scalars(
        select(Report).where(Report.task_id == task.id).options(selectinload(Report.attachments)).order_by(Report.id)
    ).all()
    history = db.session.scalars(
        select(Transition)
        .where(Transition.task_id == task.id)
        .options(selectinload(Transition.user))
        .order_by(Transition.id)
    ).all()
    previous = previous_evidence(task)
    if report_form is None:
        report_form, removed = _draft_form(task)
    if report_form is None:
        # Fixing a returned report starts from what was sent, its links and files kept (listed apart).
        report_form = ReportForm(formdata=None, obj=previous, version=task.version)
        report_form.links.data = ""
    summary = summary_of(task)  # a municipality's task on a regional measure: its children's sums
    if summary is not None and previous is None and removed is None and request.method == "GET":
        for name in coverage.FIELDS:
            report_form[coverage.column(name)].data = getattr(summary.coverage, name) or None
    if removed is None:
        removed = _removed(request.form) if request.method == "POST" else (set(), set())
    first, last = held_on_limits(task)
    if first <= last:  # the date picker offers only the dates the service accepts
        report_form.held_on.render_kw = {"min": first.isoformat(), "max": last.isoformat()}
    # The page's script refuses an empty or oversize file at once, in the service's own words.
    report_form.files.render_kw = {
        "data-max-bytes": str(max_file_bytes()),
        "data-too-large": too_large_message("{name}"),
        "data-empty": empty_file_message("{name}"),
    }
    returned = None
    if task.status == TaskStatus.RETURNED:
        returned = next((h for h in reversed(history) if h.to_status == TaskStatus.RETURNED.value), None)
    duplicates = {}
    if current_user.role == Role.COORDINATOR and task.current_report_id:
        duplicates = duplicate_attachments([task.id])
    may_review = can_review(current_user, task) and task.status == TaskStatus.SUBMITTED
    from_queue = _queue_filter(request.args) or _queue_filter(request.form)
    place = None
    if current_user.role == Role.COORDINATOR and (from_queue is not None or may_review):
        place = place_in_queue(task, from_queue or _whole_queue())
    return render_template(
        "tasks/show.html",
        task=task,
        today=today,
        reports=reports,
        history=history,
        returned=returned,
        previous=previous,
        removed_files=removed[0],
        removed_links=removed[1],
        held_limits=(first, last),
        changes=changes_since_return(task, reports),
        report_form=report_form,
        na_form=na_form or NotApplicableForm(formdata=None, version=task.version),
        review_form=review_form or ReviewForm(formdata=None, version=task.version),
        may_submit=can_submit(current_user, task) and task.status != TaskStatus.ACCEPTED,
        may_review=may_review,
        duplicates=duplicates,
        from_queue=from_queue,
        queue_args=(from_queue or _whole_queue()).as_args(),
        place=place,
        summary=summary,
    ), status


DRAFT_FIELDS = ("held_on", *coverage.COLUMNS, "comment", "links")
DRAFT_LIMIT = 1500  # characters: the session lives in a cookie of about 4 KB


def _keep_draft(task: Task, form: ReportForm, message: str) -> None:
    values = {name: form[name].raw_data[0] for name in DRAFT_FIELDS if form[name].raw_data}
    if sum(len(value) for value in values.values()) > DRAFT_LIMIT:
        values = {}
        message += " Введённый текст не сохранён: он слишком длинный, введите его снова."
    files, links = _removed(request.form)
    values["remove_file"] = sorted(files)
    values["remove_link"] = sorted(links) if sum(map(len, links)) <= DRAFT_LIMIT else []
    session["report_draft"] = {"task": task.id, "values": values, "files": message}


def _draft_form(task: Task) -> tuple[ReportForm | None, tuple[set[str], set[str]] | None]:
    """The report form as the user left it before a file was refused (and what was ticked «убрать»)."""
    draft = session.pop("report_draft", None)
    if not isinstance(draft, dict) or draft.get("task") != task.id:
        return None, None
    values = MultiDict(draft.get("values") or {})
    form = ReportForm(formdata=values, version=task.version)
    form.files.errors = [str(draft.get("files", ""))]
    return form, _removed(values)


def _conflict(task_id: int, exc: ConflictError):
    """Someone changed the task meanwhile: nothing is saved; back to the task as it is now."""
    db.session.rollback()
    flash(str(exc), "danger")
    return redirect(url_for("tasks.show", task_id=task_id)), 303


def _refused(form, exc: WorkflowError, default_field: str | None = None) -> None:
    """Put a refusal next to the field it is about, or above the page when it is about no field."""
    name = exc.field if exc.field in form else default_field
    if name:
        form[name].errors = [*form[name].errors, str(exc)]
    else:
        flash(str(exc), "danger")


@bp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@roles_required(Role.EXECUTOR)
@retried
def submit(task_id: int):
    task = _task(task_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _show_page(task, report_form=form, status=400)
    data = _report_input(task, form)
    warning = coverage_warning(task, data)
    if warning and not form.confirm_coverage.data:
        return render_template("tasks/confirm_coverage.html", task=task, form=form, warning=warning), 409
    try:
        submit_report(task, current_user, data, expected_version=_version(form))
    except ConflictError as exc:
        return _conflict(task_id, exc)
    except WorkflowError as exc:
        db.session.rollback()
        return _refused_report(_task(task_id), form, data, exc)
    db.session.commit()
    flash("Отчёт отправлен координатору.", "success")
    back_to_list = request.form.get("next") == url_for("tasks.my")
    return redirect(url_for("tasks.my") if back_to_list else url_for("tasks.show", task_id=task.id))


def _report_input(task: Task, form: ReportForm) -> ReportInput:
    uploads = [f for f in (form.files.data or []) if getattr(f, "filename", "")]
    previous = previous_evidence(task)
    removed_files, removed_links = _removed(request.form)
    return ReportInput(
        held_on=form.held_on.data,
        **{name: form[name].data for name in coverage.COLUMNS},
        comment=form.comment.data or "",
        links=form.links.data or "",
        files=[UploadedFile(f.filename or "file", f.read()) for f in uploads],
        keep_links=[link for link in (previous.link_list if previous else []) if link not in removed_links],
        keep_files=[a.id for a in (previous.attachments if previous else []) if str(a.id) not in removed_files],
    )


def _refused_report(task: Task, form: ReportForm, data: ReportInput, exc: WorkflowError):
    """The task page again with the refusal beside its field and what was typed kept."""
    if exc.field == "files":
        # A refused file answers with a redirect (the page is reloaded without resending the upload);
        # what was typed travels in the session when it is small enough for the cookie.
        _keep_draft(task, form, str(exc))
        return redirect(url_for("tasks.show", task_id=task.id))
    _refused(form, exc)
    if data.files:
        form.files.errors = [*form.files.errors, "Выберите файлы снова: браузер не сохраняет их после ошибки."]
    return _show_page(task, report_form=form, status=400)


@bp.route("/tasks/<int:task_id>/not-applicable", methods=["POST"])
@roles_required(Role.EXECUTOR)
@retried
def not_applicable(task_id: int):
    task = _task(task_id)
    form = NotApplicableForm()
    if not form.validate_on_submit():
        return _show_page(task, na_form=form, status=400)
    try:
        mark_not_applicable(task, current_user, form.reason.data, expected_version=_version(form))
    except ConflictError as exc:
        return _conflict(task_id, exc)
    except WorkflowError as exc:
        db.session.rollback()
        _refused(form, exc, "reason")
        return _show_page(_task(task_id), na_form=form, status=400)
    db.session.commit()
    flash("Отмечено «не применимо»; координатор рассмотрит причину.", "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/review", methods=["POST"])
@coordinator_required
@retried
def review(task_id: int):
    task = _task(task_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _show_page(task, review_form=form, status=400)
    filters = _queue_filter(request.form) or _whole_queue()
    key = (task.updated_at, task.id)  # its place in the queue, read before the decision moves it
    try:
        message = review_report(
            task,
            current_user,
            accepting=bool(form.accept.data),
            reason=form.reason.data or "",
            comment=form.comment.data or "",
            expected_version=_version(form),
        )
    except ConflictError as exc:
        return _conflict(task_id, exc)
    except WorkflowError as exc:
        db.session.rollback()
        _refused(form, exc)
        return _show_page(_task(task_id), review_form=form, status=400)
    db.session.commit()
    # On to the next report of the queue (with its filters), so a reviewer never goes back to the list.
    place = place_in_queue(task, filters, key=key)
    if place.next_id is None or request.form.get("next") == "queue":
        flash(f"{message} В очереди больше нет отчётов." if place.next_id is None else message, "success")
        return redirect(url_for("tasks.review_queue", **filters.as_args()))
    flash(f"{message} Открыт следующий; в очереди {quantity(place.total, 'отчёт', 'отчёта', 'отчётов')}.", "success")
    return redirect(url_for("tasks.show", task_id=place.next_id, review=1, **filters.as_args()))


@bp.route("/review", methods=["GET", "POST"])
@coordinator_required
@retried
def review_queue():
    filters = QueueFilter.from_args(request.args, territory_of(current_user)).checked()
    form = ReviewForm()
    checked: set[int] = set()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        checked = {int(value) for value in request.form.getlist("task") if value.isdigit()}
        refusal = _bulk_refusal(form, checked)
        if refusal:
            name, message = refusal
            if name:
                form[name].errors = [message]
            else:
                flash(message, "warning")
            return _queue_page(filters, form, checked), 400
        result = review_many(
            checked,
            current_user,
            accepting=bool(form.accept.data),
            reason=form.reason.data or "",
            comment=form.comment.data or "",
            versions=_seen_versions(checked),
        )
        db.session.commit()
        flash(result.message(), "warning" if result.skipped else "success")
        return redirect(url_for("tasks.review_queue", **filters.as_args()))
    return _queue_page(filters, form, checked)


def _seen_versions(checked: set[int]) -> dict[int, int]:
    """The version of each checked report as the queue page showed it (``version-<task id>``)."""
    versions = {}
    for task_id in checked:
        value = request.form.get(f"version-{task_id}", "")
        if value.isdigit():
            versions[task_id] = int(value)
    return versions


def _queue_page(filters: QueueFilter, form: ReviewForm, checked: set[int]):
    rows = queue(filters, limit=QUEUE_LIMIT + 1)
    return render_template(
        "tasks/review_queue.html",
        rows=rows[:QUEUE_LIMIT],
        more=len(rows) > QUEUE_LIMIT,
        form=form,
        filters=filters,
        queue_args=filters.as_args(),
        choices=filter_choices(filters),
        checked=checked,
    )


def _bulk_refusal(form: ReviewForm, checked: set[int]) -> tuple[str | None, str] | None:
    """Why a bulk decision cannot start, checked before touching any report: (field, message)."""
    if not checked:
        return None, "Отметьте галочками отчёты, которые хотите принять или вернуть."
    if form.send_back.data:
        if form.reason.data not in RETURN_REASONS:
            return "reason", "Выберите причину возврата."
        if form.reason.data == "other" and not (form.comment.data or "").strip():
            return "comment", "Опишите причину возврата в комментарии."
    return None


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    item = db.session.get(Attachment, attachment_id)
    if item is None:
        abort(404)
    _task(item.report.task_id)  # 404 unless the user may see the task
    path = upload_folder() / item.stored_name
    if not path.exists():
        abort(404)
    # Names are cleaned when stored; one stored before that (with a line break, say) must still download.
    name = clean_file_name(item.original_name) or f"файл.{item.stored_name.rsplit('.', 1)[-1]}"
    response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/notices", methods=["GET", "POST"])
@login_required
@retried
def notices():
    if request.method == "POST":
        from roadmap.web.forms.admin import ConfirmForm

        if ConfirmForm().validate_on_submit():
            for notice in db.session.scalars(
                select(Notice).where(Notice.user_id == current_user.id, Notice.read_at.is_(None))
            ):
                notice.read_at = utcnow()
            db.session.commit()
        return redirect(url_for("tasks.notices"))
    items = db.session.scalars(
        select(Notice).where(Notice.user_id == current_user.id).order_by(Notice.id.desc()).limit(200)
    ).all()
    from roadmap.web.forms.admin import ConfirmForm

    return render_template("tasks/notices.html", items=items, confirm=ConfirmForm())
