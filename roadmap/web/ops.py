"""Operations: liveness and readiness probes, and background jobs with their progress pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from roadmap.extensions import db
from roadmap.health import database_problem
from roadmap.jobs import QueueUnavailable, enqueue, job_status, queue_enabled, redis_connection
from roadmap.models import Roadmap
from roadmap.russian import truncate
from roadmap.web.access import admin_required
from roadmap.web.retry import retried

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """Alive: answers as long as the process serves requests. Touches neither the database nor
    Redis, so that a supervisor does not restart healthy processes during a database outage."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Ready to serve: the database answers and carries the newest schema (alembic head) and,
    when configured, Redis answers too. 200, or 503 with the reason of each failed check."""
    checks: dict[str, str] = {}
    problem = database_problem(db.engine)
    if problem is None:
        checks["database"] = checks["schema"] = "ok"
    elif problem[0] == "unreachable":
        checks["database"], checks["schema"] = f"error: {problem[1]}", "not checked"
    else:
        checks["database"], checks["schema"] = "ok", f"error: {problem[1]}"
    if current_app.config.get("REDIS_URL"):
        try:
            redis_connection().ping()
            checks["redis"] = "ok"
        except Exception as exc:  # any failure means "not ready"; the class name is enough for an operator
            checks["redis"] = f"error: Redis недоступен ({type(exc).__name__})"
    failed = [value.removeprefix("error: ") for value in checks.values() if value.startswith("error: ")]
    if failed:
        return {"status": "unavailable", "checks": checks, "reason": "; ".join(failed)}, 503
    return {"status": "ok", "checks": checks}, 200


# ---------------------------------------------------------------- jobs


def _visible_job(job_id: str, *, as_json: bool = False):
    try:
        status = job_status(job_id)
    except QueueUnavailable as exc:
        if as_json:
            abort(make_response({"error": str(exc)}, 503))
        abort(make_response(render_template("errors/error.html", code=503, message=str(exc)), 503))
    if status is None:
        abort(404)
    if not (current_user.is_admin or (status.user_id is not None and status.user_id == current_user.id)):
        abort(404)  # a job of someone else is as good as unknown
    if status.result and status.result.get("link"):
        endpoint, values = status.result["link"]
        status.result = {**status.result, "url": url_for(endpoint, **values)}
    return status


@bp.route("/jobs/<job_id>")
@login_required
def job(job_id: str):
    status = _visible_job(job_id, as_json=True)
    data = status.to_dict()
    if status.result and status.result.get("file"):
        data["download_url"] = url_for("ops.download", job_id=job_id)
    return data


@bp.route("/jobs/<job_id>/progress")
@login_required
def progress(job_id: str):
    status = _visible_job(job_id)
    return render_template("ops/job.html", job=status, queued=queue_enabled())


@bp.route("/jobs/<job_id>/download")
@login_required
def download(job_id: str):
    from roadmap.jobs.tasks import export_folder

    status = _visible_job(job_id)
    result = status.result or {}
    if not result.get("file"):
        abort(404)
    path = export_folder() / result["file"]
    if not path.is_file() or path.parent != export_folder():
        abort(404)
    return send_file(path, as_attachment=True, download_name=result.get("filename") or path.name)


@bp.route("/jobs/roadmaps/<int:roadmap_id>/generate", methods=["POST"])
@login_required
@retried
def generate(roadmap_id: int):
    from roadmap.tasks.access import can_manage_roadmap, can_view_roadmap

    if not can_manage_roadmap(current_user):
        abort(403)
    roadmap = db.get_or_404(Roadmap, roadmap_id)
    if not can_view_roadmap(current_user, roadmap):
        abort(404)  # another municipality's roadmap: as good as unknown
    if not can_manage_roadmap(current_user, roadmap):
        abort(403)
    job_id = enqueue(
        "roadmap.jobs.tasks.generate_roadmap_tasks",
        roadmap.id,
        current_user.id,
        user_id=current_user.id,
        description=f"Формирование задач: {truncate(roadmap.title, 150)}",
    )
    return redirect(url_for("ops.progress", job_id=job_id))


@bp.route("/jobs/reminders/send", methods=["POST"])
@admin_required
@retried
def send_reminders():
    job_id = enqueue("roadmap.jobs.tasks.send_reminders", user_id=current_user.id, description="Отправка напоминаний")
    return redirect(url_for("ops.progress", job_id=job_id))
