"""The API's resources. Each view reads what its user may see (roadmap.tasks.access) and changes
things only through the services the pages use, so that API and pages tell one story."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import wraps

from flask import Response, json, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from roadmap.api import Blueprint, guard
from roadmap.api.problems import PROBLEM_JSON, problem
from roadmap.api.schemas import (
    BulkResultSchema,
    BulkReviewIn,
    ContingentIn,
    ContingentSchema,
    ExportLinksSchema,
    FiguresArgs,
    GroupSchema,
    MeasureSchema,
    MeasureTargetsSchema,
    MeSchema,
    MonitoringSchema,
    NoArgs,
    NotApplicableIn,
    OrganizationArgs,
    OrganizationSchema,
    PageArgs,
    ProblemSchema,
    ReportIn,
    ReviewIn,
    RoadmapSchema,
    SectionSchema,
    SubscriptionCreatedSchema,
    SubscriptionIn,
    SubscriptionSchema,
    TargetIn,
    TargetResultsSchema,
    TaskArgs,
    TaskPageSchema,
    TaskSchema,
    TransitionSchema,
)
from roadmap.clock import today_for
from roadmap.extensions import db
from roadmap.models import Measure, Organization, OrgGroup, Roadmap, Role, Task
from roadmap.reports import queries
from roadmap.tasks import coverage
from roadmap.tasks.access import (
    can_view_roadmap,
    can_view_task,
    visible_groups,
    visible_organizations,
    visible_roadmaps,
    visible_tasks,
)
from roadmap.web.retry import RETRY_AFTER_SECONDS, retried

me_bp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="Кто я: пользователь ключа")
directory_bp = Blueprint("api_directory", __name__, url_prefix="/api/v1", description="Организации и группы")
roadmaps_bp = Blueprint("api_roadmaps", __name__, url_prefix="/api/v1", description="Дорожные карты и мероприятия")
tasks_bp = Blueprint("api_tasks", __name__, url_prefix="/api/v1", description="Задачи организаций и отчёты")
review_bp = Blueprint("api_review", __name__, url_prefix="/api/v1", description="Проверка отчётов координатором")
subscriptions_bp = Blueprint(
    "api_subscriptions", __name__, url_prefix="/api/v1", description="Подписки на календарь (iCal) пользователя ключа"
)
targets_bp = Blueprint(
    "api_targets", __name__, url_prefix="/api/v1", description="Целевые показатели мероприятий и их выполнение"
)
contingent_bp = Blueprint(
    "api_contingent", __name__, url_prefix="/api/v1", description="Контингент организаций по классам и уровням"
)
BLUEPRINTS = [
    guard(bp)
    for bp in (me_bp, directory_bp, roadmaps_bp, tasks_bp, review_bp, subscriptions_bp, targets_bp, contingent_bp)
]

ERRORS = (400, 401, 403, 404, 429)


def documented(blueprint: Blueprint, *codes: int):
    """Document the error answers a route gives (problem details)."""

    def decorator(view):
        for code in codes:
            view = blueprint.alt_response(code, description=_describe(code))(view)
        return view

    return decorator


def writing(blueprint: Blueprint):
    """A route that writes: a transient refusal of the database (a deadlock, a lock held past the
    timeout) runs its whole unit of work again, access check included (roadmap.web.retry); after
    the last attempt it answers 503 with Retry-After, documented here."""

    def decorator(view):
        view = blueprint.alt_response(
            503,
            schema=ProblemSchema,
            content_type=PROBLEM_JSON,
            description=_describe(503),
            headers={
                "Retry-After": {
                    "description": "Через сколько секунд повторить запрос: ничего не сохранено",
                    "schema": {"type": "integer", "example": RETRY_AFTER_SECONDS},
                }
            },
        )(view)
        return retried(view)

    return decorator


def _describe(code: int) -> str:
    from roadmap.api.problems import TITLES

    return TITLES.get(code, "Ошибка")


# ---------------------------------------------------------------- paging and caching


def encode_cursor(last_id: int) -> str:
    return str(last_id)


def decode_cursor(cursor: str | None) -> int:
    """The last id seen (0 for the first page); the schema has checked it is digits."""
    return int(cursor) if cursor else 0


def json_with_etag(payload) -> Response:
    """The JSON answer with a strong ETag of its bytes; 304 when the client has it already."""
    body = json.dumps(payload, ensure_ascii=False)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": response.headers["ETag"], "Cache-Control": "private, no-cache"})
    return response


def _page(stmt, key, args: dict, dump):
    """A cursor page of `stmt` ordered by `key` (an id column)."""
    after = decode_cursor(args.get("cursor"))
    rows = db.session.scalars(stmt.where(key > after).order_by(key).limit(args["limit"] + 1)).all()
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {"items": [dump(row) for row in rows], "next_cursor": encode_cursor(rows[-1].id) if more and rows else None}


# ---------------------------------------------------------------- me


@me_bp.route("/me")
@me_bp.response(200, MeSchema)
@documented(me_bp, 401, 429)
def me():
    """Пользователь, от имени которого действует ключ"""
    from flask import g

    return {
        "id": current_user.id,
        "login": current_user.login,
        "full_name": current_user.full_name,
        "role": current_user.role,
        "organization_id": current_user.organization_id,
        "token_read_only": g.api_token.is_read_only,
    }


# ---------------------------------------------------------------- directory


def _is_staff() -> bool:
    return current_user.role in (Role.COORDINATOR, Role.ADMIN, Role.OBSERVER)


@directory_bp.route("/organizations")
@directory_bp.arguments(OrganizationArgs, location="query", as_kwargs=True)
@directory_bp.response(200, OrganizationSchema(many=True))
@documented(directory_bp, *ERRORS)
def organizations(limit: int, cursor: str | None = None, kind: str | None = None):
    """Организации: сотрудникам региона — все, муниципалитета — своего муниципалитета и регионального уровня, исполнителю — своя

    Страницы по `limit` записей; следующая — с `cursor` из заголовка `X-Next-Cursor`.
    """
    stmt = visible_organizations(current_user)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    page = _page(stmt, Organization.id, {"limit": limit, "cursor": cursor}, lambda org: org)
    headers = {"X-Next-Cursor": page["next_cursor"]} if page["next_cursor"] else {}
    return page["items"], 200, headers


@directory_bp.route("/groups")
@directory_bp.response(200, GroupSchema(many=True))
@documented(directory_bp, 401, 403, 429)
def groups():
    """Группы организаций («ОО», «СПО» …) с составом — сотрудникам центра"""
    if not _is_staff():
        return problem(403, "Группы организаций видят сотрудники методического центра.")
    rows = db.session.scalars(
        visible_groups(current_user).options(selectinload(OrgGroup.members)).order_by(OrgGroup.id)
    ).all()
    # A region-wide group's members from other municipalities are not this user's to see.
    shown = set(db.session.scalars(visible_organizations(current_user).with_only_columns(Organization.id)))
    return [
        {
            "id": g.id,
            "name": g.name,
            "kind": g.kind,
            "municipality": g.municipality_name,
            "member_ids": sorted(m.id for m in g.members if m.id in shown),
        }
        for g in rows
    ]


# ---------------------------------------------------------------- roadmaps and measures


def _roadmap_or_404(roadmap_id: int) -> Roadmap | None:
    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None or not can_view_roadmap(current_user, roadmap):
        return None
    return roadmap


NOT_FOUND_ROADMAP = "Дорожная карта не найдена (или недоступна вам)."
NOT_FOUND_TASK = "Задача не найдена (или недоступна вам)."


@roadmaps_bp.route("/roadmaps")
@roadmaps_bp.response(200, RoadmapSchema(many=True))
@documented(roadmaps_bp, 401, 429)
def roadmaps():
    """Дорожные карты, которые видит пользователь (исполнителю — те, где у него есть задачи, через /tasks)"""
    return db.session.scalars(visible_roadmaps(current_user).order_by(Roadmap.id)).all()


@roadmaps_bp.route("/roadmaps/<int:roadmap_id>")
@roadmaps_bp.response(200, RoadmapSchema)
@documented(roadmaps_bp, 401, 404, 429)
def roadmap_detail(roadmap_id: int):
    """Одна дорожная карта"""
    return _roadmap_or_404(roadmap_id) or problem(404, NOT_FOUND_ROADMAP)


@roadmaps_bp.route("/roadmaps/<int:roadmap_id>/sections")
@roadmaps_bp.response(200, SectionSchema(many=True))
@documented(roadmaps_bp, 401, 404, 429)
def sections(roadmap_id: int):
    """Разделы дорожной карты"""
    roadmap = _roadmap_or_404(roadmap_id)
    if roadmap is None:
        return problem(404, NOT_FOUND_ROADMAP)
    return roadmap.sections


@roadmaps_bp.route("/roadmaps/<int:roadmap_id>/measures")
@roadmaps_bp.arguments(PageArgs, location="query", as_kwargs=True)
@roadmaps_bp.response(200, MeasureSchema(many=True))
@documented(roadmaps_bp, *ERRORS)
def measures(roadmap_id: int, limit: int, cursor: str | None = None):
    """Мероприятия с тем, как понят срок, и датами (как на странице проверки)

    Страницы по `limit`; следующая — с `cursor` из заголовка `X-Next-Cursor`.
    """
    from roadmap.plans.service import review_measure

    roadmap = _roadmap_or_404(roadmap_id)
    if roadmap is None:
        return problem(404, NOT_FOUND_ROADMAP)
    stmt = (
        select(Measure)
        .where(Measure.roadmap_id == roadmap.id, Measure.is_removed.is_(False))
        .options(selectinload(Measure.parties))
    )

    def dump(measure: Measure) -> dict:
        review = review_measure(measure, roadmap)
        return {
            "id": measure.id,
            "roadmap_id": measure.roadmap_id,
            "section_id": measure.section_id,
            "number": measure.number,
            "title": measure.title,
            "deadline_text": measure.deadline_text,
            "schedule_kind": str(measure.schedule_kind.value if measure.schedule_kind else ""),
            "schedule_explanation": review.explanation,
            "occurrences": [
                {
                    "key": o.key,
                    "plan_year": o.plan_year,
                    "label": o.label,
                    "start_on": o.start_on,
                    "due_on": o.due_on,
                    "due_effective_on": o.due_effective_on,
                }
                for o in review.occurrences
            ],
            "responsible_text": measure.responsible_text,
            "parties": [
                {"text": p.text, "organization_id": p.organization_id, "group_id": p.group_id} for p in measure.parties
            ],
            "no_tasks_reason": measure.no_tasks_reason,
            "parent_measure_id": measure.parent_measure_id,
        }

    page = _page(stmt, Measure.id, {"limit": limit, "cursor": cursor}, dump)
    headers = {"X-Next-Cursor": page["next_cursor"]} if page["next_cursor"] else {}
    return page["items"], 200, headers


@roadmaps_bp.route("/roadmaps/<int:roadmap_id>/figures")
@roadmaps_bp.arguments(FiguresArgs, location="query", as_kwargs=True)
@roadmaps_bp.response(200, MonitoringSchema)
@documented(roadmaps_bp, *ERRORS)
def figures(roadmap_id: int, plan_year: int | None):
    """Показатели мониторинга — те же числа, что на странице хода работы и в выгрузках"""
    from roadmap.reports.service import build_scope

    roadmap = _roadmap_or_404(roadmap_id)
    if roadmap is None:
        return problem(404, NOT_FOUND_ROADMAP)
    scope = build_scope(roadmap, plan_year)
    data = queries.overview(roadmap, scope)
    return {
        "roadmap_id": roadmap.id,
        "plan_year": scope.plan_year,
        "today": scope.today,
        "summary": _figures(data.summary),
        "coverage": {name: getattr(data.summary.coverage, name, 0) or 0 for name in coverage.FIELDS},
        "sections": [{"section_id": s.id, "heading": s.heading, "figures": _figures(s.figures)} for s in data.sections],
        "executors": [
            {"organization_id": e.id, "name": e.name, "figures": _figures(e.figures)} for e in data.executors_ranked
        ],
    }


def _figures(f: queries.Figures) -> dict:
    ratio = f.done_ratio
    return {
        "total": f.total,
        "done": f.done,
        "reported": f.reported,
        "in_review": f.in_review,
        "returned": f.returned,
        "overdue": f.overdue,
        "open": f.open,
        "not_applicable": f.not_applicable,
        "on_time": f.on_time,
        "late": f.late,
        "done_percent": None if ratio is None else round(ratio * 100, 1),
    }


@roadmaps_bp.route("/roadmaps/<int:roadmap_id>/exports")
@roadmaps_bp.response(200, ExportLinksSchema)
@documented(roadmaps_bp, 401, 404, 429)
def exports(roadmap_id: int):
    """Ссылки на выгрузки отчёта (XLSX, DOCX, CSV) — открываются в браузере под учётной записью"""
    roadmap = _roadmap_or_404(roadmap_id)
    if roadmap is None:
        return problem(404, NOT_FOUND_ROADMAP)
    return {
        fmt: url_for("reports.roadmap_export_view", roadmap_id=roadmap.id, fmt=fmt, _external=True)
        for fmt in ("xlsx", "docx", "csv")
    }


# ---------------------------------------------------------------- tasks


def _task_options():
    return (
        selectinload(Task.roadmap),
        selectinload(Task.measure),
        selectinload(Task.organization),
        selectinload(Task.transitions),
        selectinload(Task.current_report).selectinload(Task.current_report.property.mapper.class_.attachments),
    )


def task_json(task: Task, today: date | None = None) -> dict:
    today = today or today_for(task.roadmap)
    timeliness = task.timeliness(today)
    report = task.current_report
    return {
        "id": task.id,
        "roadmap_id": task.roadmap_id,
        "roadmap_title": task.roadmap.title,
        "measure_id": task.measure_id,
        "measure_number": task.measure.number,
        "measure_title": task.measure.title,
        "organization_id": task.organization_id,
        "organization_name": task.organization.short_name,
        "plan_year": task.plan_year,
        "label": task.label,
        "start_on": task.start_on,
        "due_on": task.due_on,
        "due_effective_on": task.due_effective_on,
        "workflow": task.workflow.value,
        "timeliness": timeliness.value if timeliness else None,
        "state_label": task.state_label(today),
        "version": task.version,
        "report": _report_json(task, report) if report is not None else None,
    }


def _report_json(task: Task, report) -> dict:
    return {
        "id": report.id,
        "is_not_applicable": report.is_not_applicable,
        "held_on": report.held_on,
        "coverage": {name: getattr(report, name) for name in coverage.COLUMNS},
        "comment": report.comment,
        "links": [line.strip() for line in (report.links or "").splitlines() if line.strip()],
        "attachments": [
            {
                "id": a.id,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "url": url_for("tasks.attachment", attachment_id=a.id, _external=True),
            }
            for a in report.attachments
        ],
        "created_at": report.created_at,
    }


@tasks_bp.route("/tasks")
@tasks_bp.arguments(TaskArgs, location="query")
@tasks_bp.response(200, TaskPageSchema)
@tasks_bp.alt_response(304, description="Не изменилось с прошлого запроса (If-None-Match)")
@documented(tasks_bp, *ERRORS)
def tasks(args: dict):
    """Задачи, которые видит пользователь: фильтры по карте, году плана, организации, состоянию и сроку

    Страницы по `limit`, следующая — по `next_cursor`. Ответ с ETag: повторный запрос с
    `If-None-Match` получает 304, пока ничего не изменилось.
    """
    from roadmap.clock import today_in

    stmt = visible_tasks(current_user).options(*_task_options())
    if args["roadmap_id"]:
        stmt = stmt.where(Task.roadmap_id == args["roadmap_id"])
    if args["plan_year"]:
        stmt = stmt.where(Task.plan_year == args["plan_year"])
    if args["organization_id"]:
        stmt = stmt.where(Task.organization_id == args["organization_id"])
    if args["workflow"]:
        if args["workflow"] == "cancelled":
            stmt = stmt.where(Task.is_cancelled.is_(True))
        else:
            stmt = stmt.where(Task.is_cancelled.is_(False), queries.workflow_state() == args["workflow"])
    if args["overdue"] is not None:
        overdue = queries.is_overdue(today_in())
        stmt = stmt.where(Task.is_cancelled.is_(False), overdue if args["overdue"] else ~overdue)
    if args["due_from"]:
        stmt = stmt.where(Task.due_effective_on >= args["due_from"])
    if args["due_to"]:
        stmt = stmt.where(Task.due_effective_on <= args["due_to"])
    page = _page(stmt, Task.id, args, task_json)
    return json_with_etag(TaskPageSchema().dump(page))


def visible_task_first(view):
    """Whether the task may be seen is decided before its request body is read: another
    organization's task answers 404 whatever is sent, like a missing one."""

    @wraps(view)
    def wrapped(*args, task_id: int, **kwargs):
        task = _task_or_none(task_id)
        if task is None:
            return problem(404, NOT_FOUND_TASK)
        return view(*args, task=task, **kwargs)

    return wrapped


