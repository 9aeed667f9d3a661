"""Years side by side per measure and per section («в разрезе 3-х лет»).

The years are those of `queries.year_series` (this roadmap's earlier plan years, then those of
the roadmaps it continues: linked by rollover or chosen by hand as its predecessor). A measure of
an earlier roadmap is the same measure when its title reads the same, else when it has the same
number (rollover keeps both; a roadmap chosen by hand may have renumbered its rows). Figures are
the reports' own (`queries.classified`): one GROUP BY per roadmap and year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Measure, Section
from roadmap.reports import charts as chart_lib
from roadmap.reports.queries import (
    Figures,
    MonitoringReport,
    YearSummary,
    _figure_columns,
    _figures,
    classified,
)
from roadmap.reports.typography import format_int, format_percent, plan_year_with, round_half_up
from roadmap.russian import agree


def coverage_of(figures: Figures) -> int:
    return figures.coverage.total


def done_of(figures: Figures) -> int:
    return figures.done


# What the change sentences speak about: the subject (its gender picks the verb's form) and how
# a figure is read from Figures.
COVERAGE_SUBJECT = "охват участников"
DONE_SUBJECT = "количество выполненных задач"


def _key(text: str) -> str:
    return re.sub(r"[\s.,;:«»\"']+", " ", (text or "").casefold().replace("ё", "е")).strip()


@dataclass
class Trend:
    """One row's figures over the years, oldest first; None where the row did not exist."""

    number: str
    title: str
    values: list[Figures | None] = field(default_factory=list)
    measure_id: int | None = None
    section_id: int | None = None

    @property
    def heading(self) -> str:
        number = self.number.rstrip(".")
        return f"{number}. {self.title}" if number else self.title

    def series(self, getter) -> list[int | None]:
        return [None if f is None else getter(f) for f in self.values]

    def ratio_of_change(self, getter) -> float | None:
        """(new − old) / old against the year before, as a fraction (the XLSX's number); None
        when there is nothing to compare with."""
        if len(self.values) < 2:
            return None
        old, new = self.values[-2], self.values[-1]
        return change_ratio(None if old is None else getter(old), None if new is None else getter(new))

    def change(self, getter) -> str:
        """The change against the year before, signed: «+25,0 %», «−100,0 %»; «—» when there
        is nothing to compare with."""
        ratio = self.ratio_of_change(getter)
        if ratio is None:
            return "—"
        sign = "+" if ratio > 0 else ("−" if ratio < 0 else "")
        return sign + format_percent(abs(ratio), places=1)

    @property
    def has_history(self) -> bool:
        return sum(1 for f in self.values if f is not None and f.total) > 1


CHARTED_MEASURES = 3


@dataclass
class YearsSideBySide:
    years: list[YearSummary]  # oldest first; the last is the report's
    total: Trend
    sections: list[Trend]
    measures: list[Trend]

    @property
    def is_comparison(self) -> bool:
        return len(self.years) > 1

    def measures_of(self, section_id: int | None) -> list[Trend]:
        return [m for m in self.measures if m.section_id == section_id]

    def charted_measures(self) -> list[Trend]:
        """The measures drawn «в разрезе 3-х лет» on the page and in the DOCX: those with the most
        participants over the years (a picture costs a few tenths of a second to draw the first
        time); the table beside the charts has every measure."""
        with_history = [t for t in self.measures if t.has_history and any(f and f.coverage.total for f in t.values)]
        with_history.sort(key=lambda t: -sum(f.coverage.total for f in t.values if f is not None))
        return with_history[:CHARTED_MEASURES]


