"""Executors propose dates for measures left to their own schedule; coordinators confirm. The caller commits.

A roadmap says "по плану ОО" or "по отдельному графику" where each organization decides when to
hold a measure. The organization proposes its dates, the coordinator confirms them (as proposed
or corrected) or rejects them with a reason, and confirmed dates become that organization's own
tasks at the next generation, which confirming runs at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from roadmap.audit import record
from roadmap.directory.service import groups_of
from roadmap.extensions import db
from roadmap.models import (
    DateProposal,
    Measure,
    MeasureParty,
    Notice,
    NoticeKind,
    Organization,
    ProposalStatus,
    Roadmap,
    RoadmapStatus,
    Role,
    User,
    utcnow,
)
from roadmap.models.task import lock_feed_counters
from roadmap.russian import truncate
from roadmap.schedule import ScheduleKind, days_label
from roadmap.tasks.batch import BatchResult, Skipped, decide_each
from roadmap.tasks.service import GenerationResult, executor_map, generate_tasks, manual_dates
from roadmap.tasks.workflow import notify_organization

MAX_RANGES = 24


class ProposalError(Exception):
    """A refused proposal or decision; the message is Russian and safe to show."""


@dataclass
class ManualMeasure:
    """A measure an organization schedules itself, with where its dates stand."""

    measure: Measure
    shared_dates: list[tuple[date, date]]
    confirmed: DateProposal | None
    latest: DateProposal | None

    @property
    def pending(self) -> DateProposal | None:
        return self.latest if self.latest and self.latest.status == ProposalStatus.PROPOSED else None

    @property
    def rejected(self) -> DateProposal | None:
        return self.latest if self.latest and self.latest.status == ProposalStatus.REJECTED else None

    @property
    def needs_dates(self) -> bool:
        return not self.shared_dates and self.confirmed is None and self.pending is None


def describe(ranges: list[tuple[date, date]]) -> str:
    return "; ".join(days_label(start, due) for start, due in ranges)


def _responsible_measures(organization: Organization):
    """Manual measures of published roadmaps that name the organization or one of its groups."""
    parties = [MeasureParty.organization_id == organization.id]
    groups = groups_of(organization)
    if groups:
        parties.append(MeasureParty.group_id.in_(groups))
    return (
        select(Measure)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(
            Roadmap.status == RoadmapStatus.PUBLISHED,
            Measure.is_removed.is_(False),
            Measure.has_no_executor.is_(False),
            Measure.schedule_kind == ScheduleKind.MANUAL,
            Measure.id.in_(select(MeasureParty.measure_id).where(or_(*parties))),
        )
        .options(joinedload(Measure.roadmap), joinedload(Measure.section))
        .order_by(Roadmap.id, Measure.position, Measure.id)
    )


def manual_measures_for(organization: Organization | None) -> list[ManualMeasure]:
    """What an executor organization schedules itself, in roadmap order; three queries."""
    if organization is None or not organization.is_active:
        return []
    measures = db.session.scalars(_responsible_measures(organization)).unique().all()
    if not measures:
        return []
    proposals = db.session.scalars(
        select(DateProposal)
        .where(
            DateProposal.organization_id == organization.id,
            DateProposal.measure_id.in_([m.id for m in measures]),
        )
        .order_by(DateProposal.id)
    ).all()
    confirmed: dict[int, DateProposal] = {}
    latest: dict[int, DateProposal] = {}
    for proposal in proposals:
        latest[proposal.measure_id] = proposal
        if proposal.status == ProposalStatus.CONFIRMED:
            confirmed[proposal.measure_id] = proposal
    return [ManualMeasure(m, manual_dates(m), confirmed.get(m.id), latest.get(m.id)) for m in measures]


def _check_ranges(roadmap: Roadmap, ranges: list[tuple[date, date]]) -> list[dict[str, str]]:
    if not ranges:
        raise ProposalError("Укажите хотя бы одну дату.")
    if len(ranges) > MAX_RANGES:
        raise ProposalError(f"Не больше {MAX_RANGES} дат в одном предложении.")
    for start, due in ranges:
        if start < roadmap.period_start or due > roadmap.period_end:
            raise ProposalError(
                f"Дата {days_label(start, due)} вне срока дорожной карты "
                f"({roadmap.period_start:%d.%m.%Y} – {roadmap.period_end:%d.%m.%Y})."
            )
    return [{"start": start.isoformat(), "due": due.isoformat()} for start, due in sorted(ranges)]


def propose_dates(measure: Measure, user: User, ranges: list[tuple[date, date]], comment: str = "") -> DateProposal:
    """The user's organization proposes its dates; an earlier unanswered proposal is replaced."""
    organization = user.organization
    if user.role != Role.EXECUTOR or organization is None:
        raise ProposalError("Предлагать даты могут только сотрудники организации-исполнителя.")
    if (
        measure.roadmap.status != RoadmapStatus.PUBLISHED
        or measure.is_removed
        or measure.schedule_kind != ScheduleKind.MANUAL
    ):
        raise ProposalError("Для этого мероприятия сроки задаёт дорожная карта: предлагать даты не нужно.")
    if organization.id not in executor_map(measure.roadmap_id).get(measure.id, ()):
        raise ProposalError("Ваша организация не указана ответственной за это мероприятие.")
    dates = _check_ranges(measure.roadmap, ranges)
    _supersede(measure.id, organization.id, ProposalStatus.PROPOSED)
    proposal = DateProposal(
        measure=measure,
        organization=organization,
        dates=dates,
        comment=comment.strip()[:2000],
        status=ProposalStatus.PROPOSED,
        proposed_by_id=user.id,
    )
    db.session.add(proposal)
    db.session.flush()
    _notify_coordinators(
        measure.roadmap.municipality_id,
        f"{organization.short_name} предлагает даты мероприятия {measure.number}: {describe(proposal.ranges)}.",
        url=f"/proposals/{proposal.id}",
    )
    record("proposal.create", user=user, obj=proposal, summary=f"{measure.number}: {describe(proposal.ranges)}")
    return proposal


