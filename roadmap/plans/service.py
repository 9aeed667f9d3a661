"""Roadmaps as drafts: created from an imported document, reviewed, fixed, published, re-imported,
rolled over. Services flush; the caller commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, insert, literal, select, update

from roadmap import audit
from roadmap.clock import today_in
from roadmap.directory.cascade import municipality_names
from roadmap.extensions import db
from roadmap.importers import Directory, DirectoryEntry, ParsedRoadmap, match_parties
from roadmap.models import (
    Alias,
    Measure,
    MeasureParty,
    MeasureTarget,
    Organization,
    OrgGroup,
    Roadmap,
    RoadmapStatus,
    Section,
    Task,
    TaskStatus,
    User,
    utcnow,
)
from roadmap.models.task import NoticeKind
from roadmap.plans.targets import import_target
from roadmap.russian import natural_key, plural, quantity, truncate
from roadmap.schedule import ScheduleKind, ShiftRule, YearType, parse
from roadmap.tasks.access import groups_of_territory, organizations_of_territory, roadmaps_of_territory, territory_of
from roadmap.tasks.planner import MeasurePlan, measure_occurrences
from roadmap.tasks.service import GenerationResult, generate_tasks, manual_dates, measure_schedule, plan_settings


class PlanError(ValueError):
    """A refused operation on a roadmap; the message is Russian."""


# ---------------------------------------------------------------- directory for matching


def build_directory(territory: int | None = None) -> Directory:
    """Organizations, groups and remembered aliases as plain data for the party matcher: those of
    the roadmap's territory (roadmap.tasks.access; None: the whole region)."""
    entries: list[DirectoryEntry] = []
    orgs = set()
    for org in db.session.execute(
        select(Organization.id, Organization.full_name, Organization.short_name).where(
            Organization.is_active.is_(True), organizations_of_territory(territory)
        )
    ):
        orgs.add(org.id)
        entries.append(DirectoryEntry(kind="organization", id=org.id, names=[org.full_name, org.short_name]))
    groups = set()
    for group in db.session.execute(select(OrgGroup.id, OrgGroup.name).where(groups_of_territory(territory))):
        groups.add(group.id)
        entries.append(DirectoryEntry(kind="group", id=group.id, names=[group.name]))
    for alias in db.session.scalars(select(Alias)):
        if alias.organization_id in orgs:
            entries.append(DirectoryEntry(kind="organization", id=alias.organization_id, names=[alias.text]))
        elif alias.group_id in groups:
            entries.append(DirectoryEntry(kind="group", id=alias.group_id, names=[alias.text]))
    whole = [
        DirectoryEntry(kind="group", id=group_id, names=names)
        for group_id, names in municipality_names().items()
        if group_id in groups
    ]
    return Directory(entries=entries, whole_party_entries=whole)


# ---------------------------------------------------------------- measures


def apply_deadline(measure: Measure, text: str) -> None:
    schedule = parse(text)
    measure.deadline_text = text
    measure.schedule = schedule.to_dict()
    measure.schedule_kind = schedule.kind


def apply_responsible(measure: Measure, text: str, directory: Directory) -> None:
    measure.responsible_text = text
    measure.parties.clear()
    for position, match in enumerate(match_parties(text, directory)):
        measure.parties.append(
            MeasureParty(
                position=position,
                text=match.text[:500],
                organization_id=match.id if match.kind == "organization" else None,
                group_id=match.id if match.kind == "group" else None,
            )
        )


@dataclass
class MeasureReview:
    """How a measure was understood, for the review screen and the JSON of the CLI."""

    measure: Measure
    explanation: str
    occurrences: list
    flags: list[str] = field(default_factory=list)

    @property
    def has_problem(self) -> bool:
        return any(flag in BLOCKING_FLAGS for flag in self.flags)