def _grouped(roadmap_id: int, scope, plan_year: int) -> tuple[dict[int, Figures], dict[int | None, Figures]]:
    """(measure id → Figures, section id → Figures) of a plan year, in one pass: a measure lies in
    one section, so a section's figures are the sum of its measures'."""
    c = classified(replace(scope, roadmap_id=roadmap_id, plan_year=plan_year, date_from=None, date_to=None)).c
    stmt = select(c.measure_id, c.section_id, *_figure_columns(c)).group_by(c.measure_id, c.section_id)
    by_measure: dict[int, Figures] = {}
    by_section: dict[int | None, Figures] = {}
    for row in db.session.execute(stmt):
        figures = _figures(row, start=2)
        by_measure[row.measure_id] = figures
        by_section.setdefault(row.section_id, Figures()).add(figures)
    return by_measure, by_section


def _rows(model, roadmap_id: int) -> list:
    columns = [model.id, model.number, model.title]
    stmt = select(*columns).where(model.roadmap_id == roadmap_id)
    if model is Measure:
        stmt = stmt.where(Measure.is_removed.is_(False))
    return list(db.session.execute(stmt))


def match_rows(current: list, earlier: list) -> dict[int, int]:
    """current row id → earlier row id: by the same title first, then by the same number."""
    by_title: dict[str, int] = {}
    by_number: dict[str, int] = {}
    for row in earlier:
        by_title.setdefault(_key(row.title), row.id)
        by_number.setdefault(row.number.strip().rstrip("."), row.id)
    matched: dict[int, int] = {}
    used: set[int] = set()
    for row in current:
        found = by_title.get(_key(row.title))
        if found is not None and found not in used:
            matched[row.id] = found
            used.add(found)
    for row in current:
        if row.id in matched:
            continue
        found = by_number.get(row.number.strip().rstrip("."))
        if found is not None and found not in used:
            matched[row.id] = found
            used.add(found)
    return matched


def years_side_by_side(report: MonitoringReport) -> YearsSideBySide:
    """Every measure and section of `report` next to its figures of up to two earlier plan
    years. The report's own year is the last column, with the report's figures."""
    roadmap = report.roadmap
    scope = report.scope
    whole_year = scope.plan_year is not None and scope.date_from is None and scope.date_to is None
    years = list(report.years) if whole_year else []
    if not years or years[-1].plan_year != report.scope.plan_year:
        years = []
    sections = [Trend(s.number, s.title, section_id=s.id) for s in report.sections if s.id is not None or s.measures]
    measures = [Trend(m.number, m.title, measure_id=m.id, section_id=m.section_id) for m in report.measures]
    total = Trend("", "Итого по дорожной карте")
    if not years:
        return YearsSideBySide([], total, sections, measures)
    current_measures = _rows(Measure, roadmap.id)
    current_sections = _rows(Section, roadmap.id)
    for year in years:
        if year.roadmap_id == roadmap.id and year.plan_year == report.scope.plan_year:
            by_measure = {m.id: m.figures for m in report.measures}
            by_section = {s.id: s.figures for s in report.sections}
            measure_link = {m.id: m.id for m in current_measures}
            section_link = {s.id: s.id for s in current_sections}
        else:
            by_measure, by_section = _grouped(year.roadmap_id, report.scope, year.plan_year)
            if year.roadmap_id == roadmap.id:
                measure_link = {m.id: m.id for m in current_measures}
                section_link = {s.id: s.id for s in current_sections}
            else:
                measure_link = match_rows(current_measures, _rows(Measure, year.roadmap_id))
                section_link = match_rows(current_sections, _rows(Section, year.roadmap_id))
        for trend in measures:
            linked = measure_link.get(trend.measure_id)
            trend.values.append(by_measure.get(linked) if linked is not None else None)
        for trend in sections:
            linked = section_link.get(trend.section_id) if trend.section_id is not None else None
            trend.values.append(by_section.get(linked) if linked is not None else None)
        total.values.append(year.figures)
    return YearsSideBySide(years, total, sections, measures)


# --------------------------------------------------------------------------- words


