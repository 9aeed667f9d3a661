"""The draft of the order on the results of monitoring (приказ об итогах мониторинга).

What the order says comes from the report's figures: the results (events, coverage, shares,
targets met and missed) and «ПРИКАЗЫВАЮ:» with numbered instructions per responsible body,
generated from what was missed. Each kind of miss is a *source* of instructions
(`InstructionSource`): overdue measures, organizations below the roadmap's completion, missed
targets (given by a targets provider: none until targets exist). The coordinator edits the list
before the DOCX is made (roadmap.web.orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from roadmap.models import OrgKind
from roadmap.reports.compare import COVERAGE_SUBJECT, YearsSideBySide, change_sentence
from roadmap.reports.queries import ExecutorRow, MonitoringReport
from roadmap.reports.typography import format_int, format_percent, plan_year_with, typographed
from roadmap.russian import plural, truncate

SCHOOL_HEADS = "Руководителям общеобразовательных организаций"
# Whom an order of the education authority addresses: its schools and institutions, together
# by kind or (a centre) by name. Colleges, universities, enterprises are partners: not ordered.
GROUP_HEADS = {
    OrgKind.SCHOOL: SCHOOL_HEADS,
    OrgKind.PRESCHOOL: "Руководителям дошкольных образовательных организаций",
    OrgKind.ADDITIONAL: "Руководителям организаций дополнительного образования",
}
ADDRESSED_ONE_BY_ONE = {OrgKind.CENTRE}
NAMES_LISTED = 10  # organizations named in one instruction; the rest are counted
CONTROL = "Контроль за исполнением настоящего приказа оставляю за собой."
MEASURES_LISTED = 5  # overdue measures named in one instruction; the rest are counted


@dataclass(frozen=True)
class MissedTarget:
    """A target not reached, as a targets provider reports it (roadmap.reports.targets)."""

    title: str  # «проведение профессиональной диагностики обучающихся 8–11 классов»
    planned: str = ""  # «75 %»
    actual: str = ""  # «62 %»
    organizations: tuple[str, ...] = ()  # short names of the organizations that missed it


@dataclass(frozen=True)
class TargetsOutcome:
    met: tuple[str, ...] = ()
    missed: tuple[MissedTarget, ...] = ()
    sentence: str = ""  # the report's own words for them (roadmap.reports.targets), when it has them

    @property
    def is_known(self) -> bool:
        return bool(self.met or self.missed)


# report → the targets met and missed; the lead plugs roadmap.reports.targets in here.
TargetsProvider = Callable[[MonitoringReport], TargetsOutcome]


def no_targets(_report: MonitoringReport) -> TargetsOutcome:
    return TargetsOutcome()


@dataclass
class Instruction:
    """One numbered point of «ПРИКАЗЫВАЮ:»: to whom, and what (one line per task)."""

    body: str
    items: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.items)


@dataclass(frozen=True)
class OrderContext:
    report: MonitoringReport
    kinds: dict[int, OrgKind]  # organization id → kind (schools are addressed together)
    owner_name: str | None
    targets: TargetsOutcome
    history: YearsSideBySide | None = None


# context → (body, item) pairs; bodies are merged in the order they first appear.
InstructionSource = Callable[[OrderContext], Iterable[tuple[str, str]]]


def _names(rows: Sequence[ExecutorRow]) -> str:
    names = [typographed(r.name) for r in rows[:NAMES_LISTED]]
    rest = len(rows) - len(names)
    text = ", ".join(names)
    if rest:
        text += f" и ещё {rest} {plural(rest, 'организация', 'организации', 'организаций')}"
    return text


def _body_of(row: ExecutorRow, context: OrderContext) -> str | None:
    """To whom the order speaks about `row`: the heads of its kind, itself, or nobody (a partner)."""
    kind = context.kinds.get(row.id)
    if kind in GROUP_HEADS:
        return GROUP_HEADS[kind]
    if kind in ADDRESSED_ONE_BY_ONE:
        return typographed(row.name)
    return None


def _is_group(body: str) -> bool:
    return body in GROUP_HEADS.values()


def overdue_measures(context: OrderContext) -> Iterable[tuple[str, str]]:
    """Measures with tasks past their deadline: those who owe them are told to do them."""
    report = context.report
    executors = {e.id: e for e in report.executors}
    by_body: dict[str, dict[int, set[int]]] = {}  # body → measure id → organization ids
    for (measure_id, org_id), cell in report.cells.items():
        body = _body_of(executors[org_id], context) if cell.figures.overdue and org_id in executors else None
        if body is not None:
            by_body.setdefault(body, {}).setdefault(measure_id, set()).add(org_id)
    pairs = []
    for body, by_measure in by_body.items():
        ordered = [m for m in report.measures if m.id in by_measure]
        named = [f"{m.number} «{truncate(typographed(m.title), 90)}»" for m in ordered[:MEASURES_LISTED]]
        rest = len(ordered) - len(named)
        text = "выполнить мероприятия дорожной карты, срок исполнения которых истёк: " + "; ".join(named)
        if rest:
            text += f" и ещё {rest} {plural(rest, 'мероприятие', 'мероприятия', 'мероприятий')}"
        if _is_group(body):
            owing = {o for ids in by_measure.values() for o in ids}
            text += f" ({_names([e for e in report.executors if e.id in owing])})"
        pairs.append((body, text + ", и представить отчёты об их проведении"))
    return pairs


def below_completion(context: OrderContext) -> Iterable[tuple[str, str]]:
    """Organizations whose completion is below the roadmap's: analyse why and catch up; those
    that reported nothing are named apart."""
    report = context.report
    average = report.summary.done_ratio
    if average is None:
        return []
    silent = [
        e for e in report.executors_ranked if e.figures.applicable and not e.figures.reported and e.figures.overdue
    ]
    below = [
        e
        for e in report.executors_ranked
        if e not in silent and e.figures.done_ratio is not None and e.figures.done_ratio < average
    ]
    pairs = []
    for rows, text in (
        (
            below,
            "осуществить анализ и выявить причины отклонения исполнения мероприятий дорожной карты от "
            f"среднего по муниципалитету ({format_percent(average)})",
        ),
        (silent, "представить отчёты о проведённых мероприятиях: за отчётный период не представлено ни одного отчёта"),
    ):
        by_body: dict[str, list[ExecutorRow]] = {}
        for row in rows:
            body = _body_of(row, context)
            if body is not None:
                by_body.setdefault(body, []).append(row)
        for body, members in by_body.items():
            who = f" ({_names(members)})" if _is_group(body) else ""
            pairs.append((body, text + who))
    return pairs


def missed_targets(context: OrderContext) -> Iterable[tuple[str, str]]:
    """Targets not reached (from the targets provider): ensure they are met."""
    pairs = []
    for target in context.targets.missed:
        detail = f" (план — {target.planned}, факт — {target.actual})" if target.planned or target.actual else ""
        who = f" ({', '.join(typographed(n) for n in target.organizations)})" if target.organizations else ""
        pairs.append((SCHOOL_HEADS, f"обеспечить выполнение целевого показателя «{target.title}»{detail}{who}"))
    return pairs


def methodological_support(context: OrderContext) -> Iterable[tuple[str, str]]:
    """When anything was missed, the roadmap's owner supports those who missed it."""
    if not context.owner_name:
        return []
    f = context.report.summary
    if not (f.overdue or context.targets.missed):
        return []
    return [
        (
            typographed(context.owner_name),
            "обеспечить организационно-методическое сопровождение образовательных организаций, не выполнивших "
            "мероприятия дорожной карты и целевые показатели, и провести повторный мониторинг",
        )
    ]