FLAG_LABELS = {
    "deadline_unparsed": "срок не распознан — исправьте формулировку или задайте даты вручную",
    "deadline_manual": "срок «по графику»: даты задаёт координатор или предлагают сами исполнители",
    "no_occurrences": "срок не даёт дат в периоде дорожной карты: исправьте срок или опубликуйте «без задач» с причиной",
    "responsible_empty": "не указан ответственный",
    "party_unmatched": "ответственный не найден в справочнике организаций",
    "weekday_mismatch": "день недели в сроке не совпадает с датой — проверьте дату",
    "target_unparsed": "целевой показатель не распознан — задайте вид и значение (или снимите его)",
}
# A measure that would create no tasks is never published silently: no dates in the period
# needs fixing or an explicit «без задач» with a reason (Measure.no_tasks_reason).
BLOCKING_FLAGS = {"deadline_unparsed", "responsible_empty", "party_unmatched", "no_occurrences"}


def review_flags(
    schedule_kind: str,
    has_occurrences: bool,
    parties_matched: list[bool],
    *,
    has_manual_dates: bool = False,
    has_no_executor: bool = False,
    has_no_tasks_reason: bool = False,
    has_weekday_mismatch: bool = False,
    has_unparsed_target: bool = False,
) -> list[str]:
    """What the review screen flags about a measure (keys of FLAG_LABELS, in display order).

    The one rule for the review page, the publish refusal (BLOCKING_FLAGS among them) and the
    CLI's dry run. `parties_matched` has one entry per party of the responsible cell: a cell
    with no parties at all ("", "—") has no executor and is flagged ``responsible_empty``.
    """
    flags = []
    if not has_manual_dates:
        if schedule_kind == ScheduleKind.UNPARSED:
            flags.append("deadline_unparsed")
        elif schedule_kind == ScheduleKind.MANUAL:
            flags.append("deadline_manual")
        elif not has_occurrences and not has_no_tasks_reason:
            flags.append("no_occurrences")
        if has_weekday_mismatch:
            flags.append("weekday_mismatch")
    if not has_no_executor:
        if not parties_matched:
            flags.append("responsible_empty")
        elif not all(parties_matched):
            flags.append("party_unmatched")
    if has_unparsed_target:
        flags.append("target_unparsed")
    return flags


def review_measure(measure: Measure, roadmap: Roadmap) -> MeasureReview:
    schedule = measure_schedule(measure)
    plan = MeasurePlan(measure.id or 0, schedule, manual_dates(measure), executor_ids=())
    occurrences = measure_occurrences(plan, plan_settings(roadmap))
    flags = review_flags(
        schedule.kind,
        bool(occurrences),
        [party.is_matched for party in measure.parties],
        has_manual_dates=bool(measure.manual_dates),
        has_no_executor=measure.has_no_executor,
        has_no_tasks_reason=bool(measure.no_tasks_reason),
        has_weekday_mismatch=bool(schedule.weekday_conflicts(d for o in occurrences for d in (o.start_on, o.due_on))),
        has_unparsed_target=any(t.kind is None for t in measure.targets),
    )
    explanation = "даты заданы вручную" if measure.manual_dates else schedule.explanation
    return MeasureReview(measure, explanation, occurrences, flags)


def review_roadmap(roadmap: Roadmap) -> list[MeasureReview]:
    return [review_measure(m, roadmap) for m in roadmap.measures if not m.is_removed]