def comparison_title(years: list[YearSummary]) -> str:
    """«Сравнительный анализ в разрезе 3-х лет: 2024 – 2026» (the DOCX's heading, the XLSX's title)."""
    return f"Сравнительный анализ в разрезе {len(years)}-х лет: {years[0].label} – {years[-1].label}"


def change_ratio(old: int | None, new: int | None) -> float | None:
    """(new − old) / old; None when there is nothing to compare with."""
    if old is None or new is None or old == 0:
        return None
    return (new - old) / old


def change_sentence(subject: str, old: int | None, new: int | None, earlier: YearSummary) -> str:
    """«охват участников уменьшился на 27,3 % по сравнению с 2024/2025 учебным годом».

    The verb agrees with `subject` (roadmap.russian.agree); the percentage is the report's
    typography (one decimal, a non-breaking space before the sign)."""
    against = f"по сравнению с {plan_year_with(earlier.plan_year, earlier.year_type)}"
    if old is None or new is None:
        return ""
    if old == 0:
        if new == 0:
            return f"{subject} {agree(subject, 'не изменился', 'не изменилась', 'не изменилось', 'не изменились')} {against}"
        return f"{subject} — {format_int(new)} (в {plan_year_with(earlier.plan_year, earlier.year_type, case='prepositional')} — 0)"
    ratio = change_ratio(old, new)
    rounded = round_half_up(abs(ratio) * 100, 1)
    if rounded == Decimal(0):
        verb = agree(subject, "не изменился", "не изменилась", "не изменилось", "не изменились")
        return f"{subject} {verb} {against}"
    if ratio > 0:
        verb = agree(subject, "увеличился", "увеличилась", "увеличилось", "увеличились")
    else:
        verb = agree(subject, "уменьшился", "уменьшилась", "уменьшилось", "уменьшились")
    return f"{subject} {verb} на {format_percent(abs(ratio), places=1)} {against}"


def trend_sentences(trend: Trend, years: list[YearSummary]) -> list[str]:
    """The change of coverage and of tasks done against the year before, as sentences."""
    if len(years) < 2 or len(trend.values) < 2:
        return []
    old, new = trend.values[-2], trend.values[-1]
    if old is None or new is None or not old.total:
        return []
    sentences = []
    for subject, getter in ((COVERAGE_SUBJECT, lambda f: f.coverage.total), (DONE_SUBJECT, lambda f: f.done)):
        text = change_sentence(subject, getter(old), getter(new), years[-2])
        if text:
            sentences.append(text[0].upper() + text[1:] + ".")
    return sentences


# --------------------------------------------------------------------------- charts


def trend_chart(trend: Trend, years: list[YearSummary], *, key: str | None = None) -> chart_lib.Chart:
    """Columns per year: the participants of `trend` (students, parents, teachers, others),
    «Сравнительный анализ … в разрезе 3-х лет»."""
    labels = [y.label for y in years]
    parts = ("students", "parents", "teachers", "other")
    values = {name: [] for name in parts}
    totals, descriptions = [], []
    for label, figures in zip(labels, trend.values, strict=True):
        c = figures.coverage if figures is not None else None
        for name in parts:
            values[name].append(float(getattr(c, name)) if c is not None else 0.0)
        totals.append(format_int(c.total) if c is not None else "—")
        descriptions.append(f"{label}: {format_int(c.total) if c is not None else 'мероприятия не было'}")
    span = f"в разрезе {len(years)}-х лет" if len(years) > 1 else "за год"
    return chart_lib.Chart(
        key=key or f"trend-{trend.measure_id or trend.section_id or 'total'}",
        title=f"Сравнительный анализ охвата участников: {trend.heading} {span}",
        description="Охват участников, чел.: " + "; ".join(descriptions),
        categories=tuple(labels),
        series=tuple(
            chart_lib.Series(chart_lib.COVERAGE_NAMES[n], chart_lib.COVERAGE_COLORS[n], tuple(values[n])) for n in parts
        ),
        horizontal=False,
        labels=tuple(totals),
    )
