"""Dates for measures left to each organization's own schedule: executors propose, coordinators confirm."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from roadmap.extensions import db
from roadmap.models import DateProposal, Measure, ProposalStatus, Role
from roadmap.tasks.access import proposal_refusal, territory_of
from roadmap.tasks.dates import DateLinesError, format_date_lines, parse_date_lines
from roadmap.tasks.proposals import (
    ProposalError,
    confirm_proposal,
    decide_many,
    describe,
    manual_measures_for,
    of_territory,
    pending_proposals,
    proposal_history,
    propose_dates,
    recently_decided,
    reject_proposal,
)
from roadmap.web.access import roles_required
from roadmap.web.forms.proposals import CORRECTABLE, BulkDecisionForm, DecideProposalForm, ProposeDatesForm, dates_help
from roadmap.web.retry import retried

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

STAFF = (Role.COORDINATOR, Role.ADMIN, Role.OBSERVER)
RECENT = 30


@bp.route("/", methods=["GET", "POST"])
@login_required
@retried
def index():
    if current_user.role == Role.EXECUTOR and request.method == "GET":
        items = manual_measures_for(current_user.organization)
        return render_template("proposals/mine.html", items=items, describe=describe)
    if current_user.role not in STAFF:
        abort(403)
    form = BulkDecisionForm()
    if form.is_submitted() and current_user.role != Role.COORDINATOR:
        abort(403)
    if form.validate_on_submit():
        return _decide_many(form)
    territory = territory_of(current_user)
    return render_template(
        "proposals/queue.html",
        pending=pending_proposals(territory=territory),
        decided=recently_decided(territory, limit=RECENT),
        describe=describe,
        form=form,
    )


def _decide_many(form: BulkDecisionForm):
    ids = {int(value) for value in request.form.getlist("proposal") if value.isdigit()}
    ids = of_territory(ids, territory_of(current_user))
    if not ids:
        flash("Отметьте хотя бы одно предложение.", "warning")
        return redirect(url_for("proposals.index"))
    if not (form.confirm.data or form.reject.data):
        abort(400, "Выберите действие: подтвердить или отклонить.")
    try:
        result, generated = decide_many(
            ids, current_user, confirming=bool(form.confirm.data), comment=form.comment.data or ""
        )
    except ProposalError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("proposals.index"))
    db.session.commit()
    message = result.message()
    if form.confirm.data and result.done:
        message += f" Задачи: {generated.summary()}."
    flash(message, "warning" if result.skipped else "success")
    return redirect(url_for("proposals.index"))


@bp.route("/measure/<int:measure_id>", methods=["GET", "POST"])
@roles_required(Role.EXECUTOR)
@retried
def measure(measure_id: int):
    item = next((i for i in manual_measures_for(current_user.organization) if i.measure.id == measure_id), None)
    if item is None:
        # Not the organization's measure, or its dates come from the roadmap: like a missing page.
        abort(404)
    form = ProposeDatesForm()
    period = (item.measure.roadmap.period_start, item.measure.roadmap.period_end)
    form.dates.description = dates_help(*period)
    if form.validate_on_submit():
        try:
            ranges = parse_date_lines(form.dates.data, period)
            propose_dates(item.measure, current_user, ranges, form.comment.data or "")
        except (DateLinesError, ProposalError) as exc:
            form.dates.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Даты отправлены координатору. Задачи появятся, когда он их подтвердит.", "success")
            return redirect(url_for("proposals.index"))
    elif not form.is_submitted():
        current = item.pending or item.confirmed or item.rejected
        if current is not None:
            form.dates.data = format_date_lines(current.ranges)
    history = proposal_history(measure_id, current_user.organization_id)
    status = 400 if form.errors else 200
    return render_template("proposals/measure.html", item=item, form=form, history=history, describe=describe), status


@bp.route("/<int:proposal_id>", methods=["GET", "POST"])
@login_required
@retried
def show(proposal_id: int):
    proposal = db.session.get(DateProposal, proposal_id)
    refusal = 404 if proposal is None else proposal_refusal(current_user, proposal)
    if refusal:
        abort(refusal)
    if current_user.role == Role.EXECUTOR:
        return redirect(url_for("proposals.measure", measure_id=proposal.measure_id))
    form = DecideProposalForm()
    if form.is_submitted() and current_user.role != Role.COORDINATOR:
        abort(403)
    if form.validate_on_submit():
        try:
            message = _decide(proposal, form)
        except (DateLinesError, ProposalError) as exc:
            db.session.rollback()
            return _refused(proposal_id, form, exc)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("proposals.index"))
    return _proposal_page(proposal, form)


def _refused(proposal_id: int, form: DecideProposalForm, exc: Exception):
    """A decision refused: the page again with what the coordinator typed, the message next to
    the field it is about — or, when the proposal was decided meanwhile, back to it."""
    proposal = db.session.get(DateProposal, proposal_id)
    if proposal.status != ProposalStatus.PROPOSED:
        flash(str(exc), "danger")
        return redirect(url_for("proposals.show", proposal_id=proposal_id))
    (form.comment if form.reject.data else form.dates).errors.append(str(exc))
    return _proposal_page(proposal, form)


def _decide(proposal: DateProposal, form: DecideProposalForm) -> str:
    """Confirm (as proposed or corrected) or reject; the message to show."""
    if not (form.confirm.data or form.reject.data):
        abort(400, "Выберите действие: подтвердить или отклонить.")
    if form.reject.data:
        reject_proposal(proposal, current_user, form.comment.data or "")
        return f"Даты отклонены; {proposal.organization.short_name} увидит причину."
    period = (proposal.measure.roadmap.period_start, proposal.measure.roadmap.period_end)
    ranges = parse_date_lines(form.dates.data, period) if (form.dates.data or "").strip() else None
    result = confirm_proposal(proposal, current_user, ranges, form.comment.data or "")
    return f"Даты подтверждены. Задачи: {result.summary()}."


def _proposal_page(proposal: DateProposal, form: DecideProposalForm):
    if not form.is_submitted():
        form.dates.data = format_date_lines(proposal.ranges)
    measure = db.session.scalars(
        select(Measure).where(Measure.id == proposal.measure_id).options(joinedload(Measure.roadmap))
    ).one()
    history = proposal_history(proposal.measure_id, proposal.organization_id)
    form.dates.description = dates_help(measure.roadmap.period_start, measure.roadmap.period_end) + CORRECTABLE
    return render_template(
        "proposals/show.html", proposal=proposal, measure=measure, form=form, history=history, describe=describe
    ), (400 if form.errors else 200)
