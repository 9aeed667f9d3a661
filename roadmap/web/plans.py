"""Roadmaps: import, review and fix, publish, dashboard, matrix, re-import, next year."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from roadmap.extensions import db
from roadmap.importers import ImportFailed, ParsedRoadmap, read_document, read_text
from roadmap.models import Measure, MeasureParty, OrgKind, Roadmap, RoadmapStatus, Section
from roadmap.plans import dashboard as queries
from roadmap.plans import pending
from roadmap.plans.review_screen import review_screen
from roadmap.plans.service import (
    FIELD_LABELS,
    FLAG_LABELS,
    PastDeadlines,
    PlanError,
    apply_deadline,
    apply_reimport,
    apply_responsible,
    archive_roadmap,
    build_directory,
    create_roadmap,
    delete_draft,
    diff_roadmap,
    duplicates_of,
    map_party,
    mapping_targets,
    past_deadline_choices,
    period_explanation,
    publish_roadmap,
    regenerate_tasks,
    resolve_target,
    rollover,
    set_manual_dates,
    set_no_tasks_reason,
)
from roadmap.plans.targets import TargetError, set_target_from_form, year_choices
from roadmap.reports.targets import targets_sentence
from roadmap.russian import agree, truncate
from roadmap.targets import TargetKind
from roadmap.tasks.access import can_view_roadmap, visible_roadmaps
from roadmap.tasks.dates import DateLinesError, example_dates, parse_date_lines
from roadmap.tasks.service import generate_tasks
from roadmap.web.access import roadmap_manager_required, staff_required
from roadmap.web.forms.admin import ConfirmForm
from roadmap.web.forms.plans import (
    DatesForm,
    DeadlineForm,
    ImportRoadmapForm,
    MapPartyForm,
    NoTasksForm,
    PublishForm,
    ReimportForm,
    ResponsibleForm,
    SettingsForm,
    TargetForm,
)
from roadmap.web.retry import retried

bp = Blueprint("plans", __name__, url_prefix="/roadmaps")

only_coordinator = roadmap_manager_required


def roadmap_or_404(roadmap_id: int) -> Roadmap:
    roadmap = db.get_or_404(Roadmap, roadmap_id)
    if not can_view_roadmap(current_user, roadmap):
        abort(404)
    return roadmap


def _editable(roadmap_id: int) -> Roadmap:
    roadmap = roadmap_or_404(roadmap_id)
    if not current_user.is_coordinator:
        abort(403)
    return roadmap


def chosen_plan_year(roadmap: Roadmap, years: list[int]) -> int | None:
    value = request.args.get("year", type=int)
    if value in years:
        return value
    if request.args.get("year") == "all":
        return None
    return queries.current_plan_year(roadmap, years, queries.today_in(roadmap.timezone))


@bp.route("/")
@staff_required
def index():
    stmt = visible_roadmaps(current_user).order_by(Roadmap.status, Roadmap.created_at.desc())
    roadmaps = db.session.scalars(stmt).all()
    return render_template("plans/index.html", roadmaps=roadmaps, cards=queries.roadmap_cards(roadmaps))


# ------------------------------------------------------------------ import


def _read_upload(form) -> tuple[ParsedRoadmap, str | None]:
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise ImportFailed(f"Файл больше {current_app.config['MAX_UPLOAD_MB']} МБ.")
        return read_document(data, upload.filename, max_bytes=limit), upload.filename
    if form.text.data and form.text.data.strip():
        return read_text(form.text.data), None
    raise ImportFailed("Выберите файл или вставьте таблицу.")


@bp.route("/import", methods=["GET", "POST"])
@only_coordinator
@retried
def import_roadmap():
    form = ImportRoadmapForm()
    if not form.validate_on_submit():
        return render_template("plans/import.html", form=form)
    period = (form.period_start.data, form.period_end.data) if form.period_start.data and form.period_end.data else None
    try:
        parsed, filename = _read_upload(form)
        roadmap = create_roadmap(
            parsed, user=current_user, period=period, year_type=form.year_type.data or None, filename=filename
        )
    except (ImportFailed, PlanError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", str(exc)), "danger")
        return render_template("plans/import.html", form=form), 400
    db.session.commit()
    _announce_import(parsed, roadmap)
    return redirect(url_for("plans.review", roadmap_id=roadmap.id))


def _announce_import(parsed: ParsedRoadmap, roadmap: Roadmap) -> None:
    """What the reading noticed, a plan that seems uploaded before, and what was loaded."""
    if parsed.warnings:
        flash(f"Замечания при чтении ({len(parsed.warnings)}): " + "; ".join(parsed.warnings), "warning")
    for twin in duplicates_of(roadmap)[:3]:
        flash(
            Markup(
                'Похоже, эта дорожная карта уже загружена: <a href="{}">«{}»</a>. Если это повтор, удалите черновик.'
            ).format(url_for("plans.show", roadmap_id=twin.id), truncate(twin.title, 120)),
            "warning",
        )
    flash(
        f"Загружено: разделов {len(roadmap.sections)}, мероприятий {len(roadmap.measures)}. "
        "Проверьте, как поняты сроки и ответственные, и опубликуйте.",
        "success",
    )


@bp.route("/example.<fmt>")
@login_required
def example(fmt: str):
    from roadmap.plans.examples import example_docx, example_xlsx

    if fmt == "docx":
        data, mimetype = example_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "xlsx":
        data, mimetype = example_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    import io

    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"primer-dorozhnoj-karty.{fmt}"
    )


# ------------------------------------------------------------------ review


@bp.route("/<int:roadmap_id>/review")
@staff_required
def review(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    screen = review_screen(
        roadmap,
        only_problems=request.args.get("problems") == "1",
        measure_id=request.args.get("measure", type=int),
        page=request.args.get("page", 1, type=int),
    )
    return render_template(
        "plans/review.html",
        roadmap=roadmap,
        reviews=screen.reviews,
        page=screen.page,
        pages=screen.pages,
        shown_count=screen.shown_count,
        first_index=screen.first_index,
        total=screen.total,
        problem_count=screen.problem_count,
        only_problems=screen.only_problems,
        flag_labels=FLAG_LABELS,
        org_names=screen.org_names,
        group_names=screen.group_names,
        blocking=screen.blocking,
        forecast=screen.forecast,
        past_choices=past_deadline_choices(screen.today),
        period_note=period_explanation(roadmap),
        date_example=example_dates(roadmap.period_start, roadmap.period_end),
        **_review_forms(roadmap),
    )


def _review_forms(roadmap: Roadmap) -> dict:
    """The inline forms of the review screen, empty."""
    return {
        "map_form": MapPartyForm(),
        "targets": mapping_targets(roadmap.municipality_id),
        "settings": SettingsForm(obj=roadmap),
        "confirm": ConfirmForm(),
        "deadline_form": DeadlineForm(),
        "dates_form": DatesForm(),
        "responsible_form": ResponsibleForm(),
        "target_kinds": list(TargetKind),
        "year_choices": year_choices,
    }


def _back_to_review(roadmap: Roadmap, measure: Measure | None = None):
    anchor = f"m{measure.id}" if measure else None
    problems = "1" if request.form.get("problems") == "1" else None
    return redirect(
        url_for(
            "plans.review",
            roadmap_id=roadmap.id,
            problems=problems,
            measure=measure.id if measure else None,
            _anchor=anchor,
        )
    )


def _measure(roadmap: Roadmap, measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None or measure.roadmap_id != roadmap.id:
        abort(404)
    return measure


def _regenerate_if_published(roadmap: Roadmap) -> None:
    if roadmap.status == RoadmapStatus.PUBLISHED:
        result = generate_tasks(roadmap)
        if result.written:
            flash(f"Задачи обновлены: {result.summary()}.", "info")


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/deadline", methods=["POST"])
@only_coordinator
@retried
def edit_deadline(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        apply_deadline(measure, re.sub(r"\s+", " ", form.deadline.data or "").strip())
        _regenerate_if_published(roadmap)
        db.session.commit()
        flash(f"Срок мероприятия {measure.number} изменён.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/dates", methods=["POST"])
@only_coordinator
@retried
def edit_dates(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    form = DatesForm()
    if form.validate_on_submit():
        try:
            set_manual_dates(measure, parse_date_lines(form.dates.data, (roadmap.period_start, roadmap.period_end)))
        except (DateLinesError, PlanError) as exc:
            flash(f"Мероприятие {measure.number}: {exc}", "danger")
            return _back_to_review(roadmap, measure)
        _regenerate_if_published(roadmap)
        db.session.commit()
        flash(f"Даты мероприятия {measure.number} сохранены.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/responsible", methods=["POST"])
@only_coordinator
@retried
def edit_responsible(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    form = ResponsibleForm()
    if form.validate_on_submit():
        apply_responsible(
            measure, re.sub(r"\s+", " ", form.responsible.data or "").strip(), build_directory(roadmap.municipality_id)
        )
        _regenerate_if_published(roadmap)
        db.session.commit()
        flash(f"Ответственные мероприятия {measure.number} изменены.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/no-executor", methods=["POST"])
@only_coordinator
@retried
def toggle_no_executor(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    if ConfirmForm().validate_on_submit():
        measure.has_no_executor = not measure.has_no_executor
        _regenerate_if_published(roadmap)
        db.session.commit()
        state = "без исполнителя" if measure.has_no_executor else "с исполнителями"
        flash(f"Мероприятие {measure.number}: {state}.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/no-tasks", methods=["POST"])
@only_coordinator
@retried
def no_tasks(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    form = NoTasksForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors) or "Форма устарела.", "danger")
        return _back_to_review(roadmap, measure)
    try:
        set_no_tasks_reason(measure, form.reason.data, current_user)
    except PlanError as exc:
        flash(str(exc), "danger")
        return _back_to_review(roadmap, measure)
    _regenerate_if_published(roadmap)
    db.session.commit()
    state = f"без задач ({measure.no_tasks_reason})" if measure.no_tasks_reason else "задачи снова нужны"
    flash(f"Мероприятие {measure.number}: {state}.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/measures/<int:measure_id>/target", methods=["POST"])
@only_coordinator
@retried
def edit_target(roadmap_id: int, measure_id: int):
    roadmap = _editable(roadmap_id)
    measure = _measure(roadmap, measure_id)
    form = TargetForm()
    if form.validate_on_submit():
        try:
            set_target_from_form(
                measure,
                **{name: form[name].data for name in ("plan_year", "kind", "planned", "grade_from", "grade_to")},
                user=current_user,
            )
        except TargetError as exc:
            flash(f"Мероприятие {measure.number}: {exc}", "danger")
            return _back_to_review(roadmap, measure)
        db.session.commit()
        flash(f"Целевой показатель мероприятия {measure.number} сохранён.", "success")
    return _back_to_review(roadmap, measure)


@bp.route("/<int:roadmap_id>/parties/<int:party_id>/map", methods=["POST"])
@only_coordinator
@retried
def map_party_view(roadmap_id: int, party_id: int):
    roadmap = _editable(roadmap_id)
    party = db.session.get(MeasureParty, party_id)
    if party is None or party.measure.roadmap_id != roadmap.id:
        abort(404)
    form = MapPartyForm()
    if form.validate_on_submit():
        try:
            organization_id, group_id = resolve_target(form.target.data, mapping_targets(roadmap.municipality_id))
            map_party(party, organization_id=organization_id, group_id=group_id, remember=form.remember.data)
        except PlanError as exc:
            flash(str(exc), "danger")
            return _back_to_review(roadmap, party.measure)
        _regenerate_if_published(roadmap)
        db.session.commit()
        done = agree(party.text, "сопоставлен", "сопоставлена", "сопоставлено", "сопоставлены")
        if form.remember.data:
            done += " и " + agree(party.text, "запомнен", "запомнена", "запомнено", "запомнены")
        flash(f"«{party.text}» {done}.", "success")
    else:
        flash("Выберите организацию или группу.", "warning")
    return _back_to_review(roadmap, party.measure)


@bp.route("/<int:roadmap_id>/settings", methods=["POST"])
@only_coordinator
@retried
def settings(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    form = SettingsForm()
    if form.validate_on_submit():
        if form.period_end.data < form.period_start.data:
            flash("Конец периода раньше начала.", "danger")
        elif (form.period_end.data - form.period_start.data).days > 366 * 6:
            flash("Период длиннее шести лет: проверьте даты.", "danger")
        else:
            roadmap.title = form.title.data.strip()
            roadmap.period_start = form.period_start.data
            roadmap.period_end = form.period_end.data
            roadmap.year_type = form.year_type.data
            roadmap.shift_rule = form.shift_rule.data
            _regenerate_if_published(roadmap)
            db.session.commit()
            flash("Настройки сохранены.", "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "danger")
    return redirect(url_for("plans.review", roadmap_id=roadmap.id))


@bp.route("/<int:roadmap_id>/publish", methods=["POST"])
@only_coordinator
@retried
def publish(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    form = PublishForm()
    form.past.choices = past_deadline_choices(queries.today_in(roadmap.timezone))
    if not form.validate_on_submit():
        abort(400)
    try:
        publication = publish_roadmap(roadmap, current_user, form.past.data or PastDeadlines.KEEP)
    except PlanError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("plans.review", roadmap_id=roadmap.id, problems="1"))
    db.session.commit()
    flash(publication.message(), "success")
    return redirect(url_for("plans.show", roadmap_id=roadmap.id))


@bp.route("/<int:roadmap_id>/delete", methods=["POST"])
@only_coordinator
@retried
def delete(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        delete_draft(roadmap, current_user)
    except PlanError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("plans.show", roadmap_id=roadmap.id))
    db.session.commit()
    flash("Черновик удалён.", "success")
    return redirect(url_for("plans.index"))


@bp.route("/<int:roadmap_id>/archive", methods=["POST"])
@only_coordinator
@retried
def archive(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        archive_roadmap(roadmap, current_user)
    except PlanError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash("Дорожная карта отправлена в архив.", "success")
    return redirect(url_for("plans.show", roadmap_id=roadmap.id))


@bp.route("/<int:roadmap_id>/rollover", methods=["POST"])
@only_coordinator
@retried
def rollover_view(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = rollover(roadmap, current_user)
    db.session.commit()
    flash("Создан черновик на следующий период; история прежней карты сохранена.", "success")
    return redirect(url_for("plans.review", roadmap_id=copy.id))


# ------------------------------------------------------------------ re-import


def _pending_dir() -> Path:
    return Path(current_app.instance_path) / "pending-imports"


def _upload_payload(form) -> tuple[bytes, str]:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        upload.stream.seek(0)
        return upload.read(), upload.filename
    return form.text.data.encode("utf-8"), pending.TEXT_NAME


@bp.route("/<int:roadmap_id>/reimport", methods=["GET", "POST"])
@only_coordinator
@retried
def reimport(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    form = ReimportForm()
    if not form.validate_on_submit():
        return render_template("plans/reimport.html", form=form, roadmap=roadmap)
    try:
        parsed, _filename = _read_upload(form)
    except ImportFailed as exc:
        flash(exc.message, "danger")
        return render_template("plans/reimport.html", form=form, roadmap=roadmap), 400
    changes = diff_roadmap(roadmap, parsed)
    token = pending.store(_pending_dir(), *_upload_payload(form), roadmap_id=roadmap.id, user_id=current_user.id)
    try:
        return render_template(
            "plans/reimport_diff.html",
            roadmap=roadmap,
            changes=changes,
            token=token,
            field_labels=FIELD_LABELS,
            confirm=ConfirmForm(),
        )
    except DBAPIError:
        pending.discard(_pending_dir(), token)  # a rerun keeps an upload of its own: none left behind
        raise


@bp.route("/<int:roadmap_id>/reimport/<token>", methods=["POST"])
@only_coordinator
@retried
def reimport_apply(roadmap_id: int, token: str):
    roadmap = _editable(roadmap_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kept = pending.load(_pending_dir(), token, roadmap_id=roadmap.id, user_id=current_user.id)
    if kept is None:
        flash("Загруженный файл не найден: загрузите документ ещё раз.", "danger")
        return redirect(url_for("plans.reimport", roadmap_id=roadmap.id))
    data, name = kept
    try:
        parsed = read_text(data.decode("utf-8")) if name == pending.TEXT_NAME else read_document(data, name)
    except ImportFailed as exc:
        flash(exc.message, "danger")
        return redirect(url_for("plans.reimport", roadmap_id=roadmap.id))
    result = apply_reimport(roadmap, parsed, current_user)
    db.session.commit()
    pending.discard(_pending_dir(), token)
    flash("Изменения применены." + (f" Задачи: {result.summary()}." if result is not None else ""), "success")
    return redirect(url_for("plans.review", roadmap_id=roadmap.id))


# ------------------------------------------------------------------ dashboard and matrix


@bp.route("/<int:roadmap_id>")
@staff_required
def show(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    if roadmap.status == RoadmapStatus.DRAFT:
        return redirect(url_for("plans.review", roadmap_id=roadmap.id))
    years = queries.plan_years_of(roadmap.id)
    year = chosen_plan_year(roadmap, years)
    today = queries.today_in(roadmap.timezone)
    data = queries.dashboard(roadmap, year, today, plan_years=years)
    return render_dashboard(
        roadmap, data, year, today, queue=data.review_count, predecessor_form=_predecessor_form(roadmap)
    )


def render_dashboard(roadmap: Roadmap, data, year: int | None, today, **extra) -> str:
    """The dashboard page of a roadmap, whole or limited to one municipality (roadmap.web.region)."""
    return render_template(
        "plans/dashboard.html",
        roadmap=roadmap,
        data=data,
        report=data.overview,
        targets_text=targets_sentence(data.overview.targets),
        year=year,
        today=today,
        confirm=ConfirmForm(),
        **extra,
    )


def _predecessor_form(roadmap: Roadmap):
    """The roadmap this one continues, for the reports' years side by side (coordinators)."""
    from roadmap.web.analysis import predecessor_form

    return predecessor_form(roadmap) if current_user.is_coordinator else None


