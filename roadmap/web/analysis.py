"""The year-end analysis pages: the coordinator's conclusions, the monitoring order draft, and
the predecessor roadmap the years are compared with."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from roadmap import audit
from roadmap.extensions import db
from roadmap.models.conclusion import WHOLE_REPORT, part_of
from roadmap.plans.predecessor import predecessor_choices, set_predecessor
from roadmap.plans.service import PlanError
from roadmap.reports.analysis_docx import order_document
from roadmap.reports.conclusions import (
    ConclusionError,
    conclusions_of,
    entered_conclusions,
    figures_beside,
    save_conclusions,
    saved_message,
)
from roadmap.reports.docx import DOCX_MIME
from roadmap.reports.order import Instruction, OrderDraft, draft_order, order_context
from roadmap.reports.queries import monitoring_report, plan_years_of
from roadmap.reports.service import ExportFile, safe_filename
from roadmap.reports.typography import plan_year_label
from roadmap.web.access import roadmap_manager_required
from roadmap.web.forms.admin import ConfirmForm
from roadmap.web.forms.analysis import OrderForm, PredecessorForm
from roadmap.web.reports import report_params, report_scope, reportable_roadmap, send_export
from roadmap.web.retry import retried

bp = Blueprint("analysis", __name__, url_prefix="/roadmaps")


def _year_report(roadmap_id: int):
    """The roadmap and its report for one plan year (conclusions and orders are per year)."""
    roadmap = reportable_roadmap(roadmap_id)
    params = report_params(roadmap, plan_years_of(roadmap.id))
    if params["all_years"] or params["date_from"] or params["date_to"]:
        abort(400, description="Выводы и приказ готовятся за год плана: выберите год, а не период.")
    scope = report_scope(roadmap, params)
    if scope.plan_year is None:
        abort(400, description="У дорожной карты ещё нет задач ни на один год.")
    return roadmap, monitoring_report(roadmap, scope)


# --------------------------------------------------------------------------- conclusions


@bp.route("/<int:roadmap_id>/report/conclusions", methods=["GET", "POST"])
@roadmap_manager_required
@retried
def conclusions(roadmap_id: int):
    roadmap, report = _year_report(roadmap_id)
    form = ConfirmForm()
    year = report.scope.plan_year
    if not form.validate_on_submit():
        return _conclusions_page(roadmap, report, form, conclusions_of(roadmap.id, year))
    entered = entered_conclusions(request.form, [s.id for s in report.sections])
    try:
        changed = save_conclusions(roadmap, year, entered, current_user)
    except ConclusionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _conclusions_page(roadmap, report, form, {part_of(k): v for k, v in entered.items()}, status=400)
    db.session.commit()
    flash(saved_message(changed), "success")
    return redirect(url_for("analysis.conclusions", roadmap_id=roadmap.id, year=year))


def _conclusions_page(roadmap, report, form, texts: dict[str, str], status: int = 200):
    """The conclusions form with the three-year sentences beside each text."""
    beside = figures_beside(report)
    return render_template(
        "reports/conclusions.html",
        roadmap=roadmap,
        report=report,
        form=form,
        texts=texts,
        sentences=beside.sections,
        total_sentences=beside.total,
        part_of=part_of,
        whole=WHOLE_REPORT,
        year_label=plan_year_label(report.scope.plan_year, roadmap.year_type),
    ), status


# --------------------------------------------------------------------------- the order


def _form_from(draft: OrderDraft) -> OrderForm:
    form = OrderForm(
        formdata=None,
        authority=draft.authority,
        city=draft.city,
        order_date=draft.order_date,
        number=draft.number,
        title=draft.title,
        preamble=draft.preamble,
        results="\n".join(draft.results),
        signer_position=draft.signer_position,
        signer_name=draft.signer_name,
    )
    for instruction in draft.instructions:
        form.instructions.append_entry({"body": instruction.body, "text": instruction.text})
    return form


def _text(field) -> str:
    return (field.data or "").strip()


def _lines(field) -> list[str]:
    return [line.strip() for line in (field.data or "").splitlines() if line.strip()]


def _draft_from(form: OrderForm) -> OrderDraft:
    return OrderDraft(
        authority=_text(form.authority),
        title=" ".join(_text(form.title).split()),
        city=_text(form.city),
        order_date=form.order_date.data,
        number=_text(form.number),
        preamble=_text(form.preamble),
        results=_lines(form.results),
        instructions=[Instruction(_text(entry.body), _lines(entry.text)) for entry in form.instructions],
        signer_position=_text(form.signer_position),
        signer_name=_text(form.signer_name),
    )


@bp.route("/<int:roadmap_id>/report/order", methods=["GET", "POST"])
@roadmap_manager_required
@retried
def order(roadmap_id: int):
    roadmap, report = _year_report(roadmap_id)
    if request.method == "GET":
        form = _form_from(draft_order(order_context(report)))
        return _order_page(roadmap, report, form)
    form = OrderForm()
    if not form.validate():
        return _order_page(roadmap, report, form, 400)
    removed = set(request.form.getlist("remove", type=int))
    if removed or form.add.data:
        kept = [{"body": e.body.data, "text": e.text.data} for i, e in enumerate(form.instructions) if i not in removed]
        while form.instructions.entries:
            form.instructions.pop_entry()
        for entry in kept + ([{"body": "", "text": ""}] if form.add.data else []):
            form.instructions.append_entry(entry)
    if form.add.data:
        return _order_page(roadmap, report, form)
    draft = _draft_from(form)
    if not any(i.items for i in draft.instructions):
        flash("В приказе нет ни одного поручения: добавьте пункт.", "danger")
        return _order_page(roadmap, report, form, 400)
    audit.record("order_draft_downloaded", obj=roadmap, summary=f"{roadmap.title[:200]}, {report.scope.plan_year}")
    db.session.commit()
    name = safe_filename(f"Проект приказа {roadmap.title[:80]} {report.scope.plan_year}")
    return send_export(ExportFile(order_document(draft), DOCX_MIME, f"{name}.docx"), f"roadmap-{roadmap.id}-order")


def _order_page(roadmap, report, form: OrderForm, status: int = 200):
    return render_template(
        "reports/order.html",
        roadmap=roadmap,
        report=report,
        form=form,
        year_label=plan_year_label(report.scope.plan_year, roadmap.year_type),
    ), status


# --------------------------------------------------------------------------- the predecessor


def predecessor_form(roadmap) -> PredecessorForm:
    """The form on the roadmap's page: the roadmaps it may continue, the current one chosen."""
    form = PredecessorForm(formdata=None, predecessor=str(roadmap.previous_roadmap_id or ""))
    form.predecessor.choices = [("", "не указана")] + [(str(r.id), r.title) for r in predecessor_choices(roadmap)]
    return form


@bp.route("/<int:roadmap_id>/predecessor", methods=["POST"])
@roadmap_manager_required
@retried
def predecessor(roadmap_id: int):
    roadmap = reportable_roadmap(roadmap_id)
    form = PredecessorForm()
    if not form.validate_on_submit():  # the choice itself is checked by the service, in words
        abort(400)
    raw = (form.predecessor.data or "").strip()
    if raw and not raw.isdigit():
        abort(400, description="Дорожная карта выбрана неверно: выберите её из списка.")
    try:
        set_predecessor(roadmap, int(raw) if raw else None, current_user)
    except PlanError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("Предыдущая дорожная карта сохранена: отчёт сравнит годы с ней.", "success")
    return redirect(url_for("plans.show", roadmap_id=roadmap.id))
