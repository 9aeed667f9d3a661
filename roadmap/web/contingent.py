"""The contingent page: an organization's students by grade, kept by the school itself (and
by the coordinator or the administrator)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from roadmap.contingent import LEVELS
from roadmap.directory.service import ContingentError, contingent_of, set_contingent
from roadmap.extensions import db
from roadmap.models import Organization
from roadmap.tasks.access import contingent_refusal
from roadmap.web.forms.contingent import ContingentForm, grade_field, level_field
from roadmap.web.retry import retried

bp = Blueprint("contingent", __name__, url_prefix="/contingent")


def _organization(org_id: int) -> Organization:
    organization = db.get_or_404(Organization, org_id)
    refusal = contingent_refusal(current_user, organization)
    if refusal:
        abort(refusal)
    return organization


@bp.route("/")
@login_required
def mine():
    if current_user.organization_id is None:
        abort(404)
    return redirect(url_for("contingent.edit", org_id=current_user.organization_id))


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@login_required
@retried
def edit(org_id: int):
    organization = _organization(org_id)
    form = ContingentForm()
    if not form.is_submitted():
        form.fill(organization)
    elif form.validate():
        try:
            set_contingent(organization, form.grades(), levels=form.levels(), user=current_user)
        except ContingentError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Контингент «{organization.short_name}» сохранён.", "success")
            return redirect(url_for("contingent.edit", org_id=organization.id))
    return render_template(
        "contingent/edit.html",
        organization=organization,
        form=form,
        levels=LEVELS,
        grade_field=grade_field,
        level_field=level_field,
        contingent=contingent_of([organization.id])[organization.id],
    ), (400 if form.errors else 200)