def matched_names(reviews: list[MeasureReview]) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the organizations and groups the reviewed measures' parties are matched to
    (id → short name, id → group name), in two queries."""
    org_ids = {p.organization_id for r in reviews for p in r.measure.parties if p.organization_id}
    group_ids = {p.group_id for r in reviews for p in r.measure.parties if p.group_id}
    orgs = dict(
        db.session.execute(select(Organization.id, Organization.short_name).where(Organization.id.in_(org_ids))).all()
    )
    groups = dict(db.session.execute(select(OrgGroup.id, OrgGroup.name).where(OrgGroup.id.in_(group_ids))).all())
    return orgs, groups


# ---------------------------------------------------------------- creating from a document


def _section_map(roadmap: Roadmap, parsed: ParsedRoadmap) -> dict[str, Section]:
    sections = {s.number: s for s in roadmap.sections}
    for item in parsed.sections:
        section = sections.get(item.number)
        if section is None:
            section = Section(number=item.number, title=item.title, position=item.position)
            roadmap.sections.append(section)
            sections[item.number] = section
        else:
            section.title = item.title
            section.position = item.position
    return sections


def fallback_period(today: date | None = None) -> tuple[date, date]:
    """The period of a document whose title names none: the current calendar year."""
    today = today or today_in()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def create_roadmap(
    parsed: ParsedRoadmap,
    *,
    user: User | None,
    period: tuple[date, date] | None = None,
    year_type: str | None = None,
    filename: str | None = None,
    title: str | None = None,
) -> Roadmap:
    """A draft roadmap from a parsed document; the period comes from the title unless given."""
    start, end = period if period else (parsed.period_start, parsed.period_end)
    if start is None or end is None:
        start, end = fallback_period()
    if end < start:
        raise PlanError("Конец периода раньше начала.")
    roadmap = Roadmap(
        # A document without a title row is named after its file (the user can rename it).
        title=(title or parsed.title or (Path(filename).stem if filename else None) or "Дорожная карта")[:2000],
        owner_organization_id=user.organization_id if user else None,
        # A municipal coordinator's roadmap is their municipality's; a regional one's, the region's.
        municipality_id=territory_of(user) if user else None,
        period_start=start,
        period_end=end,
        year_type=year_type or parsed.year_type or YearType.CALENDAR,
        shift_rule=ShiftRule.NEXT,
        status=RoadmapStatus.DRAFT,
        source_filename=filename,
        created_by_id=user.id if user else None,
    )
    db.session.add(roadmap)
    sections = _section_map(roadmap, parsed)
    directory = build_directory(roadmap.municipality_id)
    seen: set[str] = set()
    for item in parsed.measures:
        number = _unique_number(item.number, seen)
        measure = Measure(number=number, title=item.title, position=item.position, notes=item.notes or None)
        roadmap.measures.append(measure)
        measure.section = sections.get(item.section_number) if item.section_number else None
        apply_deadline(measure, item.deadline)
        apply_responsible(measure, item.responsible, directory)
        warning = import_target(measure)
        if warning:
            parsed.warnings.append(warning)
    db.session.flush()
    audit.record(
        "roadmap_imported",
        user=user,
        obj=roadmap,
        summary=f"{roadmap.title[:200]} "
        f"({quantity(len(roadmap.measures), 'мероприятие', 'мероприятия', 'мероприятий')}; "
        f"{filename or 'вставленный текст'})",
    )
    return roadmap


def period_explanation(roadmap: Roadmap) -> str:
    """How the roadmap's period was found, in the coordinator's words (the review screen)."""
    from roadmap.importers.period import detect_period, period_from_deadlines

    period = (roadmap.period_start, roadmap.period_end)
    by_title = detect_period(roadmap.title)
    if by_title is not None and (by_title.start, by_title.end) == period:
        return "период взят из названия документа"
    by_dates = period_from_deadlines([m.deadline_text for m in roadmap.measures if not m.is_removed])
    if by_dates is not None and (by_dates.start, by_dates.end) == period:
        return "период определён по датам в сроках мероприятий"
    if by_title is None and by_dates is None:
        return "в документе нет ни года, ни дат: период задан по умолчанию — проверьте его"
    return "период задан вручную"


def duplicates_of(roadmap: Roadmap) -> list[Roadmap]:
    """Other roadmaps that look like the same plan uploaded again: the same title and period, or
    the same measures (numbers and titles), drafts included; newest first. Measures are compared
    only for roadmaps with as many of them (one GROUP BY, then one query per such roadmap)."""

    def heading(r: Roadmap) -> tuple:
        return " ".join(r.title.lower().split()), r.period_start, r.period_end

    others = db.session.scalars(
        select(Roadmap)
        .where(Roadmap.id != roadmap.id, roadmaps_of_territory(roadmap.municipality_id))
        .order_by(Roadmap.created_at.desc(), Roadmap.id.desc())
    ).all()
    mine = _measure_keys(roadmap.id)
    counts = dict(
        db.session.execute(
            select(Measure.roadmap_id, func.count(Measure.id))
            .where(Measure.roadmap_id != roadmap.id, Measure.is_removed.is_(False))
            .group_by(Measure.roadmap_id)
        ).all()
    )
    return [
        other
        for other in others
        if heading(other) == heading(roadmap)
        or (mine and counts.get(other.id) == len(mine) and _measure_keys(other.id) == mine)
    ]


def _measure_keys(roadmap_id: int) -> frozenset[tuple[str, str]]:
    rows = db.session.execute(
        select(Measure.number, Measure.title).where(Measure.roadmap_id == roadmap_id, Measure.is_removed.is_(False))
    )
    return frozenset((number, " ".join(title.lower().split())) for number, title in rows)


def _unique_number(number: str, seen: set[str]) -> str:
    """A number repeated inside one section (flagged by the reader) is told apart as «3 (2)»,
    not «3-2», which a methodologist reads as "items 3 to 2"; the import does not fail."""
    candidate = number or "б/н"
    suffix = 2
    while candidate in seen:
        candidate = f"{number or 'б/н'} ({suffix})"
        suffix += 1
    seen.add(candidate)
    return candidate


# ---------------------------------------------------------------- fixes on the review screen


def set_manual_dates(measure: Measure, ranges: list[tuple[date, date]]) -> None:
    for start, due in ranges:
        if due < start:
            raise PlanError("Дата окончания раньше даты начала.")
    measure.manual_dates = [{"start": s.isoformat(), "due": d.isoformat()} for s, d in sorted(ranges)] or None


GROUP_PREFIX = "Группа: "


def mapping_targets(territory: int | None = None) -> list[tuple[str, str]]:
    """What an unmatched party can be mapped to: (code, label) for every group («g3») and active
    organization («o17»), groups first, organizations by kind and natural name order. Labels are
    unique — a short name shared by two organizations is told apart by the full name — so that
    a label typed or picked from the list names exactly one target."""
    groups = sorted(
        db.session.execute(select(OrgGroup.id, OrgGroup.name).where(groups_of_territory(territory))).all(),
        key=lambda g: natural_key(g.name),
    )
    orgs = db.session.execute(
        select(Organization.id, Organization.short_name, Organization.full_name, Organization.kind)
        .where(Organization.is_active.is_(True), organizations_of_territory(territory))
        .order_by(Organization.sort_key, Organization.id)
    ).all()
    orgs = sorted(orgs, key=lambda o: o.kind.value)  # stable: by kind, each kind in natural order
    shared = {name for name, count in Counter(o.short_name for o in orgs).items() if count > 1}
    targets = [(f"g{g.id}", f"{GROUP_PREFIX}{g.name}") for g in groups]
    for org in orgs:
        label = org.short_name
        if label in shared:
            label = f"{org.short_name} ({org.full_name})" if org.full_name != org.short_name else f"{label} [{org.id}]"
        targets.append((f"o{org.id}", label))
    return targets


def resolve_target(text: str | None, targets: list[tuple[str, str]]) -> tuple[int | None, int | None]:
    """(organization_id, group_id) for what the coordinator picked or typed: a label from
    `mapping_targets` (case and spacing aside) or its code. Raises PlanError in Russian."""
    wanted = " ".join((text or "").split())
    if not wanted:
        raise PlanError("Выберите организацию или группу из списка.")
    folded = wanted.casefold()
    for code, label in targets:
        if folded in (code, label.casefold()):
            target_id = int(code[1:])
            return (target_id, None) if code[0] == "o" else (None, target_id)
    raise PlanError(f"«{truncate(wanted, 80)}» нет среди организаций и групп: выберите из списка.")


def map_party(party: MeasureParty, *, organization_id: int | None, group_id: int | None, remember: bool) -> None:
    from roadmap.directory.service import remember_alias

    if (organization_id is None) == (group_id is None):
        raise PlanError("Выберите одну организацию или одну группу.")
    party.organization_id = organization_id
    party.group_id = group_id
    if remember:
        remember_alias(party.text, organization_id=organization_id, group_id=group_id)
        # The same text elsewhere in this roadmap means the same body.
        for other in db.session.scalars(
            select(MeasureParty)
            .join(Measure)
            .where(Measure.roadmap_id == party.measure.roadmap_id, MeasureParty.text == party.text)
        ):
            if not other.is_matched:
                other.organization_id, other.group_id = organization_id, group_id
    db.session.flush()


# ---------------------------------------------------------------- publishing


def set_no_tasks_reason(measure: Measure, reason: str | None, user: User | None) -> None:
    """Publish the measure without tasks, for `reason` (None or blank: it is expected to have
    tasks again); audited."""
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > 500:
        raise PlanError("Причина слишком длинная: не больше 500 знаков.")
    measure.no_tasks_reason = reason
    summary = f"{measure.number}: без задач — {reason}" if reason else f"{measure.number}: задачи снова нужны"
    audit.record("measure_without_tasks", user=user, obj=measure, summary=summary[:300])


@dataclass
class TaskForecast:
    """What publishing will create, said before it happens: the measures that give no tasks and why."""

    without_tasks: list[tuple[Measure, str]] = field(default_factory=list)  # (measure, why)
    occurrences: int = 0
    past: int = 0  # occurrences whose deadline has already passed

    @property
    def mostly_past(self) -> bool:
        return self.occurrences > 0 and self.past * 2 > self.occurrences


def task_forecast(roadmap: Roadmap, today: date, reviews: list[MeasureReview] | None = None) -> TaskForecast:
    forecast = TaskForecast()
    for review in reviews if reviews is not None else review_roadmap(roadmap):
        measure = review.measure
        if measure.no_tasks_reason:
            forecast.without_tasks.append((measure, f"без задач: {measure.no_tasks_reason}"))
        elif measure.has_no_executor:
            forecast.without_tasks.append((measure, "отмечено «без исполнителя»"))
        elif "deadline_manual" in review.flags:
            forecast.without_tasks.append((measure, "даты предложат исполнители — задачи появятся после подтверждения"))
        elif not review.occurrences:
            forecast.without_tasks.append(
                (measure, FLAG_LABELS.get(review.flags[0], "нет дат") if review.flags else "нет дат")
            )
        forecast.occurrences += len(review.occurrences)
        forecast.past += sum(1 for occurrence in review.occurrences if occurrence.due_effective_on < today)
    return forecast


def publish_problems(roadmap: Roadmap, reviews: list[MeasureReview] | None = None) -> list[str]:
    """The questions that block publishing, one line per measure; `reviews` when already computed."""
    problems = []
    for review in reviews if reviews is not None else review_roadmap(roadmap):
        blocking = [FLAG_LABELS[f] for f in review.flags if f in BLOCKING_FLAGS]
        if blocking:
            problems.append(f"{review.measure.number}: {'; '.join(blocking)}")
    return problems


class PastDeadlines(StrEnum):
    """What publishing does with occurrences whose deadline has already passed."""

    KEEP = "keep"  # created as they are: overdue at once
    FROM_TODAY = "from_today"  # the period starts today: nothing is created for what is over
    NOT_REQUIRED = "not_required"  # created, and the past ones marked «не требуется»


def past_deadline_choices(today: date) -> list[tuple[str, str]]:
    """The choices offered when most deadlines are past, in the coordinator's words."""
    return [
        (
            PastDeadlines.FROM_TODAY.value,
            f"Начать с сегодняшнего дня: период начнётся {today:%d.%m.%Y}, задачи с прошедшими сроками не создаются",
        ),
        (PastDeadlines.NOT_REQUIRED.value, "Создать все задачи, а те, чей срок уже прошёл, отметить «не требуется»"),
        (PastDeadlines.KEEP.value, "Опубликовать как есть: задачи с прошедшими сроками сразу будут просроченными"),
    ]


