"""Reports: the report page of a roadmap, its exports, and an executor's own report."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from roadmap.extensions import db
from roadmap.models import Organization, Roadmap, RoadmapStatus, Role
from roadmap.reports import compare, layout
from roadmap.reports.charts import to_svg, warm_up_in_background
from roadmap.reports.csv import CSV_ENCODINGS, UTF8
from roadmap.reports.queries import OUTCOME_LABELS, monitoring_report, plan_years_of
from roadmap.reports.service import (
    FORMATS,
    ExportFile,
    build_scope,
    enqueue_roadmap_export,
    executor_export,
    exports_in_background,
    own_reports,
    report_charts,
    roadmap_export,
)
from roadmap.reports.typography import format_date, format_int, format_percent, plan_year_label, plan_year_short
from roadmap.tasks.access import can_view_organization, can_view_roadmap

bp = Blueprint("reports", __name__)


@bp.before_app_request
def _warm_up_charts() -> None:
    if not current_app.testing:
        warm_up_in_background()


@bp.app_template_filter("ru_int")
def _ru_int(value):
    return format_int(value)


@bp.app_template_filter("ru_percent")
def _ru_percent(value, places: int = 0):
    return format_percent(value, places=places)


@bp.app_template_filter("ru_date")
def _ru_date(value):
    return format_date(value)


# --------------------------------------------------------------------------- access and parameters


def reportable_roadmap(roadmap_id: int) -> Roadmap:
    """A roadmap-wide report: coordinators and admins any, observers published ones; executors never."""
    roadmap = db.get_or_404(Roadmap, roadmap_id)
    if current_user.role == Role.EXECUTOR:
        abort(403)
    if not can_view_roadmap(current_user, roadmap):
        abort(404)
    return roadmap


def _date_arg(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"Дата «{value[:20]}» не распознана: укажите её в виде ГГГГ-ММ-ДД.")


def report_params(roadmap: Roadmap, years: list[int]) -> dict:
    raw_year = request.args.get("year", "")
    date_from, date_to = _date_arg("from"), _date_arg("to")
    if date_from and date_to and date_from > date_to:
        abort(400, description="Начало периода позже его конца.")
    if raw_year == "all":
        year = None
    elif raw_year:
        try:
            year = int(raw_year)
        except ValueError:
            abort(400, description="Год указан неверно.")
        if years and year not in years:
            abort(404)
    else:
        year = None  # the current plan year, chosen by build_scope
    return {"year": year, "date_from": date_from, "date_to": date_to, "all_years": raw_year == "all"}


def report_scope(roadmap: Roadmap, params: dict, organization_id: int | None = None):
    return build_scope(
        roadmap,
        params["year"],
        date_from=params["date_from"],
        date_to=params["date_to"],
        organization_id=organization_id,
        default_year=not params["all_years"],
    )


def _query_args(params: dict) -> dict:
    args = {}
    if params["all_years"]:
        args["year"] = "all"
    elif params["year"] is not None:
        args["year"] = params["year"]
    if params["date_from"]:
        args["from"] = params["date_from"].isoformat()
    if params["date_to"]:
        args["to"] = params["date_to"].isoformat()
    return args


def _csv_encoding() -> str:
    encoding = (request.args.get("encoding") or UTF8).strip().lower()
    if encoding not in CSV_ENCODINGS:
        abort(400, description="Кодировка CSV не распознана: выберите UTF-8 или Windows-1251.")
    return encoding


def _ascii_fallback(filename: str, fallback_stem: str) -> str:
    extension = filename.rsplit(".", 1)[-1]
    return f"{fallback_stem}.{extension}"


def send_export(export: ExportFile, fallback_stem: str) -> Response:
    """The file as an attachment with its Russian name (RFC 5987 filename*) and an ASCII fallback."""
    response = Response(export.data, content_type=export.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_ascii_fallback(export.filename, fallback_stem)}"; '
        f"filename*=UTF-8''{quote(export.filename, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if export.replaced:
        # Windows-1251 lacks some characters of the data: how many were replaced (see roadmap.reports.csv).
        response.headers["X-Replaced-Characters"] = str(export.replaced)
    return response


# --------------------------------------------------------------------------- roadmap-wide


@bp.route("/roadmaps/<int:roadmap_id>/report")
@login_required
def roadmap_report(roadmap_id: int):
    roadmap = reportable_roadmap(roadmap_id)
    years = plan_years_of(roadmap.id)
    params = report_params(roadmap, years)
    scope = report_scope(roadmap, params)
    params["year"] = scope.plan_year
    report = monitoring_report(roadmap, scope)
    charts = {chart.key: to_svg(chart) for chart in report_charts(report)}
    history = compare.years_side_by_side(report)
    return render_template(
        "reports/roadmap.html",
        history=history,
        trend_svg=lambda trend: to_svg(compare.trend_chart(trend, history.years)),
        compare=compare,
        roadmap=roadmap,
        report=report,
        charts=charts,
        years=years,
        params=params,
        query=_query_args(params),
        formats=FORMATS,
        csv_encodings=CSV_ENCODINGS,
        outcome_labels=OUTCOME_LABELS,
        layout=layout,
        year_label=plan_year_label,
        year_short=plan_year_short,
    )


@bp.route("/roadmaps/<int:roadmap_id>/export.<fmt>")
@login_required
def roadmap_export_view(roadmap_id: int, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    roadmap = reportable_roadmap(roadmap_id)
    params = report_params(roadmap, plan_years_of(roadmap.id))
    scope = report_scope(roadmap, params)
    if exports_in_background(scope):
        job_id = enqueue_roadmap_export(roadmap, scope, fmt, encoding=_csv_encoding(), user_id=current_user.id)
        return redirect(url_for("ops.progress", job_id=job_id))
    export = roadmap_export(roadmap, scope, fmt, encoding=_csv_encoding())
    suffix = f"-{scope.plan_year}" if scope.plan_year is not None else ""
    return send_export(export, f"roadmap-{roadmap.id}-report{suffix}")


# --------------------------------------------------------------------------- an executor's own report


def _organization_for_request() -> Organization:
    """Executors get their own organization (asking for another is refused); staff may choose."""
    requested = request.args.get("org", type=int)
    if current_user.role == Role.EXECUTOR:
        if current_user.organization_id is None:
            abort(403)
        if requested is not None and requested != current_user.organization_id:
            abort(403)
        return db.session.get(Organization, current_user.organization_id)
    if requested is None:
        abort(400, description="Укажите организацию.")
    organization = db.get_or_404(Organization, requested)
    if not can_view_organization(current_user, organization):
        abort(404)  # another municipality's school: as good as unknown
    return organization


def _roadmap_for_organization(roadmap_id: int | None) -> Roadmap:
    if roadmap_id is None:
        abort(400, description="Укажите дорожную карту.")
    roadmap = db.get_or_404(Roadmap, roadmap_id)
    if roadmap.status == RoadmapStatus.DRAFT:
        abort(404)
    if current_user.role != Role.EXECUTOR and not can_view_roadmap(current_user, roadmap):
        abort(404)
    return roadmap


@bp.route("/reports/my.<fmt>")
@login_required
def my_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    organization = _organization_for_request()
    roadmap = _roadmap_for_organization(request.args.get("roadmap", type=int))
    params = report_params(roadmap, plan_years_of(roadmap.id))
    scope = report_scope(roadmap, params, organization.id)
    export = executor_export(roadmap, organization, scope, fmt, encoding=_csv_encoding())
    suffix = f"-{scope.plan_year}" if scope.plan_year is not None else ""
    return send_export(export, f"organization-{organization.id}-report{suffix}")


@bp.route("/reports/my")
@login_required
def my_reports():
    """An executor's list of roadmaps with tasks for their organization, and the downloads."""
    if current_user.role != Role.EXECUTOR or current_user.organization_id is None:
        abort(403)
    items = [
        {
            "roadmap": item.roadmap,
            "year": item.plan_year,
            "tasks": item.tasks,
            "label": item.label,
            "links": {
                fmt: url_for("reports.my_export", fmt=fmt, roadmap=item.roadmap.id, year=item.plan_year)
                for fmt in ("xlsx", "docx")
            },
        }
        for item in own_reports(current_user.organization_id)
    ]
    return render_template("reports/my.html", items=items, organization=current_user.organization)