def confirm_proposal(
    proposal: DateProposal, user: User, ranges: list[tuple[date, date]] | None = None, comment: str = ""
) -> GenerationResult:
    """Confirm as proposed, or with the coordinator's corrections; the organization's tasks follow."""
    _confirm(proposal, user, ranges, comment)
    db.session.flush()
    result = generate_tasks(proposal.measure.roadmap, reason="даты мероприятия изменены")
    record("proposal.confirm", user=user, obj=proposal, summary=f"{proposal.measure.number}: {result.summary()}")
    return result


def decide_many(
    proposal_ids: set[int], user: User, *, confirming: bool, comment: str = ""
) -> tuple[BatchResult[DateProposal], GenerationResult]:
    """Confirm (as proposed) or reject several proposals, each in its own savepoint; writes the audit event.

    A proposal decided meanwhile by someone else, or no longer needed, is skipped with its reason;
    the others stand. Each roadmap's tasks are generated once, after the decisions. The caller commits.
    """
    if not confirming and not comment.strip():
        raise ProposalError("Напишите, почему даты не подходят: исполнитель увидит причину.")
    roadmap_ids = db.session.scalars(
        select(Measure.roadmap_id)
        .join(DateProposal, DateProposal.measure_id == Measure.id)
        .where(DateProposal.id.in_(proposal_ids))
        .distinct()
    )
    # The roadmaps' rows first, as every task write does (see lock_feed_counters), then the proposals by id.
    lock_feed_counters(roadmap_ids)
    proposals = (
        db.session.scalars(
            select(DateProposal)
            .where(DateProposal.id.in_(proposal_ids))
            .order_by(DateProposal.id)
            .options(
                joinedload(DateProposal.measure).joinedload(Measure.roadmap), joinedload(DateProposal.organization)
            )
            .with_for_update(of=DateProposal)
            .execution_options(populate_existing=True)
        )
        .unique()
        .all()
    )

    def decide(proposal: DateProposal) -> None:
        if confirming:
            _confirm(proposal, user, None, comment)
        else:
            reject_proposal(proposal, user, comment)
        db.session.flush()

    result = decide_each(
        proposals,
        decide,
        verb="Подтверждено" if confirming else "Отклонено",
        refused="Не подтверждено" if confirming else "Не отклонено",
        label=lambda p: f"{p.measure.number}, {p.organization.short_name}",
        refusals=(ProposalError,),
        reason=lambda _p, exc: _lower_first(str(exc).rstrip(".")),
    )
    found = {p.id for p in proposals}
    result.skipped += [Skipped(f"предложение {i}", "не найдено", i) for i in sorted(proposal_ids - found)]
    total = GenerationResult()
    if confirming:
        for roadmap in {p.measure.roadmap_id: p.measure.roadmap for p in result.done}.values():
            generated = generate_tasks(roadmap, reason="даты мероприятия изменены")
            total.added += generated.added
            total.changed += generated.changed
            total.cancelled += generated.cancelled
            total.restored += generated.restored
            total.removed += generated.removed
            total.unchanged += generated.unchanged
    summary = result.message()
    record(
        "proposal.confirm_many" if confirming else "proposal.reject_many",
        user=user,
        summary=summary + (f" Задачи: {total.summary()}." if confirming else ""),
        details=result.details(lambda p: p.id),
    )
    return result, total