@dataclass
class Publication:
    """What one publishing did, said the same way on the page and in the CLI."""

    result: GenerationResult
    not_required: int = 0
    period_start_moved_to: date | None = None

    def message(self) -> str:
        parts = [f"Дорожная карта опубликована. Задачи: {self.result.summary()}."]
        if self.period_start_moved_to:
            parts.append(f"Период начинается {self.period_start_moved_to:%d.%m.%Y}.")
        if self.not_required:
            parts.append(f"Срок уже прошёл — отмечено «не требуется»: {self.not_required}.")
        return " ".join(parts)


def start_period_today(roadmap: Roadmap, user: User | None, today: date) -> date:
    """Move the start of the period to `today`, so that what is already over gives no tasks; audited."""
    if today <= roadmap.period_start:
        raise PlanError(
            f"Период ещё не начался (начало {roadmap.period_start:%d.%m.%Y}): переносить его начало не нужно."
        )
    if today > roadmap.period_end:
        raise PlanError(
            f"Период дорожной карты закончился {roadmap.period_end:%d.%m.%Y}: начать с сегодняшнего дня нельзя. "
            "Измените период в настройках."
        )
    previous, roadmap.period_start = roadmap.period_start, today
    audit.record(
        "roadmap_period_changed",
        user=user,
        obj=roadmap,
        summary=f"{roadmap.title[:200]}: начало периода {previous:%d.%m.%Y} → {today:%d.%m.%Y} (сроки прошли до публикации)",
    )
    return today


