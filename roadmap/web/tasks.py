"""Tasks: the executor's list and reports, the coordinator's review, notices, attachments."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from roadmap import audit
from roadmap.extensions import db
from roadmap.models import (
    Attachment,
    Measure,
    Notice,
    Report,
    Roadmap,
    RoadmapStatus,
    Role,
    Task,
    TaskStatus,
    Transition,
    utcnow,
)
from roadmap.plans.dashboard import review_queue as queue_rows
from roadmap.plans.dashboard import today_in
from roadmap.tasks.access import can_review, can_submit, can_view_task
from roadmap.tasks.proposals import manual_measures_for
from roadmap.tasks.workflow import (
    ConflictError,
    ReportInput,
    UploadedFile,
    WorkflowError,
    accept,
    coverage_warning,
    duplicate_attachments,
    mark_not_applicable,
    return_report,
    submit_report,
    unread_notice_count,
    upload_folder,
)
from roadmap.web.access import coordinator_required, roles_required
from roadmap.web.forms.tasks import NotApplicableForm, ReportForm, ReviewForm

bp = Blueprint("tasks", __name__)

SOON_DAYS = 14


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
    org_id = current_user.organization_id
    rows = db.session.execute(
        select(Task, Measure.number, Measure.title, Roadmap.title.label("roadmap_title"), Roadmap.timezone)
        .join(Measure, Measure.id == Task.measure_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .where(
            Task.organization_id == org_id,
            Task.is_cancelled.is_(False),
            Roadmap.status == RoadmapStatus.PUBLISHED,
        )
        .order_by(Task.due_effective_on, Measure.position)
    ).all()
    years = sorted({row.Task.plan_year for row in rows})
    year = request.args.get("year", type=int)
    today = today_in("Europe/Moscow")
    if year not in years:
        year = today.year if today.year in years else (years[-1] if years else None)
    groups = {"overdue": [], "soon": [], "later": [], "review": [], "done": []}
    for row in rows:
        task = row.Task
        if year is not None and task.plan_year != year:
            continue
        if task.status == TaskStatus.ACCEPTED:
            groups["done"].append(row)
        elif task.status == TaskStatus.SUBMITTED:
            groups["review"].append(row)
        elif task.due_effective_on < today:
            groups["overdue"].append(row)
        elif task.start_on <= today + timedelta(days=SOON_DAYS) or task.due_effective_on <= today + timedelta(
            days=SOON_DAYS
        ):
            groups["soon"].append(row)
        else:
            groups["later"].append(row)
    own_schedule = manual_measures_for(current_user.organization)
    return render_template(
        "tasks/my.html",
        groups=groups,
        years=years,
        year=year,
        today=today,
        own_schedule=len(own_schedule),
        own_schedule_missing=sum(1 for item in own_schedule if item.needs_dates),
    )


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    task = _task(task_id)
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
    report_form = ReportForm(version=task.version)
    na_form = NotApplicableForm(version=task.version)
    review_form = ReviewForm(version=task.version)
    duplicates = {}
    if current_user.role == Role.COORDINATOR and task.current_report_id:
        duplicates = duplicate_attachments([task.id])
    return render_template(
        "tasks/show.html",
        task=task,
        today=today,
        reports=reports,
        history=history,
        report_form=report_form,
        na_form=na_form,
        review_form=review_form,
        may_submit=can_submit(current_user, task) and task.status != TaskStatus.ACCEPTED,
        may_review=can_review(current_user, task) and task.status == TaskStatus.SUBMITTED,
        duplicates=duplicates,
    )


@bp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@roles_required(Role.EXECUTOR)
def submit(task_id: int):
    task = _task(task_id)
    form = ReportForm()
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()))[0] if form.errors else "Проверьте форму."
        flash(message, "danger")
        return redirect(url_for("tasks.show", task_id=task.id))
    data = ReportInput(
        held_on=form.held_on.data,
        coverage_total=form.coverage_total.data,
        coverage_students=form.coverage_students.data,
        coverage_parents=form.coverage_parents.data,
        coverage_teachers=form.coverage_teachers.data,
        coverage_disabled=form.coverage_disabled.data,
        comment=form.comment.data or "",
        links=form.links.data or "",
        files=[
            UploadedFile(f.filename or "file", f.read()) for f in (form.files.data or []) if getattr(f, "filename", "")
        ],
    )
    warning = coverage_warning(task, data)
    if warning and not form.confirm_coverage.data:
        return render_template("tasks/confirm_coverage.html", task=task, form=form, warning=warning), 409
    try:
        submit_report(task, current_user, data, expected_version=_version(form))
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tasks.show", task_id=task_id)), 303
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tasks.show", task_id=task.id))
    db.session.commit()
    flash("Отчёт отправлен координатору.", "success")
    return redirect(
        request.form.get("next")
        if request.form.get("next") == url_for("tasks.my")
        else url_for("tasks.show", task_id=task.id)
    )


@bp.route("/tasks/<int:task_id>/not-applicable", methods=["POST"])
@roles_required(Role.EXECUTOR)
def not_applicable(task_id: int):
    task = _task(task_id)
    form = NotApplicableForm()
    if not form.validate_on_submit():
        flash("Укажите причину, по которой мероприятие не применимо.", "danger")
        return redirect(url_for("tasks.show", task_id=task.id))
    try:
        mark_not_applicable(task, current_user, form.reason.data, expected_version=_version(form))
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tasks.show", task_id=task_id)), 303
    db.session.commit()
    flash("Отмечено «не применимо»; координатор рассмотрит причину.", "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/review", methods=["POST"])
@coordinator_required
def review(task_id: int):
    task = _task(task_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.accept.data:
            accept(task, current_user, form.comment.data or "", expected_version=_version(form))
            message = "Отчёт принят."
        else:
            return_report(
                task, current_user, form.reason.data or "", form.comment.data or "", expected_version=_version(form)
            )
            message = "Отчёт возвращён на доработку."
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tasks.show", task_id=task_id)), 303
    audit.record("report_reviewed", obj=task, summary=f"{message} Задача {task.id}")
    db.session.commit()
    flash(message, "success")
    if request.form.get("next") == "queue":
        return redirect(url_for("tasks.review_queue"))
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/review", methods=["GET", "POST"])
@coordinator_required
def review_queue():
    roadmap_id = request.args.get("roadmap", type=int)
    if request.method == "POST":
        form = ReviewForm()
        if not form.validate_on_submit():
            abort(400)
        ids = [int(value) for value in request.form.getlist("task") if value.isdigit()]
        if not ids:
            flash("Отметьте отчёты.", "warning")
            return redirect(url_for("tasks.review_queue", roadmap=roadmap_id))
        done, failed = 0, []
        for task in db.session.scalars(select(Task).where(Task.id.in_(ids))):
            try:
                if form.accept.data:
                    accept(task, current_user, form.comment.data or "")
                else:
                    return_report(task, current_user, form.reason.data or "", form.comment.data or "")
                done += 1
            except WorkflowError as exc:
                failed.append(f"{task.id}: {exc}")
        audit.record("reports_reviewed_bulk", summary=f"{'Принято' if form.accept.data else 'Возвращено'}: {done}")
        db.session.commit()
        flash(f"{'Принято' if form.accept.data else 'Возвращено'} отчётов: {done}.", "success")
        for message in failed[:5]:
            flash(message, "danger")
        return redirect(url_for("tasks.review_queue", roadmap=roadmap_id))
    rows = queue_rows(roadmap_id)
    return render_template("tasks/review_queue.html", rows=rows, form=ReviewForm(), roadmap_id=roadmap_id)


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
    response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/notices", methods=["GET", "POST"])
@login_required
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
