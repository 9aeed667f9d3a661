"""The region's summary of a roadmap: municipalities ranked by completion and by coverage, and the
measures × municipalities matrix. Every figure is roadmap.reports.queries' (municipality_cells and
municipality_figures over the same classified tasks as every report), so a municipality's row
equals its own dashboard's totals, and the rows add up to the roadmap's."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select, true

from roadmap.extensions import db
from roadmap.models import Measure, Municipality, Roadmap
from roadmap.reports import queries as report_queries
from roadmap.reports.queries import Cell, Figures, MunicipalityFigures, Scope
from roadmap.russian import natural_key

# The row of the organizations that belong to the region itself (the ministry, regional colleges
# and universities): not a municipality, so neither ranked nor drilled into.
REGION_OWN_NAME = "Организации регионального подчинения"
REGION_OWN_SHORT = "Региональные организации"  # where space is short: matrix columns, sheet names


@dataclass
class MunicipalityRow:
    id: int | None  # None: the region's own organizations
    name: str
    oktmo: str | None
    data: MunicipalityFigures
    place_done: int | None = None  # 1 is the best; None: not ranked (nothing applicable, or region-level)
    place_coverage: int | None = None

    @property
    def figures(self) -> Figures:
        return self.data.figures

    @property
    def short_name(self) -> str:
        return self.name if self.id is not None else REGION_OWN_SHORT

    @property
    def has_work(self) -> bool:
        return self.figures.applicable > 0


@dataclass(frozen=True)
class MatrixMeasure:
    id: int
    number: str
    title: str


@dataclass
class RegionDashboard:
    roadmap: Roadmap
    scope: Scope
    municipalities: list[MunicipalityRow]  # in name order (the matrix's columns)
    region_own: MunicipalityRow | None
    measures: list[MatrixMeasure]
    cells: dict[tuple[int, int | None], Cell]
    summary: Figures = field(default_factory=Figures)

    @property
    def ranked_by_done(self) -> list[MunicipalityRow]:
        """Best completion first (then tasks done on time, then name); those with nothing applicable last."""
        return sorted(self.municipalities, key=lambda m: (m.place_done is None, m.place_done or 0, natural_key(m.name)))

    @property
    def ranked_by_coverage(self) -> list[MunicipalityRow]:
        """Largest share of the contingent first; those without a share (no figures) last."""
        return sorted(
            self.municipalities, key=lambda m: (m.place_coverage is None, m.place_coverage or 0, natural_key(m.name))
        )

    @property
    def rows(self) -> list[MunicipalityRow]:
        """Every row with tasks, the region's own included: what the figures add up over."""
        return [m for m in self.municipalities if m.figures.total] + ([self.region_own] if self.region_own else [])


def _rank(rows: list[MunicipalityRow]) -> None:
    """The places by completion (the executors' ranking rule) and by coverage."""
    by_done = sorted((r for r in rows if r.has_work), key=lambda r: report_queries.completion_rank(r.figures, r.name))
    for place, row in enumerate(by_done, start=1):
        row.place_done = place
    by_coverage = sorted(
        (r for r in rows if r.has_work and r.data.coverage_share is not None),
        key=lambda r: (-r.data.coverage_share, natural_key(r.name)),
    )
    for place, row in enumerate(by_coverage, start=1):
        row.place_coverage = place


def region_dashboard(roadmap: Roadmap, scope: Scope) -> RegionDashboard:
    """The region's summary of `roadmap` for `scope` (its municipality_id is ignored: every
    municipality). Seven queries whatever the number of municipalities, organizations or tasks."""
    if scope.municipality_id is not None:
        scope = replace(scope, municipality_id=None)
    grid = report_queries.municipality_cells(scope)
    by_place = report_queries.municipality_figures(scope, grid)
    # A regional roadmap lists every municipality, those without tasks too (the region sees who
    # has nothing to do); a municipal one only those its tasks reach.
    known = {place for place in by_place if place is not None}
    wanted = true() if roadmap.municipality_id is None else Municipality.id.in_(known or {-1})
    places = db.session.execute(
        select(Municipality.id, Municipality.name, Municipality.oktmo).where(wanted).order_by(Municipality.sort_key)
    ).all()
    municipalities = [
        MunicipalityRow(p.id, p.name, p.oktmo, by_place.get(p.id) or MunicipalityFigures(p.id)) for p in places
    ]
    _rank(municipalities)
    region_own = MunicipalityRow(None, REGION_OWN_NAME, None, by_place[None]) if None in by_place else None

    measure_ids = {measure_id for measure_id, _place in grid}
    measures = [
        MatrixMeasure(row.id, row.number, row.title)
        for row in db.session.execute(
            select(Measure.id, Measure.number, Measure.title)
            .where(Measure.id.in_(measure_ids or {-1}))
            .order_by(Measure.position, Measure.id)
        )
    ]
    summary = Figures()
    for data in by_place.values():
        summary.add(data.figures)
    return RegionDashboard(roadmap, scope, municipalities, region_own, measures, grid, summary)
