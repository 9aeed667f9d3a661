"""Targets of measures (целевые показатели): set by the coordinator, or taken from a target
column of the imported document; every change audited. The rules of what a target means are
roadmap.targets; what the reports make of it, roadmap.reports.queries.target_results."""

from __future__ import annotations

import re

from sqlalchemy import select

from roadmap import audit
from roadmap.contingent import Band
from roadmap.extensions import db
from roadmap.models import Measure, MeasureTarget, User
from roadmap.schedule import plan_years
from roadmap.schedule.labels import plan_year_label
from roadmap.targets import ParsedTarget, TargetKind, describe, parse_target

# The header of a document's column holding targets («Целевой показатель», «Показатели»,
# «Планируемый результат», «Ожидаемый результат», «Индикатор»), as the importer keeps it in
# Measure.notes (lower-cased, spaces collapsed).
_TARGET_HEADER = re.compile(
    r"^(?:целев\w*\s+)?(?:показател\w*|индикатор\w*)(?:\s+.*)?$|^(?:планируем\w*|ожидаем\w*)\s+результат\w*",
    re.IGNORECASE,
)


class TargetError(ValueError):
    """A target that cannot be saved; the message is Russian, `field` what it is about (the
    API's problem names it): plan_year, kind, planned or grade_from."""

    def __init__(self, message: str, field: str = "planned") -> None:
        super().__init__(message)
        self.field = field


def target_column(notes: dict[str, str] | None) -> tuple[str, str] | None:
    """(header, text) of the first extra column that holds targets, if the document has one."""
    for header, text in (notes or {}).items():
        if _TARGET_HEADER.match(" ".join(header.lower().split())):
            return header, text
    return None


def target_for(measure_id: int, plan_year: int | None) -> MeasureTarget | None:
    """The measure's target for `plan_year`: the year's own, else the one for every year."""
    rows = db.session.scalars(
        select(MeasureTarget)
        .where(MeasureTarget.measure_id == measure_id)
        .where((MeasureTarget.plan_year == plan_year) | MeasureTarget.plan_year.is_(None))
        .order_by(MeasureTarget.plan_year.is_(None))
    ).all()
    return rows[0] if rows else None


def band_of(measure_id: int, plan_year: int | None) -> Band:
    """The grade band the measure's target speaks of (the whole contingent when none)."""
    target = target_for(measure_id, plan_year)
    if target is None or target.kind != TargetKind.BAND_SHARE:
        return Band()
    return target.band


def _store(measure: Measure, plan_year: int | None, parsed: ParsedTarget | None) -> MeasureTarget | None:
    existing = next((t for t in measure.targets if t.plan_year == plan_year), None)
    if parsed is None:
        if existing is not None:
            measure.targets.remove(existing)
        return None
    target = existing or MeasureTarget(plan_year=plan_year)
    if existing is None:
        measure.targets.append(target)
    target.text = parsed.text
    target.kind = parsed.kind
    target.planned = parsed.value
    band = parsed.band if parsed.kind == TargetKind.BAND_SHARE else Band()
    target.grade_from, target.grade_to = band.first, band.last
    return target


def import_target(measure: Measure) -> str | None:
    """Take the measure's target from its document's target column (Measure.notes), for every
    plan year. A text whose meaning is not certain is kept as written, with no number; the
    returned warning (Russian) says so. None: understood, or no such column."""
    found = target_column(measure.notes)
    if found is None:
        return None
    header, text = found
    parsed = parse_target(text)
    if parsed is None:
        return None
    _store(measure, None, parsed)
    if parsed.is_understood:
        return None
    return (
        f"Мероприятие {measure.number}: целевой показатель «{parsed.text[:120]}» (столбец «{header}») не распознан — "
        "сохранён как текст; задайте вид и значение на странице проверки."
    )


def set_target(
    measure: Measure,
    *,
    plan_year: int | None,
    kind: TargetKind | str | None,
    planned: float | None,
    band: Band = Band(),
    text: str = "",
    user: User | None,
) -> MeasureTarget | None:
    """Set (kind and value given) or clear (kind None) the measure's target for `plan_year`
    (None: every plan year); audited."""
    if kind in (None, ""):
        if not any(t.plan_year == plan_year for t in measure.targets):
            return None
        _store(measure, plan_year, None)
        audit.record("target_cleared", user=user, obj=measure, summary=f"{measure.number}: целевой показатель снят")
        db.session.flush()
        return None
    kind = TargetKind(kind)
    roadmap = measure.roadmap
    years = [year for year, _start, _end in plan_years(roadmap.period_start, roadmap.period_end, roadmap.year_type)]
    if plan_year is not None and plan_year not in years:
        raise TargetError("Такого года нет в периоде дорожной карты.", "plan_year")
    if planned is None or planned <= 0:
        raise TargetError("Укажите плановое значение больше нуля.")
    if kind.is_share and planned > 100:
        raise TargetError("Доля не может быть больше 100 %.")
    if not kind.is_share and planned != int(planned):
        raise TargetError("Число участников или мероприятий — целое число.")
    if kind != TargetKind.BAND_SHARE:
        band = Band()
    elif band.is_whole:
        raise TargetError("Укажите классы: например, с 9 по 9 или с 8 по 9.", "grade_from")
    written = " ".join((text or "").split()) or describe(kind, planned, band)
    target = _store(measure, plan_year, ParsedTarget(written[:500], kind, planned, band))
    year = f" ({plan_year_label(plan_year, roadmap.year_type)})" if plan_year else ""
    audit.record(
        "target_saved",
        user=user,
        obj=measure,
        summary=f"{measure.number}: целевой показатель{year} — {describe(kind, planned, band)}"[:300],
    )
    db.session.flush()
    return target


def parse_planned(text: str | None) -> float | None:
    """«75», «75,5», «75 %», «600» → the number; None for an empty field; TargetError otherwise."""
    value = (text or "").replace("%", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise TargetError(f"«{text}» — не число: укажите плановое значение цифрами.") from None


def year_choices(measure: Measure) -> list[tuple[str, str]]:
    """The plan years a target may be set for: every year, or one of the roadmap's."""
    roadmap = measure.roadmap
    years = plan_years(roadmap.period_start, roadmap.period_end, roadmap.year_type)
    return [("", "каждый год")] + [(str(y), plan_year_label(y, roadmap.year_type)) for y, _s, _e in years]


def _small_int(text: str | None, what: str) -> int | None:
    value = (text or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise TargetError(f"{what}: «{value}» — не число.")
    return int(value)


def set_target_from_form(
    measure: Measure,
    *,
    plan_year: str | None,
    kind: str | None,
    planned: str | None,
    grade_from: str | None,
    grade_to: str | None,
    user: User | None,
) -> MeasureTarget | None:
    """set_target from the texts of the review screen's form; every bad field a TargetError."""
    year = _small_int(plan_year, "Год")
    if kind and kind not in {k.value for k in TargetKind}:
        raise TargetError("Выберите, что считается.", "kind")
    band = band_between(_small_int(grade_from, "С класса"), _small_int(grade_to, "По класс"))
    return set_target(measure, plan_year=year, kind=kind or None, planned=parse_planned(planned), band=band, user=user)


def band_between(first: int | None, last: int | None) -> Band:
    """The band of grades `first`..`last` as the review screen and the API give it (a first
    grade alone: that grade; no first grade: the whole contingent); TargetError when it is not one."""
    if first is not None and last is None:
        last = first
    try:
        return Band(first, last) if first is not None else Band()
    except ValueError:
        raise TargetError("Классы — с 1 по 11, первый не больше последнего.", "grade_from") from None