PAST_NOT_REQUIRED = "не требуется: срок прошёл до публикации дорожной карты"


def mark_past_not_required(roadmap: Roadmap, user: User | None, today: date) -> int:
    """Tasks not yet reported whose deadline passed before publishing become «не применимо»
    (not required), each with its transition; in two statements whatever the size. Returns how
    many. Regeneration keeps them so: it never changes a task's status."""
    from roadmap.models import Transition
    from roadmap.models.task import bump_feed_versions, lock_feed_counters

    table, transitions = Task.__table__, Transition.__table__
    past = (
        (table.c.roadmap_id == roadmap.id)
        & (table.c.status == TaskStatus.PLANNED.value)
        & table.c.is_cancelled.is_(False)
        & (table.c.due_effective_on < today)
    )
    lock_feed_counters([roadmap.id])
    ids = select(table.c.id).where(past)
    now = utcnow()
    db.session.execute(
        insert(transitions).from_select(
            ["task_id", "user_id", "at", "from_status", "to_status", "comment"],
            select(
                table.c.id,
                literal(user.id if user else None),
                literal(now, type_=transitions.c.at.type),
                literal(TaskStatus.PLANNED.value),
                literal(TaskStatus.ACCEPTED.value),
                literal(PAST_NOT_REQUIRED),
            ).where(past),
        )
    )
    count = db.session.execute(
        update(table)
        .where(table.c.id.in_(ids.scalar_subquery()))
        .values(
            status=TaskStatus.ACCEPTED.value,
            is_not_applicable=True,
            version=table.c.version + 1,
            sequence=table.c.sequence + 1,
            updated_at=now,
        )
    ).rowcount
    bump_feed_versions(db.session.connection(), [roadmap.id])
    audit.record(
        "tasks_not_required", user=user, obj=roadmap, summary=f"{roadmap.title[:200]}: {count} ({PAST_NOT_REQUIRED})"
    )
    return count


