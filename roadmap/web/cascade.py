"""The cascade: regional measures a municipality passes on to its own organizations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from roadmap.extensions import db
from roadmap.models import Measure, Municipality, Roadmap, Role
from roadmap.plans.cascade import (
    NEW_ROADMAP,
    CascadeError,
    assignments,
    cascaded_measures,
    default_responsible,
    fan_out,
    target_roadmaps,
)
from roadmap.tasks.access import can_fan_out, territory_of
from roadmap.web.access import roles_required
from roadmap.web.forms.cascade import FanOutForm
from roadmap.web.retry import retried

bp = Blueprint("cascade", __name__, url_prefix="/cascade")


def _form(measure: Measure, **kwargs) -> FanOutForm:
    # One form per measure on the page: the prefix keeps their fields' ids (and labels) apart.
    form = FanOutForm(prefix=f"m{measure.id}", **kwargs)
    form.roadmap.choices = [(r.id, r.title) for r in target_roadmaps(current_user, measure)]
    form.roadmap.choices.append((NEW_ROADMAP, "Новая дорожная карта муниципалитета (черновик)"))
    if kwargs.get("formdata", True) is None:  # a fresh form: every school of the municipality
        form.responsible.data = default_responsible(db.session.get(Municipality, territory_of(current_user)))
    return form


@bp.route("/")
@roles_required(Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)
def index():
    items = assignments(current_user)
    forms = {}
    if current_user.role == Role.COORDINATOR:
        forms = {item.measure.id: _form(item.measure, formdata=None) for item in items if not item.children}
    return render_template(
        "cascade/index.html",
        items=items,
        forms=forms,
        regional=cascaded_measures(current_user),
        municipal=territory_of(current_user) is not None,
    )


@bp.route("/measures/<int:measure_id>/fan-out", methods=["POST"])
@roles_required(Role.COORDINATOR)
@retried
def fan_out_measure(measure_id: int):
    measure = db.session.get(Measure, measure_id)
    if measure is None or not can_fan_out(current_user, measure):
        abort(404)
    form = _form(measure)
    if form.validate_on_submit():
        roadmap = db.session.get(Roadmap, form.roadmap.data) if form.roadmap.data else None
        try:
            result = fan_out(measure, current_user, roadmap=roadmap, responsible=form.responsible.data)
        except CascadeError as exc:
            db.session.rollback()
            form.responsible.errors = [str(exc)]
        else:
            db.session.commit()
            flash(result.message, "success" if not result.unmatched else "warning")
            return redirect(url_for("plans.show", roadmap_id=result.roadmap.id))
    items = assignments(current_user)
    forms = {item.measure.id: _form(item.measure, formdata=None) for item in items if not item.children}
    forms[measure.id] = form
    return render_template("cascade/index.html", items=items, forms=forms, regional=[], municipal=True), 400