SOURCES: tuple[InstructionSource, ...] = (overdue_measures, below_completion, missed_targets, methodological_support)


def instructions(context: OrderContext, sources: Sequence[InstructionSource] = SOURCES) -> list[Instruction]:
    """The numbered points: each source's (body, item) pairs merged per body, in order of first
    appearance, and the closing point on control."""
    merged: dict[str, Instruction] = {}
    for source in sources:
        for body, item in source(context):
            instruction = merged.setdefault(body, Instruction(body))
            if item not in instruction.items:
                instruction.items.append(item)
    return [*merged.values(), Instruction("", [CONTROL])]


# --------------------------------------------------------------------------- the text


def preamble(report: MonitoringReport, period: str, owner_name: str | None) -> str:
    roadmap = report.roadmap
    who = f" {typographed(owner_name)}" if owner_name else ""
    return (
        f"В соответствии с дорожной картой «{typographed(roadmap.title)}»{who} проведён мониторинг исполнения "
        f"её мероприятий {period}. Цель мониторинга — выявление актуального состояния системы работы по "
        "самоопределению и профессиональной ориентации обучающихся и исполнения мероприятий дорожной карты "
        "образовательными организациями."
    )


def results(context: OrderContext) -> list[str]:
    """The findings: organizations, events, coverage, shares, targets, change against last year."""
    report = context.report
    f = report.summary
    c = f.coverage
    working = [e for e in report.executors if e.figures.applicable]
    complete = [e for e in working if e.figures.done == e.figures.applicable]
    lines = [
        f"В мониторинге приняли участие {format_int(len(working))} "
        f"{plural(len(working), 'организация-исполнитель', 'организации-исполнителя', 'организаций-исполнителей')}.",
        f"Запланировано {format_int(f.applicable)} {plural(f.applicable, 'задача', 'задачи', 'задач')} по "
        f"{format_int(len(report.measures))} {plural(len(report.measures), 'мероприятию', 'мероприятиям', 'мероприятиям')}; "
        f"выполнено {format_int(f.done)} ({format_percent(f.done_ratio, places=1)}), представлено отчётов — "
        f"{format_int(f.reported)}, из них в срок — {format_int(f.on_time)}; просрочено — {format_int(f.overdue)}.",
    ]
    if f.reported:
        lines.append(
            f"Мероприятиями охвачено {format_int(c.total)} участников, в том числе обучающихся — "
            f"{format_int(c.students)}, родителей (законных представителей) — {format_int(c.parents)}, "
            f"педагогов — {format_int(c.teachers)}."
        )
    if working:
        lines.append(
            f"Все мероприятия дорожной карты выполнили {format_int(len(complete))} из {format_int(len(working))} "
            f"организаций ({format_percent(len(complete) / len(working))})."
        )
    history = context.history
    if history is not None and history.is_comparison:
        old, new = history.total.values[-2], history.total.values[-1]
        if old is not None and new is not None and old.coverage.total:
            sentence = change_sentence(COVERAGE_SUBJECT, old.coverage.total, new.coverage.total, history.years[-2])
            lines.append(sentence[0].upper() + sentence[1:] + ".")
    targets = context.targets
    if targets.sentence:
        lines.append(targets.sentence)
    elif targets.is_known:
        if targets.missed:
            lines.append("Целевые показатели выполнены, кроме:")
            lines += [f"{t.title};" for t in targets.missed[:-1]] + [f"{targets.missed[-1].title}."]
        else:
            lines.append("Целевые показатели выполнены.")
    overdue = [m for m in report.measures if m.figures.overdue]
    if overdue:
        lines.append(
            f"Не выполнены в установленный срок {format_int(len(overdue))} "
            f"{plural(len(overdue), 'мероприятие', 'мероприятия', 'мероприятий')} дорожной карты "
            f"(просрочено {format_int(f.overdue)} {plural(f.overdue, 'задача', 'задачи', 'задач')})."
        )
    return lines