def publish_roadmap(roadmap: Roadmap, user: User | None, past: PastDeadlines | str = PastDeadlines.KEEP) -> Publication:
    """Publish a draft (or re-run generation on a published roadmap) and notify executors;
    `past` says what to do with deadlines that are already over."""
    past = PastDeadlines(past)
    if roadmap.status == RoadmapStatus.ARCHIVED:
        raise PlanError("Дорожная карта в архиве: публикация невозможна.")
    problems = publish_problems(roadmap)
    if problems:
        raise PlanError(
            f"Публикация невозможна: есть нерешённые вопросы в {len(problems)} "
            f"{plural(len(problems), 'мероприятии', 'мероприятиях', 'мероприятиях')} (например, {problems[0]})."
        )
    today = today_in(roadmap.timezone)
    moved = start_period_today(roadmap, user, today) if past == PastDeadlines.FROM_TODAY else None
    first_time = roadmap.status == RoadmapStatus.DRAFT
    roadmap.status = RoadmapStatus.PUBLISHED
    roadmap.published_at = roadmap.published_at or utcnow()
    db.session.flush()
    result = generate_tasks(roadmap)
    not_required = mark_past_not_required(roadmap, user, today) if past == PastDeadlines.NOT_REQUIRED else 0
    if result.added:
        notify_new_tasks(roadmap)
    audit.record(
        "roadmap_published" if first_time else "tasks_regenerated",
        user=user,
        obj=roadmap,
        summary=f"{roadmap.title[:200]}: {result.summary()}",
    )
    return Publication(result, not_required=not_required, period_start_moved_to=moved)