def _task_or_none(task_id: int) -> Task | None:
    task = db.session.scalars(select(Task).where(Task.id == task_id).options(*_task_options())).one_or_none()
    if task is None or not can_view_task(current_user, task):
        return None
    return task


@tasks_bp.route("/tasks/<int:task_id>")
@tasks_bp.response(200, TaskSchema)
@documented(tasks_bp, 401, 404, 429)
def task_detail(task_id: int):
    """Одна задача с текущим отчётом"""
    task = _task_or_none(task_id)
    return task_json(task) if task else problem(404, NOT_FOUND_TASK)


@tasks_bp.route("/tasks/<int:task_id>/history")
@tasks_bp.response(200, TransitionSchema(many=True))
@documented(tasks_bp, 401, 404, 429)
def task_history(task_id: int):
    """История задачи: кто, когда, из какого состояния в какое, с комментарием"""
    task = _task_or_none(task_id)
    if task is None:
        return problem(404, NOT_FOUND_TASK)
    return [
        {
            "at": t.at,
            "user_id": t.user_id,
            "from_status": t.from_status.value if t.from_status else None,
            "to_status": t.to_status.value,
            "comment": t.comment,
            "reason": t.reason.value if t.reason else None,
        }
        for t in task.transitions
    ]


def _decide(task: Task, action) -> Response | dict:
    """Run one workflow action on `task`: committed and answered with the task, or rolled back
    and answered with the refusal (409 for a stale version)."""
    from roadmap.tasks.workflow import WorkflowError

    task_id = task.id
    try:
        action()
    except WorkflowError as exc:
        db.session.rollback()
        return _refused(exc)
    db.session.commit()
    return task_json(_task_or_none(task_id))


