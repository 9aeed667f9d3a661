"""The API's JSON shapes (marshmallow): what goes out, what comes in. Unknown input fields are
refused (400), every limit is stated in the schema and so in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from roadmap.contingent import FIRST_GRADE, GRADES, LAST_GRADE, LEVELS
from roadmap.directory.service import MAX_STUDENTS_IN_GRADE, MAX_STUDENTS_IN_LEVEL
from roadmap.feeds.options import DEFAULT_STATUSES, MAX_SECTIONS, STATUS_ORDER
from roadmap.models import OrgKind, ReturnReason, SubscriptionKind
from roadmap.targets import TargetKind
from roadmap.tasks import coverage
from roadmap.tasks.state import Timeliness, Workflow

MAX_PAGE_SIZE = 200
MAX_TEXT = 5000
INT32 = 2_147_483_647


def between(low: int, high: int) -> validate.Range:
    return validate.Range(low, high, error=f"Допустимо целое число от {low} до {high}.")


def at_most(chars: int, at_least: int = 0) -> validate.Length:
    if at_least:
        return validate.Length(at_least, chars, error=f"Нужно от {at_least} до {chars} знаков.")
    return validate.Length(max=chars, error=f"Не длиннее {chars} знаков.")


def one_of(choices) -> validate.OneOf:
    choices = list(choices)
    shown = ", ".join(c for c in choices if c) or "—"
    return validate.OneOf(choices, error=f"Допустимые значения: {shown}.")


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


class Id(fields.Integer):
    """An object's id: a positive 32-bit integer (in a query string, its digits)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", between(1, INT32))
        super().__init__(**kwargs)


class JsonBoolean(fields.Boolean):
    """true or false in a JSON body: 0, 1 or "yes" are not booleans there (a query string's
    "true" and "1" are read by fields.Boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class JsonInteger(fields.Integer):
    """An integer in a JSON body: "9" and true are not integers there (9.0 is, as JSON Schema
    says)."""

    def _deserialize(self, value, attr, data, **kwargs):
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class JsonNumber(fields.Float):
    """A number in a JSON body: "75" or true are not numbers there."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# ---------------------------------------------------------------- out


class ProblemSchema(ma.Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String(metadata={"description": "Что не так, по-русски"})
    instance = fields.String()
    field = fields.String(metadata={"description": "Поле запроса, в котором ошибка"})
    errors = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))


class MeSchema(ma.Schema):
    id = fields.Integer()
    login = fields.String()
    full_name = fields.String()
    role = fields.String(attribute="role.value", metadata={"enum": ["admin", "coordinator", "observer", "executor"]})
    organization_id = fields.Integer(allow_none=True)
    token_read_only = fields.Boolean()


class OrganizationSchema(ma.Schema):
    id = fields.Integer()
    short_name = fields.String()
    full_name = fields.String()
    kind = fields.String(attribute="kind.value")
    # None: the organization belongs to the region itself (ministry, regional colleges, universities).
    municipality = fields.String(attribute="municipality_name", allow_none=True)
    municipality_id = fields.Integer(allow_none=True)
    student_count = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class GroupSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(attribute="kind.value", allow_none=True)
    municipality = fields.String(allow_none=True)
    member_ids = fields.List(fields.Integer())


class RoadmapSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String(attribute="status.value", metadata={"enum": ["draft", "published", "archived"]})
    period_start = fields.Date()
    period_end = fields.Date()
    year_type = fields.String(attribute="year_type.value")
    timezone = fields.String()
    previous_roadmap_id = fields.Integer(allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class SectionSchema(ma.Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    position = fields.Integer()


class OccurrenceSchema(ma.Schema):
    key = fields.String()
    plan_year = fields.Integer()
    label = fields.String()
    start_on = fields.Date()
    due_on = fields.Date()
    due_effective_on = fields.Date(metadata={"description": "Срок с переносом с выходного"})


class PartySchema(ma.Schema):
    text = fields.String()
    organization_id = fields.Integer(allow_none=True)
    group_id = fields.Integer(allow_none=True)


class MeasureSchema(ma.Schema):
    id = fields.Integer()
    roadmap_id = fields.Integer()
    section_id = fields.Integer(allow_none=True)
    number = fields.String()
    title = fields.String()
    deadline_text = fields.String()
    schedule_kind = fields.String()
    schedule_explanation = fields.String(metadata={"description": "Как понят срок — как на странице проверки"})
    occurrences = fields.List(fields.Nested(OccurrenceSchema))
    responsible_text = fields.String()
    parties = fields.List(fields.Nested(PartySchema))
    no_tasks_reason = fields.String(allow_none=True)
    parent_measure_id = fields.Integer(
        allow_none=True,
        dump_only=True,
        metadata={
            "description": "Каскад: мероприятие региональной дорожной карты, которое выполняет это мероприятие "
            "муниципалитета (его итоги входят в отчёт региона); null — мероприятие не связано. Задаётся на "
            "странице «Мероприятия региона»"
        },
    )


class AttachmentSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.String(metadata={"description": "Скачать файл (нужна та же авторизация)"})


class ReportSchema(ma.Schema):
    id = fields.Integer()
    is_not_applicable = fields.Boolean()
    held_on = fields.Date(allow_none=True)
    coverage = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    comment = fields.String()
    links = fields.List(fields.String())
    attachments = fields.List(fields.Nested(AttachmentSchema))
    created_at = fields.DateTime()


class TaskSchema(ma.Schema):
    id = fields.Integer()
    roadmap_id = fields.Integer()
    roadmap_title = fields.String()
    measure_id = fields.Integer()
    measure_number = fields.String()
    measure_title = fields.String()
    organization_id = fields.Integer()
    organization_name = fields.String()
    plan_year = fields.Integer()
    label = fields.String()
    start_on = fields.Date()
    due_on = fields.Date()
    due_effective_on = fields.Date()
    workflow = fields.String(metadata={"enum": [w.value for w in Workflow]})
    timeliness = fields.String(allow_none=True, metadata={"enum": [t.value for t in Timeliness] + [None]})
    state_label = fields.String(metadata={"description": "Состояние словами, как на страницах"})
    version = fields.Integer(metadata={"description": "Передайте в изменяющих запросах: 409, если задачу изменили"})
    report = fields.Nested(ReportSchema, allow_none=True)


class TaskPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TaskSchema))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Для следующей страницы; null — это последняя"}
    )


class TransitionSchema(ma.Schema):
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    comment = fields.String()
    reason = fields.String(allow_none=True)


class CoverageFiguresSchema(ma.Schema):
    total = fields.Integer()
    students = fields.Integer()
    parents = fields.Integer()
    teachers = fields.Integer()
    disabled = fields.Integer()


class FiguresSchema(ma.Schema):
    total = fields.Integer()
    done = fields.Integer(metadata={"description": "Выполнено: отчёт принят"})
    reported = fields.Integer(metadata={"description": "Выполнено, включая на проверке"})
    in_review = fields.Integer()
    returned = fields.Integer()
    overdue = fields.Integer()
    open = fields.Integer()
    not_applicable = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    done_percent = fields.Float(allow_none=True)


class SectionFiguresSchema(ma.Schema):
    section_id = fields.Integer(allow_none=True)
    heading = fields.String()
    figures = fields.Nested(FiguresSchema)


class ExecutorFiguresSchema(ma.Schema):
    organization_id = fields.Integer()
    name = fields.String()
    figures = fields.Nested(FiguresSchema)


class MonitoringSchema(ma.Schema):
    roadmap_id = fields.Integer()
    plan_year = fields.Integer(allow_none=True)
    today = fields.Date()
    summary = fields.Nested(FiguresSchema)
    coverage = fields.Nested(CoverageFiguresSchema)
    sections = fields.List(fields.Nested(SectionFiguresSchema))
    executors = fields.List(fields.Nested(ExecutorFiguresSchema))


class ExportLinksSchema(ma.Schema):
    xlsx = fields.String()
    docx = fields.String()
    csv = fields.String()


class BulkItemSchema(ma.Schema):
    task_id = fields.Integer()
    ok = fields.Boolean()
    detail = fields.String()


class BulkResultSchema(ma.Schema):
    message = fields.String()
    done = fields.Integer()
    refused = fields.Integer()
    items = fields.List(fields.Nested(BulkItemSchema))


class FeedOptionsSchema(ma.Schema):
    sections = fields.List(fields.String(), metadata={"description": "Номера разделов; пусто — все"})
    plan_year = fields.Integer(allow_none=True, metadata={"description": "Год плана; null — все годы"})
    statuses = fields.List(fields.String(metadata={"enum": list(STATUS_ORDER)}))
    view = fields.String(metadata={"enum": ["due", "spans"]})
    alarms = fields.Boolean()
    alarm_days = fields.List(fields.Integer(), metadata={"description": "За сколько дней до срока напоминать"})
    remind_at = fields.String(allow_none=True, metadata={"description": "Время напоминания ЧЧ:ММ; null — по умолчанию"})
    format = fields.String(metadata={"enum": ["vevent", "vtodo"]})


class SubscriptionSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": [k.value for k in SubscriptionKind]})
    kind_label = fields.String(metadata={"description": "Вид подписки словами, как на странице"})
    organization_id = fields.Integer(allow_none=True)
    roadmap_id = fields.Integer(allow_none=True)
    target = fields.String(metadata={"description": "Дорожная карта или организация словами (пусто для «Мои задачи»)"})
    options = fields.Nested(FeedOptionsSchema)
    options_summary = fields.String(metadata={"description": "Настройки одной строкой, как на странице"})
    narrowed = fields.String(allow_none=True, metadata={"description": "Что календарь не вместил, если он сокращён"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True, metadata={"description": "Когда календарь последний раз забирали"})


class FeedAddressesSchema(ma.Schema):
    https = fields.String(metadata={"description": "Адрес календаря для подписки (https)"})
    webcal = fields.String(metadata={"description": "Тот же адрес для webcal://"})
    google = fields.String(metadata={"description": "Ссылка «добавить в Google Календарь»"})


class SubscriptionCreatedSchema(SubscriptionSchema):
    feed = fields.Nested(
        FeedAddressesSchema,
        metadata={"description": "Адрес календаря: показывается только в этом ответе, потом его не узнать"},
    )
    events = fields.Integer(allow_none=True, metadata={"description": "Сколько сроков в календаре сейчас"})


class TargetSchema(ma.Schema):
    plan_year = fields.Integer(allow_none=True, metadata={"description": "Год плана; null — для каждого года"})
    kind = fields.String(
        allow_none=True,
        metadata={"enum": [k.value for k in TargetKind] + [None], "description": "null — текст не распознан"},
    )
    kind_label = fields.String(allow_none=True, metadata={"description": "Что считается, словами"})
    planned = fields.Float(allow_none=True)
    grade_from = fields.Integer(allow_none=True)
    grade_to = fields.Integer(allow_none=True)
    text = fields.String(metadata={"description": "Как записано в документе или на странице проверки"})
    description = fields.String(metadata={"description": "Показатель словами, как на страницах"})
    updated_at = fields.DateTime(allow_none=True)


class MeasureTargetsSchema(ma.Schema):
    measure_id = fields.Integer()
    roadmap_id = fields.Integer()
    number = fields.String()
    items = fields.List(fields.Nested(TargetSchema))


class OrganizationTargetSchema(ma.Schema):
    organization_id = fields.Integer()
    name = fields.String()
    students = fields.Integer(metadata={"description": "Охвачено обучающихся"})
    contingent = fields.Integer(allow_none=True, metadata={"description": "Обучающихся классов показателя"})
    fact = fields.Float(allow_none=True, metadata={"description": "Факт, %"})
    met = fields.Boolean(allow_none=True)


class TargetResultSchema(ma.Schema):
    measure_id = fields.Integer()
    measure_number = fields.String()
    measure_title = fields.String()
    plan_year = fields.Integer()
    kind = fields.String(allow_none=True, metadata={"enum": [k.value for k in TargetKind] + [None]})
    planned = fields.Float(allow_none=True)
    grade_from = fields.Integer(allow_none=True)
    grade_to = fields.Integer(allow_none=True)
    description = fields.String()
    numerator = fields.Integer(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    fact = fields.Float(allow_none=True, metadata={"description": "Факт: число или доля в %"})
    fact_text = fields.String(metadata={"description": "Факт словами, как в отчёте"})
    met = fields.Boolean(allow_none=True, metadata={"description": "null — не оценён (нет данных)"})
    met_text = fields.String()
    missing_contingent = fields.Integer(metadata={"description": "Исполнителей без контингента классов показателя"})
    organizations = fields.List(
        fields.Nested(OrganizationTargetSchema), metadata={"description": "По организациям (для долей контингента)"}
    )


class TargetResultsSchema(ma.Schema):
    roadmap_id = fields.Integer()
    plan_year = fields.Integer(allow_none=True)
    sentence = fields.String(metadata={"description": "«Целевые показатели выполнены, кроме: …» — как в отчёте"})
    met = fields.Integer()
    missed = fields.Integer()
    not_judged = fields.Integer()
    items = fields.List(fields.Nested(TargetResultSchema))


class GradeStudentsSchema(Strict):
    grade = JsonInteger(required=True, validate=between(FIRST_GRADE, LAST_GRADE))
    students = JsonInteger(required=True, validate=between(0, MAX_STUDENTS_IN_GRADE))


class LevelStudentsSchema(Strict):
    level = fields.String(required=True, validate=one_of([level.code for level in LEVELS]))
    students = JsonInteger(required=True, validate=between(0, MAX_STUDENTS_IN_LEVEL))


class LevelFiguresSchema(ma.Schema):
    level = fields.String(metadata={"enum": [level.code for level in LEVELS]})
    name = fields.String()
    grade_from = fields.Integer()
    grade_to = fields.Integer()
    students = fields.Integer(allow_none=True, metadata={"description": "null — нет данных"})
    source = fields.String(
        allow_none=True,
        metadata={
            "enum": ["grades", "level", None],
            "description": "grades — сумма по классам, level — всего по уровню (классы неизвестны), null — нет данных",
        },
    )


class ContingentSchema(ma.Schema):
    organization_id = fields.Integer()
    student_count = fields.Integer(allow_none=True, metadata={"description": "Всего обучающихся"})
    grades = fields.List(fields.Nested(GradeStudentsSchema))
    levels_only = fields.List(
        fields.Nested(LevelStudentsSchema), metadata={"description": "Уровни, заданные только общим числом"}
    )
    levels = fields.List(
        fields.Nested(LevelFiguresSchema), metadata={"description": "Итоги по уровням, как на странице"}
    )


# ---------------------------------------------------------------- in


class PageArgs(Strict):
    limit = fields.Integer(load_default=50, validate=between(1, MAX_PAGE_SIZE))
    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,10}$", error="Курсор — число из next_cursor предыдущей страницы."),
        metadata={"description": "next_cursor предыдущей страницы: записи после этого номера"},
    )