def regenerate_tasks(roadmap: Roadmap, user: User | None) -> GenerationResult:
    """Bring a published roadmap's tasks in line with its measures (idempotent), with its audit."""
    if roadmap.status != RoadmapStatus.PUBLISHED:
        raise PlanError("Задачи создаются только для опубликованной дорожной карты.")
    result = generate_tasks(roadmap)
    audit.record("tasks_regenerated", user=user, obj=roadmap, summary=result.summary())
    return result


def delete_draft(roadmap: Roadmap, user: User | None) -> None:
    if roadmap.status != RoadmapStatus.DRAFT:
        raise PlanError("Удалить можно только черновик; опубликованную карту можно отправить в архив.")
    audit.record("roadmap_deleted", user=user, obj=roadmap, summary=roadmap.title[:200])
    db.session.delete(roadmap)
    db.session.flush()


def archive_roadmap(roadmap: Roadmap, user: User | None) -> None:
    if roadmap.status != RoadmapStatus.PUBLISHED:
        raise PlanError("В архив можно отправить только опубликованную дорожную карту.")
    roadmap.status = RoadmapStatus.ARCHIVED
    audit.record("roadmap_archived", user=user, obj=roadmap, summary=roadmap.title[:200])


def notify_new_tasks(roadmap: Roadmap) -> None:
    """One notice per executor user about their organization's new tasks: two queries, one insert."""
    from roadmap.models import Notice, Role
    from roadmap.models import User as UserModel

    counts = db.session.execute(
        select(Task.organization_id, func.count(Task.id))
        .where(Task.roadmap_id == roadmap.id, Task.is_cancelled.is_(False), Task.status == TaskStatus.PLANNED)
        .group_by(Task.organization_id)
    ).all()
    per_org = dict(counts)
    if not per_org:
        return
    recipients = db.session.execute(
        select(UserModel.id, UserModel.organization_id).where(
            UserModel.role == Role.EXECUTOR,
            UserModel.is_active_account.is_(True),
            UserModel.organization_id.in_(per_org),
        )
    ).all()
    if not recipients:
        return
    title = truncate(roadmap.title, 160)
    db.session.execute(
        Notice.__table__.insert(),
        [
            {
                "user_id": user_id,
                "kind": NoticeKind.NEW_TASKS,
                "text": f"{quantity(per_org[org_id], 'новая задача', 'новые задачи', 'новых задач')} "
                f"по дорожной карте «{title}».",
                "url": "/tasks",
                "created_at": utcnow(),
            }
            for user_id, org_id in recipients
        ],
    )


# ---------------------------------------------------------------- re-import


@dataclass
class MeasureChange:
    number: str
    kind: str  # added | changed | removed
    fields: list[str] = field(default_factory=list)
    title: str = ""


FIELD_LABELS = {"title": "мероприятие", "deadline": "срок", "responsible": "ответственный", "section": "раздел"}


def diff_roadmap(roadmap: Roadmap, parsed: ParsedRoadmap) -> list[MeasureChange]:
    current = {m.number: m for m in roadmap.measures if not m.is_removed}
    section_numbers = {s.id: s.number for s in roadmap.sections}
    changes = []
    incoming = set()
    for item in parsed.measures:
        incoming.add(item.number)
        measure = current.get(item.number)
        if measure is None:
            changes.append(MeasureChange(item.number, "added", title=item.title))
            continue
        fields = []
        if measure.title != item.title:
            fields.append("title")
        if measure.deadline_text != item.deadline:
            fields.append("deadline")
        if measure.responsible_text != item.responsible:
            fields.append("responsible")
        if section_numbers.get(measure.section_id) != item.section_number:
            fields.append("section")
        if fields:
            changes.append(MeasureChange(item.number, "changed", fields, title=item.title))
    for number, measure in current.items():
        if number not in incoming:
            changes.append(MeasureChange(number, "removed", title=measure.title))
    return changes