def _refused(exc) -> Response:
    from roadmap.tasks.workflow import ConflictError

    if isinstance(exc, ConflictError):
        return problem(409, str(exc), field="version")
    return problem(422, str(exc), field=getattr(exc, "field", None))


@tasks_bp.route("/tasks/<int:task_id>/report", methods=["POST"])
@writing(tasks_bp)
@visible_task_first
@tasks_bp.arguments(ReportIn, location="form", content_type="multipart/form-data")
@tasks_bp.response(200, TaskSchema)
@documented(tasks_bp, *ERRORS, 409, 413, 422)
def submit(form: dict, task: Task):
    """Отчитаться по задаче (multipart/form-data; файлы — в поле files)

    `version` — версия задачи из последнего чтения: если задачу за это время изменили, ответ 409.
    """
    from roadmap.tasks.workflow import ReportInput, UploadedFile, submit_report

    uploads = [UploadedFile(f.filename or "файл", f.read()) for f in request.files.getlist("files")]
    data = ReportInput(
        held_on=form.get("held_on"),
        **{name: form.get(name) for name in coverage.COLUMNS},
        comment=form["comment"],
        links=form["links"],
        files=uploads,
    )
    return _decide(task, lambda: submit_report(task, current_user, data, expected_version=form["version"]))