@bp.route("/<int:roadmap_id>/matrix")
@staff_required
def matrix(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    years = queries.plan_years_of(roadmap.id)
    year = chosen_plan_year(roadmap, years)
    chosen = {
        "section_id": request.args.get("section", type=int),
        "status": request.args.get("status") or None,
        "kind": request.args.get("kind") or None,
    }
    data = queries.matrix(
        roadmap, year, queries.today_in(roadmap.timezone), page=request.args.get("page", 1, type=int), **chosen
    )
    sections = db.session.scalars(select(Section).where(Section.roadmap_id == roadmap.id).order_by(Section.position))
    return render_template(
        "plans/matrix.html",
        roadmap=roadmap,
        data=data,
        year=year,
        years=years,
        sections=list(sections),
        labels=queries.MATRIX_FILTERS,
        marks=queries.MATRIX_MARKS,
        kinds=list(OrgKind),
        **chosen,
    )


@bp.route("/<int:roadmap_id>/generate", methods=["POST"])
@only_coordinator
@retried
def regenerate(roadmap_id: int):
    roadmap = _editable(roadmap_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = regenerate_tasks(roadmap, current_user)
    except PlanError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(f"Задачи пересчитаны: {result.summary()}.", "success")
    return redirect(url_for("plans.show", roadmap_id=roadmap.id))
