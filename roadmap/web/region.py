"""The region's summary of a roadmap: municipalities ranked, the measures × municipalities matrix,
a municipality's own dashboard (drill-down) and the region's report files."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from roadmap.extensions import db
from roadmap.models import Municipality, Roadmap
from roadmap.plans import dashboard as queries
from roadmap.plans.region import region_dashboard
from roadmap.reports import region as region_report
from roadmap.reports.service import build_scope
from roadmap.tasks.access import can_compare_municipalities, can_view_municipality_figures
from roadmap.web.access import staff_required
from roadmap.web.plans import chosen_plan_year, render_dashboard, roadmap_or_404
from roadmap.web.reports import send_export

bp = Blueprint("region", __name__, url_prefix="/roadmaps")


@bp.app_context_processor
def _region_links():
    return {"can_compare_municipalities": can_compare_municipalities}


def _comparable(roadmap_id: int) -> Roadmap:
    """A roadmap its user may see (404 otherwise) and compare across municipalities (403 otherwise)."""
    roadmap = roadmap_or_404(roadmap_id)
    if not can_compare_municipalities(current_user, roadmap):
        abort(403)
    return roadmap


def _scope_of(roadmap: Roadmap, municipality_id: int | None = None):
    years = queries.plan_years_of(roadmap.id)
    year = chosen_plan_year(roadmap, years)
    today = queries.today_in(roadmap.timezone)
    scope = build_scope(roadmap, year, today=today, default_year=False, municipality_id=municipality_id)
    return scope, years


@bp.route("/<int:roadmap_id>/municipalities")
@staff_required
def summary(roadmap_id: int):
    roadmap = _comparable(roadmap_id)
    scope, years = _scope_of(roadmap)
    return render_template(
        "region/summary.html",
        roadmap=roadmap,
        data=region_dashboard(roadmap, scope),
        year=scope.plan_year,
        years=years,
        order="coverage" if request.args.get("order") == "coverage" else "done",
        words=region_report,
    )


@bp.route("/<int:roadmap_id>/municipalities/<int:municipality_id>")
@staff_required
def municipality(roadmap_id: int, municipality_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    place = db.get_or_404(Municipality, municipality_id)
    if not can_view_municipality_figures(current_user, roadmap, place.id):
        abort(404)  # another municipality's figures: as good as unknown
    scope, years = _scope_of(roadmap, place.id)
    data = queries.dashboard(roadmap, scope.plan_year, scope.today, plan_years=years, municipality_id=place.id)
    return render_dashboard(
        roadmap, data, scope.plan_year, scope.today, queue=0, predecessor_form=None, municipality=place
    )


@bp.route("/<int:roadmap_id>/municipalities/download.<fmt>")
@staff_required
def download(roadmap_id: int, fmt: str):
    if fmt not in region_report.REGION_FORMATS:
        abort(404)
    roadmap = _comparable(roadmap_id)
    scope, _years = _scope_of(roadmap)
    export = region_report.region_export(roadmap, scope, fmt)
    suffix = f"-{scope.plan_year}" if scope.plan_year is not None else ""
    return send_export(export, f"roadmap-{roadmap.id}-municipalities{suffix}")