def apply_reimport(roadmap: Roadmap, parsed: ParsedRoadmap, user: User | None) -> GenerationResult | None:
    """Update measures by number; keep every task that has a report or history."""
    sections = _section_map(roadmap, parsed)
    directory = build_directory(roadmap.municipality_id)
    by_number = {m.number: m for m in roadmap.measures}
    incoming = set()
    for item in parsed.measures:
        incoming.add(item.number)
        measure = by_number.get(item.number)
        if measure is None:
            measure = Measure(number=item.number, title=item.title)
            roadmap.measures.append(measure)
        measure.is_removed = False
        measure.title = item.title
        measure.position = item.position
        measure.notes = item.notes or None
        measure.section = sections.get(item.section_number) if item.section_number else None
        if measure.deadline_text != item.deadline or measure.schedule is None:
            apply_deadline(measure, item.deadline)
        if measure.responsible_text != item.responsible or not measure.parties:
            apply_responsible(measure, item.responsible, directory)
        if not measure.targets:  # a target set by hand is not overwritten by the document
            warning = import_target(measure)
            if warning:
                parsed.warnings.append(warning)
    for number, measure in by_number.items():
        if number not in incoming:
            measure.is_removed = True
    db.session.flush()
    audit.record("roadmap_reimported", user=user, obj=roadmap, summary=roadmap.title[:200])
    if roadmap.status == RoadmapStatus.PUBLISHED:
        return generate_tasks(roadmap, reason="мероприятие изменено или исключено при повторной загрузке")
    _drop_removed_measures(roadmap)
    return None


def _drop_removed_measures(roadmap: Roadmap) -> None:
    """In a draft nothing depends on removed measures: forget them."""
    for measure in [m for m in roadmap.measures if m.is_removed]:
        has_tasks = db.session.scalar(select(func.count(Task.id)).where(Task.measure_id == measure.id))
        if not has_tasks:
            roadmap.measures.remove(measure)
    db.session.flush()


# ---------------------------------------------------------------- next plan year


def rollover(roadmap: Roadmap, user: User | None) -> Roadmap:
    """A copy of the roadmap for the next period of the same length; the old one keeps its history."""
    years = roadmap.period_end.year - roadmap.period_start.year + 1

    def shift(day: date) -> date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)

    title = roadmap.title
    for year in range(roadmap.period_end.year, roadmap.period_start.year - 1, -1):
        title = title.replace(str(year), str(year + years))
    copy = Roadmap(
        title=title,
        owner_organization_id=roadmap.owner_organization_id,
        municipality_id=roadmap.municipality_id,
        period_start=shift(roadmap.period_start),
        period_end=shift(roadmap.period_end),
        year_type=roadmap.year_type,
        shift_rule=roadmap.shift_rule,
        timezone=roadmap.timezone,
        academic_calendar=roadmap.academic_calendar,
        status=RoadmapStatus.DRAFT,
        source_filename=roadmap.source_filename,
        previous_roadmap_id=roadmap.id,
        created_by_id=user.id if user else None,
    )
    db.session.add(copy)
    sections = {}
    for section in roadmap.sections:
        sections[section.id] = Section(number=section.number, title=section.title, position=section.position)
        copy.sections.append(sections[section.id])
    # Measures are linked to their new sections before they join the session: no autoflush midway.
    with db.session.no_autoflush:
        for measure in roadmap.measures:
            if measure.is_removed:
                continue
            new = Measure(
                number=measure.number,
                title=measure.title,
                deadline_text=measure.deadline_text,
                schedule=measure.schedule,
                schedule_kind=measure.schedule_kind,
                manual_dates=None,
                responsible_text=measure.responsible_text,
                has_no_executor=measure.has_no_executor,
                notes=measure.notes,
                position=measure.position,
                section=sections.get(measure.section_id),
            )
            copy.measures.append(new)
            for target in measure.targets:
                if target.plan_year is None:  # a target of every year carries over; a year's own does not
                    new.targets.append(
                        MeasureTarget(
                            plan_year=None,
                            kind=target.kind,
                            planned=target.planned,
                            grade_from=target.grade_from,
                            grade_to=target.grade_to,
                            text=target.text,
                        )
                    )
            for party in measure.parties:
                new.parties.append(
                    MeasureParty(
                        position=party.position,
                        text=party.text,
                        organization_id=party.organization_id,
                        group_id=party.group_id,
                    )
                )
    db.session.flush()
    audit.record("roadmap_rolled_over", user=user, obj=copy, summary=f"{roadmap.title[:100]} → {copy.title[:100]}")
    return copy