@tasks_bp.route("/tasks/<int:task_id>/not-applicable", methods=["POST"])
@writing(tasks_bp)
@visible_task_first
@tasks_bp.arguments(NotApplicableIn)
@tasks_bp.response(200, TaskSchema)
@documented(tasks_bp, *ERRORS, 409, 422)
def not_applicable(body: dict, task: Task):
    """Отметить «не применимо» с причиной"""
    from roadmap.tasks.workflow import mark_not_applicable

    return _decide(
        task, lambda: mark_not_applicable(task, current_user, body["reason"], expected_version=body["version"])
    )


# ---------------------------------------------------------------- review


def coordinator_first(view):
    """Bulk review is the coordinator's: others are refused before their request body is read."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.role != Role.COORDINATOR:
            return problem(403, "Проверять отчёты может только координатор.")
        return view(*args, **kwargs)

    return wrapped


@review_bp.route("/tasks/<int:task_id>/review", methods=["POST"])
@writing(review_bp)
@visible_task_first
@review_bp.arguments(ReviewIn)
@review_bp.response(200, TaskSchema)
@documented(review_bp, *ERRORS, 409, 422)
def review(body: dict, task: Task):
    """Принять отчёт или вернуть его на доработку (с причиной)"""
    from roadmap.tasks.workflow import review_report

    return _decide(
        task,
        lambda: review_report(
            task,
            current_user,
            accepting=body["decision"] == "accept",
            reason=body["reason"],
            comment=body["comment"],
            expected_version=body["version"],
        ),
    )


@review_bp.route("/review", methods=["POST"])
@writing(review_bp)
@coordinator_first
@review_bp.arguments(BulkReviewIn)
@review_bp.response(200, BulkResultSchema)
@documented(review_bp, *ERRORS, 422)
def review_bulk(body: dict):
    """Принять или вернуть несколько отчётов; ответ говорит о каждом, что с ним сделано"""
    from roadmap.tasks.workflow import review_many

    wanted = {item["task_id"]: item["version"] for item in body["items"]}
    visible = {
        task.id
        for task in db.session.scalars(select(Task).where(Task.id.in_(wanted)).options(selectinload(Task.roadmap)))
        if can_view_task(current_user, task)
    }
    if body["decision"] == "return" and not body["reason"]:
        return problem(422, "Выберите причину возврата.", field="reason")
    result = review_many(
        visible | (set(wanted) - visible),
        current_user,
        accepting=body["decision"] == "accept",
        reason=body["reason"],
        comment=body["comment"],
        versions=wanted,
    )
    db.session.commit()
    refused = {item.id: item.reason for item in result.skipped}
    return {
        "message": result.message(),
        "done": len(result.done),
        "refused": len(result.skipped),
        "items": [
            {"task_id": task_id, "ok": task_id not in refused, "detail": refused.get(task_id, "готово")}
            for task_id in sorted(wanted)
        ],
    }


# ---------------------------------------------------------------- calendar subscriptions
# The page «Подписка на календарь» and these routes share the service (roadmap.feeds.service:
# who may subscribe to what, creation, revocation, their audit) and what the creator is shown
# once (roadmap.web.feeds.created_feed).

NOT_FOUND_SUBSCRIPTION = "Подписка не найдена (или отозвана, или не ваша)."


def subscription_json(subscription) -> dict:
    from roadmap.feeds.options import format_alarm_time, stored_options
    from roadmap.feeds.service import options_summary, target_label
    from roadmap.models import SubscriptionKind

    options = stored_options(subscription.options)
    return {
        "id": subscription.id,
        "name": subscription.name,
        "kind": subscription.kind.value,
        "kind_label": subscription.kind.label,
        "organization_id": subscription.target_id if subscription.kind == SubscriptionKind.ORGANIZATION else None,
        "roadmap_id": subscription.target_id if subscription.kind == SubscriptionKind.ROADMAP else None,
        "target": target_label(subscription),
        "options": {
            "sections": list(options.sections),
            "plan_year": options.plan_year,
            "statuses": options.ordered_statuses(),
            "view": options.view,
            "alarms": options.alarms,
            "alarm_days": list(options.alarm_days),
            "remind_at": format_alarm_time(options.alarm_time) if options.alarm_time else None,
            "format": options.component.lower(),
        },
        "options_summary": options_summary(subscription),
        "narrowed": (subscription.options or {}).get("_narrowed"),
        "created_at": subscription.created_at,
        "last_used_at": subscription.last_used_at,
    }


@subscriptions_bp.route("/subscriptions")
@subscriptions_bp.response(200, SubscriptionSchema(many=True))
@documented(subscriptions_bp, 401, 429)
def subscriptions():
    """Мои подписки на календарь (действующие), как на странице «Подписка на календарь»

    Адрес календаря здесь не показывается: он известен только в ответе на создание подписки.
    """
    from roadmap.feeds.service import list_subscriptions

    return [subscription_json(s) for s in list_subscriptions(current_user)]


@subscriptions_bp.route("/subscriptions", methods=["POST"])
@writing(subscriptions_bp)
@subscriptions_bp.arguments(SubscriptionIn)
@subscriptions_bp.response(201, SubscriptionCreatedSchema)
@documented(subscriptions_bp, *ERRORS, 422)
def subscription_create(body: dict):
    """Создать подписку на календарь: ответ содержит её адрес — единственный раз

    Те же настройки, что на странице: что показывать (`kind` с `roadmap_id` или `organization_id`),
    разделы, год плана, виды задач, вид срока, напоминания, формат.
    """
    from roadmap.feeds.options import OptionsError, chosen_options
    from roadmap.feeds.service import SubscriptionError, chosen_target, create_subscription
    from roadmap.web.feeds import created_feed

    for name, kind in (("roadmap_id", "roadmap"), ("organization_id", "organization")):
        if body[name] is not None and body["kind"] != kind:
            return problem(422, f"Поле {name} указывается только для kind={kind}.", field=name)
    try:
        options = chosen_options(
            section=",".join(body["sections"]),
            plan_year=body["plan_year"],
            statuses=body["statuses"],
            view=body["view"],
            alarms=body["alarms"],
            remind_at=body["remind_at"] or "",
            component=body["format"],
        )
        subscription, token = create_subscription(
            current_user,
            name=body["name"],
            kind=body["kind"],
            target_id=chosen_target(
                body["kind"], organization_id=body["organization_id"], roadmap_id=body["roadmap_id"]
            ),
            options=options,
        )
    except (OptionsError, SubscriptionError) as exc:
        db.session.rollback()
        return problem(422, str(exc), field=_subscription_field(body["kind"], exc))
    db.session.commit()
    created = created_feed(subscription, token)
    answer = {
        **subscription_json(subscription),
        "feed": {name: created[name] for name in ("https", "webcal", "google")},
        "events": created["events"],
    }
    headers = {
        "Location": url_for("api_subscriptions.subscription_detail", subscription_id=subscription.id),
        "Cache-Control": "no-store",  # the answer holds the feed's only copy of its token
    }
    return answer, 201, headers


def _subscription_field(kind: str, exc: Exception) -> str:
    from roadmap.feeds.options import OptionsError

    if isinstance(exc, OptionsError):
        return "options"
    return {"roadmap": "roadmap_id", "organization": "organization_id"}.get(kind, "name")


@subscriptions_bp.route("/subscriptions/<int:subscription_id>")
@subscriptions_bp.response(200, SubscriptionSchema)
@documented(subscriptions_bp, 401, 404, 429)
def subscription_detail(subscription_id: int):
    """Одна моя подписка (без адреса: он был в ответе на создание)"""
    from roadmap.feeds.service import own_subscription

    subscription = own_subscription(current_user, subscription_id)
    return subscription_json(subscription) if subscription else problem(404, NOT_FOUND_SUBSCRIPTION)


@subscriptions_bp.route("/subscriptions/<int:subscription_id>", methods=["DELETE"])
@writing(subscriptions_bp)
@subscriptions_bp.response(204)
@documented(subscriptions_bp, 401, 403, 404, 429)
def subscription_revoke(subscription_id: int):
    """Отозвать подписку: её адрес сразу перестаёт работать, как после отзыва на странице"""
    from roadmap.feeds.service import revoke_subscription

    subscription = revoke_subscription(current_user, subscription_id)
    if subscription is None:
        return problem(404, NOT_FOUND_SUBSCRIPTION)
    db.session.commit()
    return Response(status=204)


# ---------------------------------------------------------------- targets of measures
# The review screen's service sets them (roadmap.plans.targets: validation, audit); the results
# are the report's own (roadmap.reports.queries.target_results, said by targets_sentence).

NOT_FOUND_MEASURE = "Мероприятие не найдено (или недоступно вам)."


def measure_first(*, editing: bool):
    """The measure of a visible roadmap, found before the request body is read: 404 like a
    missing one otherwise; changing targets is the roadmap manager's (403 to others)."""
    from roadmap.tasks.access import can_manage_roadmap

    def decorator(view):
        @wraps(view)
        def wrapped(*args, roadmap_id: int, measure_id: int, **kwargs):
            roadmap = _roadmap_or_404(roadmap_id)
            measure = db.session.get(Measure, measure_id) if roadmap is not None else None
            if measure is None or measure.roadmap_id != roadmap.id:
                return problem(404, NOT_FOUND_MEASURE)
            if editing and not can_manage_roadmap(current_user, roadmap):
                return problem(403, "Целевые показатели задаёт координатор дорожной карты.")
            return view(*args, measure=measure, **kwargs)

        return wrapped

    return decorator