def _lower_first(text: str) -> str:
    """A refusal's sentence as a clause of the batch message."""
    return text[:1].lower() + text[1:]


def _confirm(proposal: DateProposal, user: User, ranges: list[tuple[date, date]] | None, comment: str) -> None:
    _check_decision(proposal, user)
    if ranges is not None:
        dates = _check_ranges(proposal.measure.roadmap, ranges)
        if dates != proposal.dates:
            proposal.dates = dates
            comment = comment.strip() or "даты исправлены координатором"
    _supersede(proposal.measure_id, proposal.organization_id, ProposalStatus.CONFIRMED)
    _decide(proposal, user, ProposalStatus.CONFIRMED, comment)
    measure = proposal.measure
    notify_organization(
        proposal.organization_id,
        kind=NoticeKind.DATES_CONFIRMED,
        text=f"Даты мероприятия {measure.number} подтверждены: {describe(proposal.ranges)}."
        + (f" {proposal.decision_comment}" if proposal.decision_comment else ""),
        url="/tasks",
    )


def reject_proposal(proposal: DateProposal, user: User, comment: str) -> None:
    _check_decision(proposal, user)
    if not comment.strip():
        raise ProposalError("Напишите, почему даты не подходят: исполнитель увидит причину.")
    _decide(proposal, user, ProposalStatus.REJECTED, comment)
    measure = proposal.measure
    notify_organization(
        proposal.organization_id,
        kind=NoticeKind.DATES_REJECTED,
        text=f"Даты мероприятия {measure.number} не подтверждены: {proposal.decision_comment}",
        url=f"/proposals/measure/{measure.id}",
    )
    record("proposal.reject", user=user, obj=proposal, summary=f"{measure.number}: {proposal.decision_comment}")


def pending_query(territory: int | None = None) -> Select:
    """Proposals waiting for the coordinator, of live measures in published roadmaps of the
    coordinator's territory (roadmap.tasks.access.territory_of; None: the whole region)."""
    from roadmap.tasks.access import roadmaps_of_territory

    return (
        select(DateProposal)
        .join(Measure, Measure.id == DateProposal.measure_id)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(
            DateProposal.status == ProposalStatus.PROPOSED,
            Measure.is_removed.is_(False),
            Roadmap.status == RoadmapStatus.PUBLISHED,
            roadmaps_of_territory(territory),
        )
    )