@dataclass
class OrderDraft:
    """Everything the order's DOCX needs; the form edits it."""

    authority: str
    title: str
    city: str
    order_date: date | None
    number: str
    preamble: str
    results: list[str]
    instructions: list[Instruction]
    signer_position: str
    signer_name: str


def period_words(report: MonitoringReport) -> str:
    scope = report.scope
    if scope.plan_year is None:
        return "за весь период реализации"
    return "в " + plan_year_with(scope.plan_year, report.roadmap.year_type, case="prepositional")


# --------------------------------------------------------------------------- putting it together


def report_targets(report: MonitoringReport) -> TargetsOutcome:
    """The report's own targets (roadmap.reports.queries.target_results, the figures every page
    and export shows) as the order names them."""
    met, missed = [], []
    for result in report.targets:
        if result.met is None:
            continue
        title = f"{result.measure_number} «{result.measure_title.rstrip('.')}»"
        if result.met:
            met.append(title)
        else:
            names = tuple(o.name for o in result.organizations_missed)
            missed.append(MissedTarget(title, result.description, result.fact_text, names))
    from roadmap.reports.targets import targets_sentence

    return TargetsOutcome(tuple(met), tuple(missed), targets_sentence(report.targets))


TARGETS_PROVIDER: TargetsProvider = report_targets


def order_context(report: MonitoringReport, targets_provider: TargetsProvider | None = None) -> OrderContext:
    from sqlalchemy import select

    from roadmap.extensions import db
    from roadmap.models import Organization
    from roadmap.reports.compare import years_side_by_side

    ids = [e.id for e in report.executors] or [-1]
    kinds = dict(db.session.execute(select(Organization.id, Organization.kind).where(Organization.id.in_(ids))).all())
    owner = (
        db.session.get(Organization, report.roadmap.owner_organization_id)
        if report.roadmap.owner_organization_id
        else None
    )
    provider = targets_provider or TARGETS_PROVIDER
    return OrderContext(
        report=report,
        kinds=kinds,
        owner_name=owner.short_name if owner else None,
        targets=provider(report),
        history=years_side_by_side(report),
    )


def draft_order(context: OrderContext, *, order_date: date | None = None) -> OrderDraft:
    """The order as generated: what the form shows before the coordinator edits it."""
    from roadmap.extensions import db
    from roadmap.models import Organization

    report = context.report
    roadmap = report.roadmap
    owner = db.session.get(Organization, roadmap.owner_organization_id) if roadmap.owner_organization_id else None
    period = period_words(report)
    return OrderDraft(
        authority=owner.full_name if owner else "",
        title=f"Об итогах мониторинга исполнения дорожной карты «{typographed(roadmap.title)}» {period}",
        city=(owner.municipality_name or "") if owner else "",
        order_date=order_date,
        number="",
        preamble=preamble(report, period, owner.short_name if owner else None),
        results=results(context),
        instructions=instructions(context),
        signer_position="Руководитель",
        signer_name="",
    )