class OrganizationArgs(PageArgs):
    kind = fields.String(validate=one_of([k.value for k in OrgKind]))


class TaskArgs(PageArgs):
    roadmap_id = Id(load_default=None)
    plan_year = fields.Integer(load_default=None, validate=between(1900, 2200))
    organization_id = Id(load_default=None)
    workflow = fields.String(load_default=None, validate=one_of([w.value for w in Workflow]))
    overdue = fields.Boolean(load_default=None)
    due_from = fields.Date(load_default=None)
    due_to = fields.Date(load_default=None)


class NoArgs(Strict):
    """No query parameters: any one given is refused (400), not ignored."""


class FiguresArgs(Strict):
    plan_year = fields.Integer(load_default=None, validate=between(1900, 2200))


# A report on a task: multipart/form-data (files under «files»); one coverage_<name> number per
# category of roadmap.tasks.coverage. A form cannot send null: a value not known is left out.
ReportIn = Strict.from_dict(
    {
        "version": fields.Integer(required=True, validate=between(1, INT32)),
        "held_on": fields.Date(),
        **{name: fields.Integer(validate=between(0, 10_000_000)) for name in coverage.COLUMNS},
        "comment": fields.String(load_default="", validate=at_most(MAX_TEXT)),
        "links": fields.String(
            load_default="", validate=at_most(MAX_TEXT), metadata={"description": "Ссылки, по одной в строке"}
        ),
        # Read from the request's files by the view; here so that the document shows them.
        "files": fields.List(
            Upload(), load_default=list, metadata={"description": "Файлы отчёта (PDF, DOCX, XLSX, JPG, PNG)"}
        ),
    },
    name="ReportIn",
)


class NotApplicableIn(Strict):
    version = fields.Integer(required=True, validate=between(1, INT32))
    reason = fields.String(required=True, validate=at_most(MAX_TEXT, 1))


class ReviewIn(Strict):
    decision = fields.String(required=True, validate=one_of(["accept", "return"]))
    version = fields.Integer(required=True, validate=between(1, INT32))
    reason = fields.String(load_default="", validate=one_of([""] + [r.value for r in ReturnReason]))
    comment = fields.String(load_default="", validate=at_most(MAX_TEXT))


class BulkTask(Strict):
    task_id = Id(required=True)
    version = fields.Integer(required=True, validate=between(1, INT32))


