"""Targets per measure and the contingent: what a written target means, the facts the reports
give (met/missed, per organization too), shares of a grade band, and the sentence of the order.

The `data` roadmap (tests/reports/conftest.py), plan year 2023: 1.1 — A reported 100 students,
B 80, C nothing (overdue); 1.2 — A 300 participants, B "not applicable"; 2.1 — A reported the
first half-year, the second is open. Every school has 100 students in grade 9 and 60 in grade 8.
"""

from __future__ import annotations

import pytest

from roadmap.contingent import Band, Contingent, band_total, level_of
from roadmap.demo import LEVEL_TOTALS_SCHOOL
from roadmap.extensions import db
from roadmap.reports.layout import CONTINGENT_FROM_LEVELS_NOTE, contingent_note
from roadmap.reports.queries import Scope, monitoring_report, target_results
from roadmap.reports.targets import missed_by_organization, targets_sentence
from roadmap.targets import TargetKind, parse_target

from .conftest import TODAY


@pytest.mark.parametrize(
    ("text", "kind", "value", "band"),
    [
        ("75 %", TargetKind.CONTINGENT_SHARE, 75, Band()),
        ("не менее 600 человек", TargetKind.PARTICIPANTS, 600, Band()),
        ("Профессиональную диагностику прошли 93 % обучающихся 8 - 9 классов", TargetKind.BAND_SHARE, 93, Band(8, 9)),
        ("75,5 % обучающихся 9-х классов", TargetKind.BAND_SHARE, 75.5, Band(9, 9)),
        ("охват 80 % обучающихся ООО", TargetKind.BAND_SHARE, 80, Band(5, 9)),
        ("не менее 3 мероприятий", TargetKind.EVENTS, 3, Band()),
        ("100 % ОО", TargetKind.ORG_SHARE, 100, Band()),
        ("к 2026 году 75 %", TargetKind.CONTINGENT_SHARE, 75, Band()),
    ],
)
def test_written_targets_are_understood(text, kind, value, band):
    parsed = parse_target(text)
    assert (parsed.kind, parsed.value, parsed.band) == (kind, value, band)


@pytest.mark.parametrize(
    "text",
    [
        "623 обучающихся, что составляет 75% от общего количества обучающихся 9 классов",  # two numbers
        "не более 5 %",
        "Повышение качества образования",
        "600",  # a number of what?
        "150 %",
        "30 % обучающихся 12 классов",
        "не менее 5 проектов",
    ],
)
def test_uncertain_targets_are_kept_as_text_without_a_number(text):
    parsed = parse_target(text)
    assert parsed.text == text and parsed.kind is None and parsed.value is None


def test_an_empty_target_cell_is_no_target():
    assert parse_target("  ") is None and parse_target("—") is None


def test_bands_and_levels_are_one_definition():
    assert [level_of(g).code for g in (1, 4, 5, 9, 10, 11)] == ["НОО", "НОО", "ООО", "ООО", "СОО", "СОО"]
    assert Band(9, 9).label == "обучающихся 9 классов"
    assert Band(8, 9).label == "обучающихся 8–9 классов"
    assert Band(5, 9).label == "обучающихся ООО (5–9 классы)"
    school = Contingent({8: 60, 9: 100}, total=160)
    assert (school.of(Band(9, 9)), school.of(Band(8, 9)), school.of(Band()), school.of(Band(10, 11))) == (
        100,
        160,
        160,
        0,
    )
    assert Contingent({}, total=500).of(Band(9, 9)) is None  # no grades given: the band is unknown
    assert band_total([school, Contingent({}, 500), None], Band(9, 9)) == (100, 2)
    with pytest.raises(ValueError):
        Band(9, 12)


@pytest.fixture
def targeted(data):
    from roadmap.directory.service import set_contingent
    from roadmap.plans.targets import set_target

    for org in data.orgs.values():
        set_contingent(org, {8: 60, 9: 100}, user=None)
    measures = {m.number: m for m in data.roadmap.measures}
    set_target(measures["1.1"], plan_year=None, kind="band_share", planned=75, band=Band(9, 9), user=None)
    set_target(measures["1.2"], plan_year=2023, kind="participants", planned=200, user=None)
    set_target(measures["2.1"], plan_year=None, kind="events", planned=2, user=None)
    db.session.flush()
    return data


def _scope(data, year=2023):
    return Scope(roadmap_id=data.roadmap.id, plan_year=year, today=TODAY)


def test_facts_are_computed_from_the_reports(targeted):
    results = {r.measure_number: r for r in target_results(_scope(targeted))}
    band = results["1.1"]
    # Students covered (A 100 + B 80; C reported nothing) of the executors' grade 9 (3 × 100).
    assert (band.numerator, band.denominator, band.met) == (180, 300, False)
    assert band.fact == pytest.approx(60.0)
    assert band.fact_text == "180 из 300 (60,0\u00a0%)"
    # Per organization: A 100 %, B 80 % meet 75 %; C (nothing reported) does not.
    assert [(o.name[-1], o.fact, o.met) for o in band.organizations] == [
        ("1", 100.0, True),
        ("2", 80.0, True),
        ("3", 0.0, False),
    ]
    # B's "not applicable" leaves 1.2 to A: 300 participants of 200.
    assert (results["1.2"].numerator, results["1.2"].met) == (300, True)
    # 2.1: one half-year reported of the two, for a target of two events.
    assert (results["2.1"].numerator, results["2.1"].met) == (1, False)


