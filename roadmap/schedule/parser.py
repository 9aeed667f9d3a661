"""``parse(text) -> Schedule``: the entry point of the deadline grammar. Never raises."""

from __future__ import annotations

import functools
import re
from datetime import date

from .grammar import parse_tokens
from .items import Window, is_pinned, with_label
from .labels import explain
from .lexer import MAX_PHRASE_LENGTH, normalize, tokenize
from .model import Schedule, ScheduleKind, kind_of
from .notes import display_name, only_punctuation, strip_times, strip_weekdays

__all__ = ["normalize", "parse"]

# Phrases that defer the dates to another document or to circumstances (rule 11). A trigger
# swallows its clause up to the next comma, semicolon or bracket: "по плану ОО",
# "по графику проведения ГИА".
_DEFER = (
    r"по\s+(?:[а-я]+\s+){0,3}?(?:график|план|расписани|календар|циклограмм|программ|регламент|"
    r"положени|приказ|распоряжени|поручени|указани|решени|договор|соглашени|заявк|запрос|"
    r"согласовани|требовани|необходимост|потребност|возможност|готовност|факту|назначени|"
    r"мере|срокам|срокам|мер[еы]|отдельн|индивидуальн|инициатив|вызов|приглашени|"
    r"датам|дат[еам])",
    r"по\s+итогам\s+(?!(?:каждо[а-я]*\s+)?(?:[а-я]+\s+)?(?:четверт|полугоди|квартал|месяц|триместр|i|ii|iii|iv|\d))",
    r"(?:в\s+)?соответстви[ие]\s+с",
    r"согласно",
    r"в\s+установленн[а-я]*\s+срок",
    r"в\s+сроки",
    r"в\s+срок[,\s]+(?:установ|определ|предусмотр|указан)",
    r"при\s+(?:необходимост|наличи|поступлени|получени|обращени|возникновени|условии|потребност)",
    r"по\s+мере",
    r"в\s+рамках",
    r"определя[а-я]*",
    r"устанавлива[а-я]*",
    r"уточня[а-я]*",
    r"будет\s+определ",
    r"в\s+зависимости\s+от",
    r"в\s+случае",
    r"по\s+необходимости",
    r"по\s+запросу",
    r"по\s+согласованию",
    r"по\s+требованию",
    r"на\s+основании",
    r"в\s+порядке",
)
_DEFER_RE = re.compile(r"(?<![а-я])(?:" + "|".join(_DEFER) + r")[^,;()]*")
_ANNUAL_ONLY_RE = re.compile(r"^(?:[\s,;().:-]|ежегодн[а-я]*|каждый\s+год|(?:^|\s)и(?:\s|$))*$")


def parse(text: str | None) -> Schedule:
    """Understand a deadline phrase; any input gives a schedule (``unparsed`` at worst)."""
    original = "" if text is None else str(text)
    schedule = _parse_cached(original)
    # A copy: the caller may change its lists, the cache's stays as parsed (built directly:
    # ``dataclasses.replace`` was a tenth of a batch's time).
    return Schedule(
        text=schedule.text,
        kind=schedule.kind,
        explanation=schedule.explanation,
        warnings=list(schedule.warnings),
        items=list(schedule.items),
        weekdays=list(schedule.weekdays),
    )


@functools.lru_cache(maxsize=4096)
def _parse_cached(original: str) -> Schedule:
    """Real plans repeat their phrases («в течение года», «сентябрь») cell after cell."""
    try:
        return _parse(original)
    except Exception:  # noqa: BLE001 - the grammar must never break an import; flag instead
        return _unparsed(original, "внутренняя ошибка разбора; срок нужно задать вручную")


def _unparsed(text: str, warning: str | None = None) -> Schedule:
    warnings = [warning] if warning else []
    return Schedule(text=text, kind=ScheduleKind.UNPARSED, explanation="срок не распознан", warnings=warnings)


def _manual(text: str) -> Schedule:
    return Schedule(
        text=text,
        kind=ScheduleKind.MANUAL,
        explanation="сроки определяются отдельно (график, план, запрос) — задаются вручную",
    )


def _parse(text: str) -> Schedule:
    if len(text) > MAX_PHRASE_LENGTH * 4:
        return _unparsed(text, "слишком длинный текст для срока")
    norm = normalize(text)
    if not norm:
        return _unparsed(text, "срок не указан")
    if len(norm) > MAX_PHRASE_LENGTH:
        return _unparsed(text, "слишком длинный текст для срока")
    deferred = [m.group(0).strip() for m in _DEFER_RE.finditer(norm)]
    rest = _DEFER_RE.sub(" ", norm) if deferred else norm
    if deferred and _ANNUAL_ONLY_RE.match(rest):
        return _manual(text)
    tokens, claims = strip_weekdays(tokenize(rest))
    dateless, times = strip_times(tokens)
    if times is not None and only_punctuation(dateless):
        return Schedule(
            text=text,
            kind=ScheduleKind.MANUAL,
            explanation="указано только время, без даты — даты задаются вручную",
        )
    parsed = parse_tokens(tokens)
    if parsed is None:
        if deferred:
            return _manual(text)
        return _unparsed(text)
    items, warnings = parsed
    warnings = list(warnings)
    if any(item.label for item in items):
        shown = normalize(text, keep_case=True)
        items = [with_label(item, display_name(item.label, shown)) if item.label else item for item in items]
    for claim in claims:
        if claim.year is not None:
            try:
                conflict = claim.conflict(date(claim.year, claim.month, claim.day))
            except ValueError:
                conflict = None
            if conflict:
                warnings.append(conflict)
    if deferred:
        joined = "», «".join(deferred)
        warnings.append(f"уточнение «{joined}» не учтено в датах")
    if tokens.annual and any(is_pinned(item) for item in items):
        warnings.append("«ежегодно» при указанном годе: срок не повторяется в другие годы")
    if any(isinstance(item, Window) and item.start_month == 2 and item.start_day == 29 for item in items):
        warnings.append("29 февраля в невисокосный год переносится на 28 февраля")
    return Schedule(
        text=text, kind=kind_of(items), explanation=explain(items), warnings=warnings, items=items, weekdays=claims
    )