class BulkReviewIn(Strict):
    decision = fields.String(required=True, validate=one_of(["accept", "return"]))
    items = fields.List(
        fields.Nested(BulkTask),
        required=True,
        validate=validate.Length(1, MAX_PAGE_SIZE, error=f"Нужно от 1 до {MAX_PAGE_SIZE} задач."),
    )
    reason = fields.String(load_default="", validate=one_of([""] + [r.value for r in ReturnReason]))
    comment = fields.String(load_default="", validate=at_most(MAX_TEXT))


class SubscriptionIn(Strict):
    """A new calendar subscription: the choices of the «Подписка на календарь» page."""

    name = fields.String(
        required=True,
        validate=at_most(100, 1),
        metadata={"description": "Чтобы отличать подписки: одна на устройство или календарь"},
    )
    kind = fields.String(
        load_default=SubscriptionKind.PERSONAL.value,
        validate=one_of([k.value for k in SubscriptionKind]),
        metadata={
            "description": "personal — мои задачи (координатору — все карты сводно), roadmap — одна дорожная "
            "карта (roadmap_id), organization — задачи одной организации (organization_id; исполнителю — своей)"
        },
    )
    organization_id = Id(load_default=None, allow_none=True, metadata={"description": "Для kind=organization"})
    roadmap_id = Id(load_default=None, allow_none=True, metadata={"description": "Для kind=roadmap"})
    sections = fields.List(
        fields.String(
            validate=validate.Regexp(
                r"^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё.]{0,19}$", error="Номер раздела, например 1 или 2.3."
            )
        ),
        load_default=list,
        validate=validate.Length(max=MAX_SECTIONS, error=f"Не больше {MAX_SECTIONS} разделов."),
        metadata={"description": "Номера разделов; пусто — все разделы"},
    )
    plan_year = fields.Integer(load_default=None, allow_none=True, validate=between(2000, 2100))
    statuses = fields.List(
        fields.String(validate=one_of(STATUS_ORDER)),
        load_default=lambda: sorted(DEFAULT_STATUSES),
        validate=validate.Length(1, len(STATUS_ORDER), error="Отметьте хотя бы один вид задач."),
        metadata={"description": "Какие задачи показывать; по умолчанию все, кроме принятых"},
    )
    view = fields.String(
        load_default="due",
        validate=one_of(["due", "spans"]),
        metadata={"description": "due — событие в день срока, spans — на весь срок исполнения"},
    )
    alarms = JsonBoolean(load_default=True, metadata={"description": "Напоминания за 3 дня и за 1 день до срока"})
    remind_at = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", error="Время ЧЧ:ММ, например 09:00."),
        metadata={"description": "Время напоминания; null — в начале рабочего дня"},
    )
    format = fields.String(
        load_default="vevent",
        validate=one_of(["vevent", "vtodo"]),
        metadata={"description": "vtodo — задачи вместо событий (Thunderbird и приложения задач)"},
    )


class TargetIn(Strict):
    """A measure's target for one plan year, as on the review screen; kind null clears it."""

    plan_year = JsonInteger(
        load_default=None, allow_none=True, validate=between(1900, 2200), metadata={"description": "null — каждый год"}
    )
    kind = fields.String(
        required=True,
        allow_none=True,
        validate=one_of([k.value for k in TargetKind]),
        metadata={"description": "Что считается; null — снять показатель этого года"},
    )
    planned = JsonNumber(
        load_default=None, allow_none=True, validate=validate.Range(-1e9, 1e9, error="Слишком большое число.")
    )
    grade_from = JsonInteger(load_default=None, allow_none=True, validate=between(FIRST_GRADE, LAST_GRADE))
    grade_to = JsonInteger(load_default=None, allow_none=True, validate=between(FIRST_GRADE, LAST_GRADE))
    text = fields.String(load_default="", validate=at_most(500), metadata={"description": "Как записать показатель"})


class ContingentIn(Strict):
    """The whole contingent (PUT replaces it): students by grade, and by level for levels whose
    grades are unknown (a level has one or the other); both empty clear it, keeping the total."""

    grades = fields.List(
        fields.Nested(GradeStudentsSchema),
        required=True,
        validate=validate.Length(max=len(GRADES), error=f"Не больше {len(GRADES)} классов."),
        metadata={"description": "Обучающиеся по классам; [] — нет"},
    )
    levels_only = fields.List(
        fields.Nested(LevelStudentsSchema),
        required=True,
        validate=validate.Length(max=len(LEVELS), error=f"Не больше {len(LEVELS)} уровней."),
        metadata={"description": "Всего по уровню, где классы неизвестны; [] — нет"},
    )