def test_the_year_own_target_wins_and_all_years_have_none(targeted):
    from roadmap.plans.targets import set_target

    measure = next(m for m in targeted.roadmap.measures if m.number == "1.1")
    set_target(measure, plan_year=2023, kind="band_share", planned=50, band=Band(9, 9), user=None)
    results = {r.measure_number: r for r in target_results(_scope(targeted))}
    assert (results["1.1"].planned, results["1.1"].met) == (50, True)
    assert target_results(_scope(targeted, year=None)) == []


def test_missing_contingent_is_said_and_not_judged(targeted):
    from roadmap.directory.service import set_contingent

    set_contingent(targeted.orgs["C"], {}, user=None)  # C's grades cleared
    result = next(r for r in target_results(_scope(targeted)) if r.measure_number == "1.1")
    assert result.met is None and result.missing_contingent == 1
    assert "нет данных о контингенте" in result.fact_text


def test_the_sentence_of_the_order(targeted):
    results = target_results(_scope(targeted))
    text = targets_sentence(results, of="муниципальной программы")
    assert text.startswith("Целевые показатели муниципальной программы выполнены, кроме: 1.1 «Семинар")
    assert "не менее 75\u00a0% обучающихся 9 классов (факт: 180 из 300 (60,0\u00a0%))" in text
    assert "2.1 «Профессиональные пробы» — не менее 2 мероприятий (факт: 1)" in text
    assert "1.2" not in text  # met: not among the exceptions
    only_met = [r for r in results if r.met]
    assert targets_sentence(only_met) == "Целевые показатели выполнены (1 из 1)."
    one_missed = [r for r in results if r.measure_number == "2.1"]
    assert targets_sentence(one_missed, subject="Целевой показатель").startswith("Целевой показатель не выполнен: 2.1")
    assert targets_sentence([]) == ""
    misses = missed_by_organization(results)
    assert list(misses) == [targeted.orgs["C"].id]
    assert misses[targeted.orgs["C"].id][0].text.startswith("1.1 «Семинар для заместителей директоров»: МБОУ СОШ № 3")


def test_the_report_shows_coverage_as_a_share_of_the_band(targeted):
    report = monitoring_report(targeted.roadmap, _scope(targeted))
    measures = {m.number: m for m in report.measures}
    assert (measures["1.1"].contingent, measures["1.1"].coverage_share) == (300, 0.6)
    # No band: the whole contingent of the applicable executors (1.2: A alone, 160 students).
    assert measures["1.2"].contingent == 160
    assert [r.measure_number for r in report.targets] == ["1.1", "1.2", "2.1"]


def test_an_unparsed_target_is_listed_as_not_judged(targeted):
    measure = next(m for m in targeted.roadmap.measures if m.number == "2.1")
    target = measure.targets[0]
    target.kind, target.planned, target.text = None, None, "Повышение качества"
    db.session.flush()
    text = targets_sentence(target_results(_scope(targeted)))
    assert (
        "Не оценено: 1 показатель — 2.1 «Профессиональные пробы» — Повышение качества (показатель не распознан)."
        in text
    )


def test_the_demo_shows_targets_met_and_missed(demo):
    from sqlalchemy import select

    from roadmap.models import Organization, OrgKind, Roadmap, RoadmapStatus
    from roadmap.reports.queries import default_plan_year

    schools = db.session.scalars(select(Organization).where(Organization.kind == OrgKind.SCHOOL)).all()
    by_grade = [s for s in schools if s.short_name != LEVEL_TOTALS_SCHOOL]
    assert by_grade and all(s.grades and s.student_count == sum(g.students for g in s.grades) for s in by_grade)
    # One school gives НОО and СОО as level totals, ООО by grade: the one sum still holds.
    (levels,) = [s for s in schools if s.short_name == LEVEL_TOTALS_SCHOOL]
    assert sorted(c.level for c in levels.levels) == ["НОО", "СОО"]
    assert sorted(g.grade for g in levels.grades) == [5, 6, 7, 8, 9]
    assert levels.student_count == sum(g.students for g in levels.grades) + sum(c.students for c in levels.levels)
    roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
    from roadmap.clock import today_in

    today = today_in(roadmap.timezone)
    scope = Scope(roadmap_id=roadmap.id, plan_year=default_plan_year(roadmap, today), today=today)
    results = target_results(scope)
    assert len(results) == 6
    assert {r.met for r in results} >= {True, False}, [(r.measure_number, r.fact_text, r.met) for r in results]
    assert "выполнены, кроме:" in targets_sentence(results)
    # The СОО target of 6.7 counts that school's level total, and the report says so beside the share.
    report = monitoring_report(roadmap, scope)
    (senior,) = [m for s in report.sections for m in s.measures if m.number == "6.7"]
    assert senior.contingent_from_levels and senior.contingent is not None
    assert contingent_note(senior) == CONTINGENT_FROM_LEVELS_NOTE
    noted = [m.number for s in report.sections for m in s.measures if contingent_note(m)]
    assert noted == ["6.7"]  # 4.2's grades 8–9 are ООО, given by grade


def test_the_monitoring_order_says_the_reports_own_targets(targeted):
    from roadmap.reports.order import draft_order, order_context

    report = monitoring_report(targeted.roadmap, _scope(targeted))
    context = order_context(report)
    # The order's results carry the sentence every surface shows, and missed targets become orders.
    draft = draft_order(context)
    assert targets_sentence(report.targets) in draft.results
    assert {t.title.split()[0] for t in context.targets.missed} == {"1.1", "2.1"}
    assert any("1.1" in item for i in draft.instructions for item in i.items)
