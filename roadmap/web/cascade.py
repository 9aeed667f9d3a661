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
    link_candidates,
    link_measure,
    linkable_measures,
    target_roadmaps,
    unlink_measure,
)
from roadmap.tasks.access import can_fan_out, can_manage_roadmap, territory_of
from roadmap.web.access import roles_required
from roadmap.web.forms.admin import ConfirmForm
from roadmap.web.forms.cascade import FanOutForm, LinkForm
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


def _link_form(measure: Measure, candidates: list[Measure], **kwargs) -> LinkForm:
    form = LinkForm(prefix=f"l{measure.id}", **kwargs)
    form.measure.choices = [(m.id, f"{m.number} {m.title[:150]} — {m.roadmap.title[:80]}") for m in candidates]
    return form


def _page(status: int = 200, **bound):
    """The page; `bound` replaces the fresh form of one measure with the one just submitted
    (fan_out=form or link=form, and measure=the regional measure)."""
    items = assignments(current_user)
    fan_outs, links = {}, {}
    if current_user.role == Role.COORDINATOR:
        linkable = linkable_measures(current_user)
        for item in items:
            if item.children:
                continue
            fan_outs[item.measure.id] = _form(item.measure, formdata=None)
            candidates = link_candidates(item.measure, linkable)
            if candidates:
                links[item.measure.id] = _link_form(item.measure, candidates, formdata=None)
    if "measure" in bound:
        chosen = bound["measure"].id
        fan_outs[chosen] = bound.get("fan_out") or fan_outs.get(chosen)
        if bound.get("link") is not None:
            links[chosen] = bound["link"]
    page = render_template(
        "cascade/index.html",
        items=items,
        forms=fan_outs,
        links=links,
        may_unlink=current_user.role == Role.COORDINATOR,
        regional=cascaded_measures(current_user),
        municipal=territory_of(current_user) is not None,
    )
    return page, status


@bp.route("/")
@roles_required(Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)
def index():
    return _page()


def _cascaded_or_404(measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None or not can_fan_out(current_user, measure):
        abort(404)
    return measure


@bp.route("/measures/<int:measure_id>/fan-out", methods=["POST"])
@roles_required(Role.COORDINATOR)
@retried
def fan_out_measure(measure_id: int):
    measure = _cascaded_or_404(measure_id)
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
    return _page(400, measure=measure, fan_out=form)


@bp.route("/measures/<int:measure_id>/link", methods=["POST"])
@roles_required(Role.COORDINATOR)
@retried
def link(measure_id: int):
    measure = _cascaded_or_404(measure_id)
    form = _link_form(measure, link_candidates(measure, linkable_measures(current_user)))
    if form.validate_on_submit():
        chosen = db.session.get(Measure, form.measure.data) if form.measure.data else None
        try:
            result = link_measure(measure, current_user, chosen)
        except CascadeError as exc:
            db.session.rollback()
            form.measure.errors = [str(exc)]
        else:
            db.session.commit()
            flash(result.message, "success")
            return redirect(url_for("cascade.index"))
    return _page(400, measure=measure, link=form)


@bp.route("/linked/<int:measure_id>/unlink", methods=["POST"])
@roles_required(Role.COORDINATOR)
@retried
def unlink(measure_id: int):
    measure = db.session.get(Measure, measure_id)
    # Another municipality's measure is not there for this user at all.
    if measure is None or not can_manage_roadmap(current_user, measure.roadmap):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = unlink_measure(measure, current_user)
    except CascadeError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(result.message, "success")
    return redirect(url_for("cascade.index"))