def measure_targets_json(measure: Measure) -> dict:
    from roadmap.targets import describe

    def one(target) -> dict:
        kind = target.kind
        return {
            "plan_year": target.plan_year,
            "kind": kind.value if kind else None,
            "kind_label": kind.label if kind else None,
            "planned": target.planned,
            "grade_from": target.grade_from,
            "grade_to": target.grade_to,
            "text": target.text or "",
            "description": describe(kind, target.planned, target.band) if kind else (target.text or ""),
            "updated_at": target.updated_at,
        }

    ordered = sorted(measure.targets, key=lambda t: (t.plan_year is not None, t.plan_year or 0))
    return {
        "measure_id": measure.id,
        "roadmap_id": measure.roadmap_id,
        "number": measure.number,
        "items": [one(t) for t in ordered],
    }


@targets_bp.route("/roadmaps/<int:roadmap_id>/measures/<int:measure_id>/targets")
@measure_first(editing=False)
@targets_bp.arguments(NoArgs, location="query")
@targets_bp.response(200, MeasureTargetsSchema)
@documented(targets_bp, 401, 404, 429)
def measure_targets(_args: dict, measure: Measure):
    """Целевые показатели мероприятия: для каждого года плана и для отдельных лет (свой год важнее)"""
    return measure_targets_json(measure)


