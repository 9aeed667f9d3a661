"""The deadline parser under fuzzing: never raises, and never needs its last line of defence.

`parse` catches everything and flags the phrase as unparsed with an "internal error" warning;
that keeps imports alive, but a phrase that reaches it is a parser bug. So these properties
demand more than "no exception": the catch-all must stay unused.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.schedule import KINDS, is_working_day, parse
from roadmap.schedule.parser import _parse
from tests.schedule.test_robustness import WORDS

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "до", "не позднее", "к", "с", "по", "в", "в течение", "ежегодно", "ежемесячно", "ежеквартально",
    "еженедельно", "1 раз в", "2 раза в год", "четверть", "полугодие", "квартал", "декада", "первая",
    "начало", "конец", "середина", "учебного года", "календарного года", "всего периода", "каникулы",
    "осенние", "зимние", "летний период", "сентябрь", "сентября", "сент.", "январь", "декабрь 2023",
    "31", "29 февраля", "1", "01.09", "15.09.2023", "32.13.2023", "00.00", "2023", "2023-2024",
    "гг.", "уч. год", "I", "II", "IV", "XIV", "–", "—", "-", ",", ";", "(", ")", "и", "или",
    "по отдельному графику", "по плану ОО", "по мере необходимости", "числа", "месяца", "следующего",
    "за отчетным", "ноябрь-январь", "май-август", "\n", "  ", "ё", "Ё", "\u00a0", "9999", "0",
]  # fmt: skip
# Word salad of fragments, and of the real phrases the robustness tests perturb.
phrases = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
)
anything = st.one_of(st.text(max_size=200), st.text(alphabet=st.characters(codec="utf-8"), max_size=80))


def _strict(text: str):
    """The parser without its catch-all: any exception here is a bug the catch-all would hide."""
    return _parse(text)


@FUZZ
@given(st.one_of(phrases, anything))
def test_parse_never_raises_and_never_needs_the_safety_net(text):
    schedule = _strict(text)
    assert schedule.kind in KINDS
    assert schedule.text == text
    public = parse(text)
    assert not any("внутренняя ошибка" in warning for warning in public.warnings), public.warnings


@FUZZ
@given(
    phrases,
    st.dates(date(2000, 1, 1), date(2090, 12, 31)),
    st.integers(0, 6 * 366),
    st.sampled_from(["calendar", "academic"]),
    st.sampled_from(["next", "previous", "none"]),
)
def test_occurrences_are_well_formed_for_any_period(text, start, length, year_type, shift):
    end = start + timedelta(days=length)
    schedule = parse(text)
    occurrences = schedule.occurrences(start, end, year_type, shift=shift)
    starts = [o.start for o in occurrences]
    assert starts == sorted(starts)
    for occurrence in occurrences:
        assert occurrence.start <= occurrence.due
        assert start <= occurrence.start <= end
        if shift == "none":
            assert occurrence.due_effective == occurrence.due
        else:
            assert is_working_day(occurrence.due_effective)
            if shift == "next":
                assert occurrence.due_effective >= occurrence.due
            else:
                assert occurrence.due_effective <= occurrence.due
    if not schedule.is_parsed:
        assert not list(occurrences)


@FUZZ
@given(st.binary(max_size=100))
def test_undecodable_bytes_as_text(data):
    text = data.decode("utf-8", errors="replace")
    assert parse(text).kind in KINDS
    assert parse(data.decode("latin-1")).kind in KINDS
