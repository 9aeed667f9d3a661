"""Charts as pure functions: data → a chart description → SVG text (web) or PNG bytes (DOCX).

Both renderers draw the same `Chart`, so the dashboard and the Word report show one picture.
The SVG is self-contained: no scripts, no external fonts, no inline `style` attributes (the
Content-Security-Policy forbids them), a <title> and <desc> for screen readers and text labels
on every bar, so nothing is told by colour alone. Every piece of text is escaped.

PNG rendering uses matplotlib's Agg backend (it ships the DejaVu Sans font, which has Cyrillic);
it is imported only when a PNG is asked for.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Protocol

from roadmap.reports.typography import format_int, format_percent, month_label
from roadmap.russian import truncate
from roadmap.tasks.state import TIMELINESS_LABELS, WORKFLOW_SHORT_LABELS, Workflow, timeliness_named

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"

OUTCOME_COLORS = {
    "on_time": "#198754",
    "late": "#ffc107",
    "not_applicable": "#adb5bd",
    "overdue": "#dc3545",
    "open": "#9ec5fe",
}
# Named as everywhere else (roadmap.tasks.state).
OUTCOME_NAMES = {
    name: TIMELINESS_LABELS[timeliness_named(name)] if timeliness_named(name) else WORKFLOW_SHORT_LABELS[Workflow(name)]
    for name in OUTCOME_COLORS
}
# The workflow axis; timeliness (overdue) is the progress chart's.
STATUS_COLORS = {
    "planned": "#6c757d",
    "returned": "#fd7e14",
    "submitted": "#0d6efd",
    "accepted": "#198754",
    "not_applicable": "#adb5bd",
}
# Bars in this order.
STATUS_NAMES = {name: WORKFLOW_SHORT_LABELS[Workflow(name)] for name in STATUS_COLORS}
COVERAGE_COLORS = {"students": "#0d6efd", "parents": "#20c997", "teachers": "#6f42c1", "other": "#adb5bd"}
COVERAGE_NAMES = {"students": "обучающиеся", "parents": "родители", "teachers": "педагоги", "other": "прочие"}


class Outcomes(Protocol):
    """What a chart reads of `roadmap.reports.queries.Figures`."""

    on_time: int
    late: int
    overdue: int
    open: int
    not_applicable: int
    total: int
    done: int
    reported: int
    applicable: int
    done_ratio: float | None


class CoverageLike(Protocol):
    """What a chart reads of `roadmap.reports.queries.Coverage`."""

    total: int
    students: int
    parents: int
    teachers: int
    other: int


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """What to draw. Horizontal charts have a bar per category; vertical ones a column."""

    key: str
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    horizontal: bool = True
    percent: bool = False  # values are percentages: the axis runs 0..100
    labels: tuple[str, ...] = ()  # text after each bar / above each column
    point_colors: tuple[str, ...] = ()  # one series coloured per category (status distribution)
    empty_text: str = "Нет данных за выбранный период"
    legend: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)

    @property
    def element_id(self) -> str:
        digest = hashlib.sha1(repr((self.title, self.categories)).encode()).hexdigest()[:8]
        return f"chart-{self.key}-{digest}"


# --------------------------------------------------------------------------- chart builders


def progress_by_section(rows: Sequence[tuple[str, Outcomes]]) -> Chart:
    """Stacked bars, one per section: the share of its tasks by outcome."""
    order = ("on_time", "late", "not_applicable", "overdue", "open")
    categories, labels, descriptions = [], [], []
    values: dict[str, list[float]] = {name: [] for name in order}
    for label, figures in rows:
        categories.append(label)
        total = figures.total
        for name in order:
            values[name].append(100 * getattr(figures, name) / total if total else 0)
        done, applicable, ratio = figures.done, figures.applicable, figures.done_ratio
        labels.append(f"{done} из {applicable} ({format_percent(ratio)})")
        descriptions.append(
            f"{label}: выполнено {done} из {applicable} ({format_percent(ratio)}), включая на проверке "
            f"{figures.reported}: в срок {figures.on_time}, с опозданием {figures.late}; "
            f"просрочено {figures.overdue}, срок не наступил {figures.open}, не применимо {figures.not_applicable}"
        )
    return Chart(
        key="progress",
        title="Исполнение мероприятий по разделам",
        description="; ".join(descriptions) or "Нет задач",
        categories=tuple(categories),
        series=tuple(Series(OUTCOME_NAMES[n], OUTCOME_COLORS[n], tuple(values[n])) for n in order),
        percent=True,
        labels=tuple(labels),
    )


def status_distribution(counts: Mapping[str, int]) -> Chart:
    """One bar per status with its count."""
    names = [name for name in STATUS_NAMES if name in counts]
    total = sum(counts[n] for n in names)
    labels = tuple(f"{format_int(counts[n])} ({format_percent(counts[n] / total if total else None)})" for n in names)
    return Chart(
        key="statuses",
        title="Задачи по статусам",
        description="; ".join(f"{STATUS_NAMES[n]}: {counts[n]}" for n in names) + f". Всего задач: {total}",
        categories=tuple(STATUS_NAMES[n] for n in names),
        series=(Series("задач", "#0d6efd", tuple(float(counts[n]) for n in names)),),
        labels=labels,
        point_colors=tuple(STATUS_COLORS[n] for n in names),
        legend=False,
    )


def coverage_by_month(rows: Sequence[tuple[int, int, CoverageLike]]) -> Chart:
    """Columns per month, stacked by category of participants; the total above each column."""
    order = ("students", "parents", "teachers", "other")
    categories, labels, descriptions = [], [], []
    values: dict[str, list[float]] = {name: [] for name in order}
    for year, month, coverage in rows:
        parts = {
            "students": coverage.students,
            "parents": coverage.parents,
            "teachers": coverage.teachers,
            "other": coverage.other,
        }
        categories.append(month_label(year, month, short=True))
        for name in order:
            values[name].append(float(parts[name]))
        total = sum(parts.values())
        labels.append(format_int(total))
        descriptions.append(
            f"{month_label(year, month)}: {format_int(total)} чел."
            f" (обучающихся {parts['students']}, родителей {parts['parents']}, педагогов {parts['teachers']},"
            f" прочих {parts['other']})"
        )
    return Chart(
        key="coverage",
        title="Охват участников по месяцам",
        description="; ".join(descriptions) or "Нет отчётов с охватом",
        categories=tuple(categories),
        series=tuple(Series(COVERAGE_NAMES[n], COVERAGE_COLORS[n], tuple(values[n])) for n in order),
        horizontal=False,
        labels=tuple(labels),
    )


def executors_ranked(rows: Sequence[tuple[str, int, int]], *, limit: int = 15) -> Chart:
    """Executors by completion, best first: rows of (name, done, applicable), already ranked."""
    shown = list(rows[:limit])
    title = "Исполнение по организациям"
    if len(rows) > limit:
        title += f" (первые {limit} из {len(rows)})"
    ratios = [done / applicable if applicable else 0.0 for _name, done, applicable in shown]
    return Chart(
        key="executors",
        title=title,
        description="; ".join(
            f"{name}: {done} из {applicable} ({format_percent(r)})"
            for (name, done, applicable), r in zip(shown, ratios, strict=True)
        )
        or "Нет исполнителей",
        categories=tuple(name for name, _done, _applicable in shown),
        series=(Series("выполнено", "#198754", tuple(100 * r for r in ratios)),),
        percent=True,
        labels=tuple(
            f"{done} из {applicable} ({format_percent(r)})"
            for (_name, done, applicable), r in zip(shown, ratios, strict=True)
        ),
        legend=False,
    )


# --------------------------------------------------------------------------- SVG


WIDTH = 760
CHAR_WIDTH = 6.6  # average width of a 12px sans-serif glyph
LABEL_CHAR_WIDTH = 7.4  # generous: capitals of Cyrillic abbreviations ("МБОУ СОШ") are wide
ROW = 26
BAR = 16


def _nice_tick(raw: float) -> float:
    """The smallest "round" step (1, 2, 2.5, 5 × 10^k; whole numbers only) not below `raw`."""
    if raw <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    return next(step * magnitude for step in steps if raw <= step * magnitude)


def _scale_max(chart: Chart) -> float:
    """The axis end: 100 for percentages, else four round ticks covering the largest bar."""
    if chart.percent:
        return 100.0
    totals = [sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))]
    return 4 * _nice_tick(max(totals, default=0) / 4)


def _ticks(chart: Chart, top: float) -> list[float]:
    return [top * i / 4 for i in range(5)]


def _tick_label(chart: Chart, value: float) -> str:
    if chart.percent:
        return f"{value:.0f}\u00a0%"
    return format_int(int(value)) if value == int(value) else f"{value:g}"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def text(self, x: float, y: float, content: str, *, size: int = 12, anchor: str = "start", **attrs) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_attr(v)}"' for k, v in attrs.items())
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str, title: str | None = None) -> None:
        inner = f"<title>{escape(title)}</title>" if title else ""
        self.add(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{_attr(fill)}">'
            f"{inner}</rect>"
            if inner
            else f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{_attr(fill)}"/>'
        )


def _legend(svg: _Svg, chart: Chart, y: float) -> float:
    if not chart.legend or len(chart.series) < 2:
        return y
    x = 10.0
    for series in chart.series:
        width = 14 + 6 + len(series.name) * CHAR_WIDTH + 18
        if x + width > WIDTH - 10:
            x, y = 10.0, y + 18
        svg.rect(x, y - 10, 12, 12, series.color)
        svg.text(x + 18, y, series.name)
        x += width
    return y + 22


def _value_text(chart: Chart, value: float) -> str:
    return format_percent(value / 100, places=0) if chart.percent else format_int(int(round(value)))


def to_svg(chart: Chart) -> str:
    """SVG markup for `chart`, safe to embed with `|safe` (all text escaped)."""
    ident = chart.element_id
    svg = _Svg()
    y = 22.0
    svg.text(10, y, chart.title, size=15, font_weight="bold")
    y += 22
    if chart.is_empty:
        svg.text(10, y + 8, chart.empty_text, size=13, fill="#495057")
        height = y + 24
    elif chart.horizontal:
        height = _horizontal(svg, chart, _legend(svg, chart, y))
    else:
        height = _vertical(svg, chart, _legend(svg, chart, y))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{_attr(FONT)}" fill="#212529" class="chart-svg">'
        f'<title id="{ident}-title">{escape(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>'
    )
    return head + "".join(svg.parts) + "</svg>"


def _horizontal(svg: _Svg, chart: Chart, top: float) -> float:
    longest = max((len(c) for c in chart.categories), default=0)
    label_width = 10 + min(270.0, max(70.0, longest * LABEL_CHAR_WIDTH))
    value_width = max((len(label) for label in chart.labels), default=0) * CHAR_WIDTH + 16
    x0 = label_width + 8
    plot = max(120.0, WIDTH - x0 - value_width - 10)
    scale_top = _scale_max(chart)
    rows = len(chart.categories)
    bottom = top + rows * ROW
    for tick in _ticks(chart, scale_top):
        x = x0 + plot * tick / scale_top
        svg.add(f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#dee2e6"/>')
        svg.text(x, bottom + 14, _tick_label(chart, tick), size=10, anchor="middle", fill="#495057")
    max_chars = round((label_width - 10) / LABEL_CHAR_WIDTH)
    for i, category in enumerate(chart.categories):
        y = top + i * ROW
        shown = truncate(category, max_chars)
        svg.add("<g>")
        if shown != category:
            svg.add(f"<title>{escape(category)}</title>")
        svg.text(label_width, y + BAR - 3, shown, anchor="end")
        x = x0
        for series in chart.series:
            value = series.values[i]
            if value <= 0:
                continue
            width = plot * value / scale_top
            color = chart.point_colors[i] if chart.point_colors else series.color
            svg.rect(x, y + 2, width, BAR, color, f"{category} — {series.name}: {_value_text(chart, value)}")
            x += width
        if chart.labels:
            svg.text(x + 6, y + BAR - 3, chart.labels[i], size=11)
        svg.add("</g>")
    return bottom + 26


def _vertical(svg: _Svg, chart: Chart, top: float) -> float:
    plot_height = 200.0
    x0, right = 60.0, WIDTH - 10
    count = len(chart.categories)
    slot = (right - x0) / count
    bar = min(48.0, slot * 0.7)
    scale_top = _scale_max(chart)
    label_room = 16.0 if chart.labels else 0.0
    base = top + label_room + plot_height
    for tick in _ticks(chart, scale_top):
        y = base - plot_height * tick / scale_top
        svg.add(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        svg.text(x0 - 6, y + 4, _tick_label(chart, tick), size=10, anchor="end", fill="#495057")
    small = slot < 56
    for i, category in enumerate(chart.categories):
        cx = x0 + slot * i + slot / 2
        svg.add("<g>")
        y = base
        for series in chart.series:
            value = series.values[i]
            if value <= 0:
                continue
            height = plot_height * value / scale_top
            y -= height
            svg.rect(
                cx - bar / 2, y, bar, height, series.color, f"{category} — {series.name}: {_value_text(chart, value)}"
            )
        if chart.labels:
            svg.text(cx, y - 4, chart.labels[i], size=10 if small else 11, anchor="middle")
        svg.text(cx, base + 14, category, size=9 if small else 11, anchor="middle")
        svg.add("</g>")
    return base + 28


# --------------------------------------------------------------------------- PNG


def to_png(chart: Chart, *, width_in: float = 9.5, dpi: int = 150, title: bool = True) -> bytes:
    """PNG bytes of the same chart, for the Word report (`title=False` when a caption under the
    picture names it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = max(1, len(chart.categories))
    if chart.horizontal:
        height_in = 1.2 + 0.32 * rows + (0.3 if chart.legend and len(chart.series) > 1 else 0)
    else:
        height_in = 3.6
    if not title:
        height_in -= 0.3
    figure = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if title:
        axes.set_title(chart.title, fontsize=12, fontweight="bold", loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if chart.is_empty:
        axes.set_axis_off()
        axes.text(0.0, 0.5, chart.empty_text, fontsize=11, transform=axes.transAxes)
    elif chart.horizontal:
        _png_horizontal(axes, chart)
    else:
        _png_vertical(axes, chart)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def _png_horizontal(axes, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    lefts = [0.0] * len(positions)
    for series in chart.series:
        colors = list(chart.point_colors) if chart.point_colors else series.color
        axes.barh(positions, series.values, left=lefts, color=colors, label=series.name, height=0.6)
        lefts = [left + value for left, value in zip(lefts, series.values, strict=True)]
    axes.set_yticks(positions, [truncate(c, 45) for c in chart.categories], fontsize=8)
    axes.invert_yaxis()
    top = _scale_max(chart)
    axes.set_xlim(0, top * 1.3)
    ticks = _ticks(chart, top)
    axes.set_xticks(ticks, [_tick_label(chart, t) for t in ticks], fontsize=8)
    for position, left, label in zip(positions, lefts, chart.labels or [""] * len(positions), strict=True):
        axes.text(left + top * 0.01, position, label, va="center", fontsize=8)
    if chart.legend and len(chart.series) > 1:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(chart.series), fontsize=8, frameon=False)


def _png_vertical(axes, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    bottoms = [0.0] * len(positions)
    for series in chart.series:
        axes.bar(positions, series.values, bottom=bottoms, color=series.color, label=series.name, width=0.6)
        bottoms = [b + v for b, v in zip(bottoms, series.values, strict=True)]
    axes.set_xticks(positions, list(chart.categories), fontsize=8, rotation=45 if len(positions) > 8 else 0)
    top = _scale_max(chart)
    axes.set_ylim(0, top * 1.12)
    ticks = _ticks(chart, top)
    axes.set_yticks(ticks, [_tick_label(chart, t) for t in ticks], fontsize=8)
    for position, bottom, label in zip(positions, bottoms, chart.labels or [""] * len(positions), strict=True):
        axes.text(position, bottom + top * 0.01, label, ha="center", va="bottom", fontsize=8)
    if chart.legend and len(chart.series) > 1:
        axes.legend(loc="upper left", ncol=len(chart.series), fontsize=8, frameon=False)


@dataclass
class ChartSet:
    """The four report charts, in display order."""

    charts: list[Chart] = field(default_factory=list)

    def svg(self) -> dict[str, str]:
        return {chart.key: to_svg(chart) for chart in self.charts}