@targets_bp.route("/roadmaps/<int:roadmap_id>/measures/<int:measure_id>/targets", methods=["PUT"])
@writing(targets_bp)
@measure_first(editing=True)
@targets_bp.arguments(TargetIn)
@targets_bp.response(200, MeasureTargetsSchema)
@documented(targets_bp, *ERRORS, 422)
def measure_target_put(body: dict, measure: Measure):
    """Задать целевой показатель года плана (`plan_year` null — каждого года) или снять его (`kind` null)

    Те же проверки, что на странице проверки: год из периода карты, значение больше нуля, доля
    не больше 100 %, классы для доли классов. Изменение записывается в журнал.
    """
    from roadmap.plans.targets import TargetError, band_between, set_target

    measure_id = measure.id
    try:
        if body["grade_to"] is not None and body["grade_from"] is None:
            raise TargetError("Укажите и первый класс (grade_from): например, с 9 по 9.", "grade_from")
        set_target(
            measure,
            plan_year=body["plan_year"],
            kind=body["kind"],
            planned=body["planned"],
            band=band_between(body["grade_from"], body["grade_to"]),
            text=body["text"],
            user=current_user,
        )
    except TargetError as exc:
        db.session.rollback()
        return problem(422, str(exc), field=exc.field)
    db.session.commit()
    return measure_targets_json(db.session.get(Measure, measure_id))