def pending_proposals(roadmap_id: int | None = None, territory: int | None = None) -> list[DateProposal]:
    stmt = pending_query(territory).options(
        joinedload(DateProposal.measure).joinedload(Measure.roadmap),
        joinedload(DateProposal.organization),
        joinedload(DateProposal.proposed_by),
    )
    if roadmap_id is not None:
        stmt = stmt.where(Measure.roadmap_id == roadmap_id)
    return list(db.session.scalars(stmt.order_by(DateProposal.id)).unique())


def _of_territory(territory: int | None) -> Select:
    from roadmap.tasks.access import roadmaps_of_territory

    return (
        select(DateProposal)
        .join(Measure, Measure.id == DateProposal.measure_id)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(roadmaps_of_territory(territory))
    )


def recently_decided(territory: int | None = None, *, limit: int = 30) -> list[DateProposal]:
    """The last proposals confirmed or rejected in roadmaps of the territory, newest first."""
    return list(
        db.session.scalars(
            _of_territory(territory)
            .where(DateProposal.status.in_([ProposalStatus.CONFIRMED, ProposalStatus.REJECTED]))
            .options(joinedload(DateProposal.measure), joinedload(DateProposal.organization))
            .order_by(DateProposal.decided_at.desc(), DateProposal.id.desc())
            .limit(limit)
        )
    )


def of_territory(proposal_ids, territory: int | None) -> set[int]:
    """Those of `proposal_ids` in roadmaps of the territory: another municipality's are as good
    as unknown."""
    return set(
        db.session.scalars(
            _of_territory(territory).where(DateProposal.id.in_(set(proposal_ids))).with_only_columns(DateProposal.id)
        )
    )


def proposal_history(measure_id: int, organization_id: int) -> list[DateProposal]:
    """Everything an organization proposed for a measure and what became of it, newest first."""
    return list(
        db.session.scalars(
            select(DateProposal)
            .where(DateProposal.measure_id == measure_id, DateProposal.organization_id == organization_id)
            .options(joinedload(DateProposal.proposed_by), joinedload(DateProposal.decided_by))
            .order_by(DateProposal.id.desc())
        )
    )


def _supersede(measure_id: int, organization_id: int, status: ProposalStatus) -> None:
    """The organization's earlier proposals in `status` give way to a newer one (kept as history)."""
    for proposal in db.session.scalars(
        select(DateProposal).where(
            DateProposal.measure_id == measure_id,
            DateProposal.organization_id == organization_id,
            DateProposal.status == status,
        )
    ):
        proposal.status = ProposalStatus.SUPERSEDED


def _check_decision(proposal: DateProposal, user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise ProposalError("Подтверждать даты может только координатор.")
    if proposal.status != ProposalStatus.PROPOSED:
        raise ProposalError(f"По этому предложению уже есть решение: {proposal.status.label}.")
    measure = proposal.measure
    if measure.is_removed or measure.roadmap.status != RoadmapStatus.PUBLISHED:
        raise ProposalError("Дорожная карта не действует (в архиве или снята) либо мероприятие удалено: даты не нужны.")


def _decide(proposal: DateProposal, user: User, status: ProposalStatus, comment: str) -> None:
    proposal.status = status
    proposal.decided_by_id = user.id
    proposal.decided_at = utcnow()
    proposal.decision_comment = comment.strip()[:2000]


def _notify_coordinators(territory: int | None, text: str, *, url: str) -> None:
    """A notice to every coordinator who sees roadmaps of `territory` (None: the region's)."""
    from roadmap.tasks.access import staff_of_territory

    coordinators = db.session.scalars(
        select(User.id).where(
            User.role == Role.COORDINATOR, User.is_active_account.is_(True), staff_of_territory(territory)
        )
    ).all()
    for user_id in coordinators:
        db.session.add(Notice(user_id=user_id, kind=NoticeKind.DATES_PROPOSED, text=truncate(text, 2000), url=url))