@targets_bp.route("/roadmaps/<int:roadmap_id>/targets")
@targets_bp.arguments(FiguresArgs, location="query", as_kwargs=True)
@targets_bp.response(200, TargetResultsSchema)
@documented(targets_bp, *ERRORS)
def target_results(roadmap_id: int, plan_year: int | None):
    """Выполнение целевых показателей за год плана — те же числа и та же фраза, что в отчёте

    Доли контингента — и по каждой организации-исполнителю.
    """
    from roadmap.reports.service import build_scope
    from roadmap.reports.targets import targets_sentence

    roadmap = _roadmap_or_404(roadmap_id)
    if roadmap is None:
        return problem(404, NOT_FOUND_ROADMAP)
    scope = build_scope(roadmap, plan_year)
    results = queries.target_results(scope)
    return {
        "roadmap_id": roadmap.id,
        "plan_year": scope.plan_year,
        "sentence": targets_sentence(results),
        "met": sum(1 for r in results if r.met is True),
        "missed": sum(1 for r in results if r.met is False),
        "not_judged": sum(1 for r in results if r.met is None),
        "items": [_target_result_json(r) for r in results],
    }


def _target_result_json(result: queries.TargetResult) -> dict:
    return {
        "measure_id": result.measure_id,
        "measure_number": result.measure_number,
        "measure_title": result.measure_title,
        "plan_year": result.plan_year,
        "kind": result.kind.value if result.kind else None,
        "planned": result.planned,
        "grade_from": result.band.first,
        "grade_to": result.band.last,
        "description": result.description,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "fact": None if result.fact is None else round(result.fact, 1),
        "fact_text": result.fact_text,
        "met": result.met,
        "met_text": result.met_text,
        "missing_contingent": result.missing_contingent,
        "organizations": [
            {
                "organization_id": o.organization_id,
                "name": o.name,
                "students": o.students,
                "contingent": o.contingent,
                "fact": None if o.fact is None else round(o.fact, 1),
                "met": o.met,
            }
            for o in result.organizations
        ],
    }


# ---------------------------------------------------------------- contingent
# The /contingent page's service (roadmap.directory.service.set_contingent) and access rule
# (roadmap.tasks.access.contingent_refusal: can_edit_contingent).

NOT_FOUND_ORGANIZATION = "Организация не найдена (или недоступна вам)."


def contingent_first(view):
    """The organization whose contingent the user keeps, found before the request body is read."""
    from roadmap.tasks.access import contingent_refusal

    @wraps(view)
    def wrapped(*args, org_id: int, **kwargs):
        organization = db.session.get(Organization, org_id)
        refusal = 404 if organization is None else contingent_refusal(current_user, organization)
        if refusal == 404:
            return problem(404, NOT_FOUND_ORGANIZATION)
        if refusal:
            return problem(403, "Контингент ведут сама организация, координатор её территории и администратор.")
        return view(*args, organization=organization, **kwargs)

    return wrapped


def contingent_json(organization: Organization) -> dict:
    from roadmap.contingent import LEVELS
    from roadmap.directory.service import contingent_of

    known = contingent_of([organization.id])[organization.id]

    def source(level) -> str | None:
        if known.of(level.band) is None:
            return None
        return "level" if known.from_level_totals(level.band) else "grades"

    return {
        "organization_id": organization.id,
        "student_count": organization.student_count,
        "grades": [{"grade": g, "students": n} for g, n in sorted(known.by_grade.items())],
        "levels_only": [
            {"level": lv.code, "students": known.by_level_only[lv.code]}
            for lv in LEVELS
            if lv.code in known.by_level_only
        ],
        "levels": [
            {
                "level": lv.code,
                "name": lv.name,
                "grade_from": lv.band.first,
                "grade_to": lv.band.last,
                "students": known.of(lv.band),
                "source": source(lv),
            }
            for lv in LEVELS
        ],
    }


@contingent_bp.route("/organizations/<int:org_id>/contingent")
@contingent_first
@contingent_bp.arguments(NoArgs, location="query")
@contingent_bp.response(200, ContingentSchema)
@documented(contingent_bp, 401, 403, 404, 429)
def contingent(_args: dict, organization: Organization):
    """Контингент организации: обучающиеся по классам и по уровням (как на странице «Контингент»)"""
    return contingent_json(organization)


@contingent_bp.route("/organizations/<int:org_id>/contingent", methods=["PUT"])
@writing(contingent_bp)
@contingent_first
@contingent_bp.arguments(ContingentIn)
@contingent_bp.response(200, ContingentSchema)
@documented(contingent_bp, *ERRORS, 422)
def contingent_put(body: dict, organization: Organization):
    """Заменить контингент: классы, а для уровней, где классы неизвестны, — всего по уровню

    Для одного уровня — либо классы, либо общее число (равное сумме классов принимается и не
    хранится). Всего обучающихся становится суммой. Пустые списки очищают контингент, оставляя
    общее число. Изменение записывается в журнал.
    """
    from roadmap.directory.service import ContingentError, set_contingent

    grades = [item["grade"] for item in body["grades"]]
    levels = [item["level"] for item in body["levels_only"]]
    for name, keys in (("grades", grades), ("levels_only", levels)):
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            return problem(422, f"Повторяется: {', '.join(repeated)} — каждый класс и уровень один раз.", field=name)
    try:
        set_contingent(
            organization,
            {item["grade"]: item["students"] for item in body["grades"]},
            levels={item["level"]: item["students"] for item in body["levels_only"]},
            user=current_user,
        )
    except ContingentError as exc:
        db.session.rollback()
        return problem(422, str(exc), field="levels_only")
    db.session.commit()
    return contingent_json(organization)
