"""Charts: data → a chart description (`Chart`, pure) → one matplotlib figure → SVG for the
pages, PNG for the Word report. One drawing, so the dashboard and the document show one picture.

The page's SVG is self-contained and fit for the Content-Security-Policy: no scripts, no
external fonts, no `style` attributes or elements (matplotlib's are turned into presentation
attributes), text kept as escaped text, a <title> and <desc> for screen readers and a text label
on every bar, so nothing is told by colour alone.

matplotlib is imported on first use (or ahead of time by `warm_up`, which the gunicorn master
calls so no request pays for the import); its font cache goes to the instance folder where the
home has no writable cache (it was rebuilt at every start there). One figure is drawn at a time
(matplotlib's font objects are shared between threads). Both
outputs use the document's typeface: Times New Roman where it is installed, else a
metric-compatible one (Liberation Serif, Tinos), else DejaVu Serif, which matplotlib ships.
A figure is drawn once per distinct chart (an LRU cache; for the PNG also Redis, shared by every
worker: roadmap.reports.pictures): a page or report shown again is cheap.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import os
import re
import threading
import xml.etree.ElementTree as ET  # noqa: N817 (parses matplotlib's own output only)
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from roadmap.reports.typography import format_int, format_percent, month_label
from roadmap.russian import truncate
from roadmap.tasks.state import TIMELINESS_LABELS, WORKFLOW_SHORT_LABELS, Workflow, timeliness_named

# The DOCX's typeface first, then its metric-compatible stand-ins; DejaVu Serif ships with matplotlib.
SERIF_FONTS = ("Times New Roman", "Liberation Serif", "Tinos", "Nimbus Roman", "DejaVu Serif")
FONT = ", ".join(f"'{name}'" for name in SERIF_FONTS) + ", serif"
PNG_DPI = 120

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


# --------------------------------------------------------------------------- axes


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


# --------------------------------------------------------------------------- layout
# The margins come from the chart description and the measured width of its labels, not from
# matplotlib's tight layout, which lays out and measures every artist of the figure once more
# before it is drawn (a quarter of a chart's drawing time). In points; the constants are
# matplotlib's defaults that the drawing uses.
LABEL_PT = 8  # tick labels, bar labels and legend
TITLE_PT = 12
EDGE_PT = 1.08 * 10  # tight layout's pad: 1.08 × the default font size, around the figure
TICK_LENGTH_PT, TICK_WIDTH_PT = 3.5, 0.8  # xtick.major.size and .width
TICK_PT = TICK_LENGTH_PT + 3.5  # tick length + its label's pad
TITLE_GAP_PT = 6  # axes.titlepad
# The legend as matplotlib's (legend.* defaults, in ems of its font) without a frame: a swatch and
# a name per series in one row, inside a border pad, that far from its anchor.
LEGEND_PAD_PT = 0.4 * LABEL_PT  # legend.borderpad
LEGEND_ANCHOR_PT = 0.5 * LABEL_PT  # legend.borderaxespad
SWATCH_PT = (2.0 * LABEL_PT, 0.7 * LABEL_PT)  # legend.handlelength × legend.handleheight
SWATCH_GAP_PT = 0.8 * LABEL_PT  # legend.handletextpad
COLUMN_GAP_PT = 2.0 * LABEL_PT  # legend.columnspacing
# A legend's row: the text, its border pad above and below and its pad to the anchor.
LEGEND_PT = LABEL_PT * 1.2 + 2 * LEGEND_PAD_PT + LEGEND_ANCHOR_PT
LEGEND_GAP_PT = 4  # between the horizontal chart's tick labels and the legend under them


@functools.lru_cache(maxsize=1024)
def _text_size(text: str, size: float, bold: bool = False) -> tuple[float, float, float]:
    """(width, height, descent) in points of one line of text in the charts' typeface."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size, weight="bold" if bold else "normal"), ismath=False
    )


def _widest(texts, size: float = LABEL_PT) -> float:
    return max((_text_size(text, size)[0] for text in texts), default=0.0)


def _tallest(texts, size: float = LABEL_PT) -> float:
    return max((_text_size(text, size)[1] for text in texts), default=0.0)


def _margins(chart: Chart, width_in: float, height_in: float, title: bool) -> dict[str, float]:
    """subplots_adjust's fractions: room for the tick labels, the title and the legend."""
    width, height = width_in * 72, height_in * 72
    ticks = [_tick_label(chart, t) for t in _ticks(chart, _scale_max(chart))]
    top = EDGE_PT + (TITLE_GAP_PT + _text_size(chart.title, TITLE_PT, True)[1] if title else 0)
    right = EDGE_PT
    if chart.is_empty:
        left, bottom = EDGE_PT, EDGE_PT
    elif chart.horizontal:
        left = EDGE_PT + TICK_PT + _widest(_category_labels(chart))
        bottom = EDGE_PT + _legend_drop(chart) + (LEGEND_PT if _legend_below(chart) else 0)
    else:
        left = EDGE_PT + TICK_PT + _widest(ticks)
        labels = _category_labels(chart)
        if _rotated(chart):
            extent = (_widest(labels) + _tallest(labels)) * math.sqrt(0.5)
        else:
            extent = _tallest(labels)
        bottom = EDGE_PT + TICK_PT + extent
    left = min(left, 0.45 * width)  # a very long label is cut by the edge, not the chart squeezed away
    return {"left": left / width, "right": 1 - right / width, "bottom": bottom / height, "top": 1 - top / height}


def _legend_below(chart: Chart) -> bool:
    return chart.horizontal and chart.legend and len(chart.series) > 1


def _legend_drop(chart: Chart) -> float:
    """Points from the horizontal chart's axis down to the top of its legend: under the ticks."""
    ticks = [_tick_label(chart, t) for t in _ticks(chart, _scale_max(chart))]
    return TICK_PT + _tallest(ticks) + LEGEND_GAP_PT


def _category_labels(chart: Chart) -> list[str]:
    if chart.horizontal:
        return [truncate(c, 45) for c in chart.categories]
    return list(chart.categories)


def _rotated(chart: Chart) -> bool:
    return len(chart.categories) > 8


# --------------------------------------------------------------------------- rendering (matplotlib)


def _matplotlib_config_dir() -> None:
    """matplotlib keeps its font cache in MPLCONFIGDIR (default ~/.config/matplotlib); where the
    service user has no writable home it rebuilt the cache on every start, seconds each time."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    home = os.path.expanduser("~")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    if os.access(cache, os.W_OK) or (not os.path.exists(cache) and os.access(home, os.W_OK)):
        return  # matplotlib's own place works and is shared by every instance
    try:
        from flask import current_app

        path = os.path.join(current_app.instance_path, "matplotlib")
    except (ImportError, RuntimeError):  # no application: matplotlib's own default
        return
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return
    os.environ["MPLCONFIGDIR"] = path


@functools.cache
def _matplotlib():
    """(Figure, FigureCanvasAgg), imported once, with the serif typefaces set up."""
    _matplotlib_config_dir()
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    installed = {font.name for font in font_manager.fontManager.ttflist}
    matplotlib.rcParams["font.family"] = "serif"
    matplotlib.rcParams["font.serif"] = [name for name in SERIF_FONTS if name in installed] or ["DejaVu Serif"]
    return Figure, FigureCanvasAgg


_warm_up_started = threading.Lock()
_DRAWING = threading.RLock()


def warm_up_in_background() -> None:
    """`warm_up` in a thread, once per process: the first request of a server started without
    gunicorn's master (flask run, tests' live servers) sets it going, so by the time someone
    opens a page with charts the renderer is ready."""
    if _warm_up_started.acquire(blocking=False):
        threading.Thread(target=warm_up, name="charts-warm-up", daemon=True).start()


def warm_up() -> None:
    """Import matplotlib and draw one tiny chart, and import the office writers (python-docx,
    openpyxl: about a second more), so the first report does not wait for them."""
    with contextlib.suppress(ImportError):
        to_png(status_distribution({"planned": 1}), width_in=3, dpi=20)
    import importlib

    for module in ("roadmap.reports.analysis_docx", "roadmap.reports.xlsx", "roadmap.reports.csv"):
        importlib.import_module(module)


@functools.lru_cache(maxsize=64)
def to_png(chart: Chart, *, width_in: float = 9.5, dpi: int = PNG_DPI, title: bool = True) -> bytes:
    """PNG bytes of the chart, for the Word report (`title=False` when a caption under the
    picture names it). The same chart (same figures) is drawn once: in this process (an LRU)
    and, with Redis, in every process (roadmap.reports.pictures, keyed by the chart's data)."""
    from roadmap.reports.pictures import picture_key, shared_pictures

    store = shared_pictures()
    key = picture_key(repr((chart, width_in, dpi, title))) if store is not None else ""
    picture = store.get(key) if store is not None else None
    if picture is None:
        picture = _draw_png(chart, width_in, dpi, title)
        if store is not None:
            store.put(key, picture)
    return picture


def _draw_png(chart: Chart, width_in: float, dpi: int, title: bool) -> bytes:
    with _DRAWING:
        # Laid out at the resolution it is saved in: the text measured for the layout is
        # measured once, not again for the picture.
        return _png(_figure(chart, width_in, title, dpi=dpi, reuse=True))


# zlib's fast levels (1-3) take half the time of matplotlib's 6 on these flat-coloured pictures,
# for a few per cent more bytes (as many as before, with the alpha channel gone).
PNG_COMPRESS_LEVEL = 3


def _png(figure) -> bytes:
    """The figure drawn as an RGB PNG at its own resolution. Not savefig's RGBA: the figure is
    opaque white under everything, so the alpha channel is 255 throughout and only costs
    compressing a quarter more bytes (a third of savefig's time went into the encoder)."""
    from PIL import Image

    canvas = figure.canvas
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(figure.dpi, figure.dpi))
    return out.getvalue()


# PNG figures kept by size and resolution, cleared for the next chart of that size: a figure's
# canvas keeps its renderer, and matplotlib measures a text once per renderer, so the tick
# labels, titles and legends a report draws again are not measured again. Used under _DRAWING.
_PNG_FIGURES: dict[tuple[float, float, int], object] = {}
_PNG_FIGURES_KEPT = 32


def _blank_axes(width_in: float, height_in: float, dpi: int, *, reuse: bool):
    """The figure's one axes, with nothing drawn on it. A kept figure's axes is emptied rather than
    made anew (a new axes, or Axes.clear(), builds its two axis objects again: a quarter of the
    drawing); what a chart sets on it (limits, title, margins) every chart sets."""
    Figure, FigureCanvasAgg = _matplotlib()  # noqa: N806 (classes)
    key = (width_in, height_in, dpi)
    figure = _PNG_FIGURES.get(key) if reuse else None
    if figure is not None:
        (axes,) = figure.axes
        for artist in [*axes.collections, *axes.lines, *axes.texts, *axes.patches]:
            artist.remove()
        axes.set_axis_on()
        return axes
    figure = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(figure)
    if reuse:
        if len(_PNG_FIGURES) >= _PNG_FIGURES_KEPT:
            _PNG_FIGURES.pop(next(iter(_PNG_FIGURES)))
        _PNG_FIGURES[key] = figure
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # The ticks and their labels are drawn by _ticks_along, not by matplotlib's axis objects.
    axes.xaxis.set_visible(False)
    axes.yaxis.set_visible(False)
    return axes


@functools.lru_cache(maxsize=128)
def to_svg(chart: Chart, *, width_in: float = 7.6) -> str:
    """The same figure as SVG markup for a page, safe to embed with `|safe`: text stays text
    (escaped), a <title> and <desc> tell screen readers the figures, and the presentation is in
    attributes only (the Content-Security-Policy forbids `style` attributes and elements)."""
    _matplotlib()  # first: it places the font cache before matplotlib is imported
    import matplotlib

    out = io.StringIO()
    with _DRAWING, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart.element_id}):
        _figure(chart, width_in, True).savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _page_svg(out.getvalue(), chart)


def _figure(chart: Chart, width_in: float, title: bool, *, dpi: int = 100, reuse: bool = False):
    """The one drawing of a chart, for the page (SVG) and the document (PNG; `reuse`: on a kept
    figure of its size, see _PNG_FIGURES)."""
    rows = max(1, len(chart.categories))
    if chart.horizontal:
        height_in = 1.2 + 0.32 * rows + (0.3 if chart.legend and len(chart.series) > 1 else 0)
    else:
        height_in = 3.6
    if not title:
        height_in -= 0.3
    axes = _blank_axes(width_in, height_in, dpi, reuse=reuse)
    figure = axes.figure
    axes.set_title(chart.title if title else "", fontsize=12, fontweight="bold", loc="left")
    if chart.is_empty:
        axes.set_axis_off()
        axes.text(0.0, 0.5, chart.empty_text, fontsize=11, transform=axes.transAxes)
    elif chart.horizontal:
        _png_horizontal(axes, chart)
    else:
        _png_vertical(axes, chart)
    figure.subplots_adjust(**_margins(chart, width_in, height_in, title))
    return figure


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# CSS properties matplotlib writes in `style` that SVG also takes as attributes.
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "text-anchor",
    "font-size",
    "font-weight",
    "font-style",
    "clip-path",
}
_FONT_SHORTHAND = re.compile(
    r"^(?:(?P<style>italic|oblique|normal)\s+)?(?:(?P<weight>bold|normal|\d{3})\s+)?(?P<size>[\d.]+px)"
)


def _attributes(style: str) -> dict[str, str]:
    result = {}
    for declaration in style.split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name == "font":
            match = _FONT_SHORTHAND.match(value)
            if match:
                result["font-size"] = match["size"]
                if match["weight"] and match["weight"] != "normal":
                    result["font-weight"] = match["weight"]
                if match["style"] and match["style"] != "normal":
                    result["font-style"] = match["style"]
        elif name in _PRESENTATION:
            result[name] = value
    return result


def _page_svg(markup: str, chart: Chart) -> str:
    """matplotlib's SVG made fit for a page: no style attributes or elements, no metadata, ids
    unique to the chart, the document's font family, role="img" with a title and description."""
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(markup)
    ident = chart.element_id
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                parent.remove(child)
    referenced = {
        value[1:] if name == XLINK_HREF else value[5:-1]
        for element in root.iter()
        for name, value in element.attrib.items()
        if (name == XLINK_HREF and value.startswith("#")) or (name == "clip-path" and value.startswith("url(#"))
    }
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            element.attrib.update(_attributes(style))
        if "id" in element.attrib:
            if element.get("id") in referenced:
                element.set("id", f"{ident}-{element.get('id')}")
            else:
                del element.attrib["id"]
        href = element.attrib.pop(XLINK_HREF, None)
        if href:
            element.set("href", f"#{ident}-{href[1:]}")
        clip = element.get("clip-path")
        if clip and clip.startswith("url(#"):
            element.set("clip-path", f"url(#{ident}-{clip[5:]}")
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("role", "img")
    root.set("aria-labelledby", f"{ident}-title {ident}-desc")
    root.set("font-family", FONT)
    root.set("class", "chart-svg")
    title = ET.Element(f"{{{SVG_NS}}}title", id=f"{ident}-title")
    title.text = chart.title
    desc = ET.Element(f"{{{SVG_NS}}}desc", id=f"{ident}-desc")
    desc.text = chart.description
    root.insert(0, desc)
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode")


BAR_WIDTH = 0.6


def _stacked_bars(axes, chart: Chart, *, horizontal: bool) -> list[float]:
    """The bars, one collection per series (as many rectangles as matplotlib's bar() draws, without
    an artist each); returns where each stack ends."""
    from matplotlib.collections import PolyCollection

    ends = [0.0] * len(chart.categories)
    half = BAR_WIDTH / 2
    for series in chart.series:
        boxes = []
        for position, (start, value) in enumerate(zip(ends, series.values, strict=True)):
            low, high = position - half, position + half
            corners = ((start, low), (start + value, low), (start + value, high), (start, high))
            boxes.append(corners if horizontal else [(y, x) for x, y in corners])
        colors = list(chart.point_colors) if chart.point_colors else [series.color]
        # The limits are set by the chart: no data limits to keep.
        axes.add_collection(PolyCollection(boxes, facecolors=colors, edgecolors="none", linewidths=0), autolim=False)
        ends = [end + value for end, value in zip(ends, series.values, strict=True)]
    return ends


def _legend(axes, chart: Chart, anchor, transform, *, centred: bool) -> None:
    """The series' swatches and names in a row, as matplotlib's frameless legend lays them out:
    its top LEGEND_ANCHOR_PT under `anchor` (in `transform`), centred on it or starting that far
    right of it. Plain patches and texts: a Legend packs and measures its boxes again at every
    drawing (a fifth of a chart's drawing time)."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Affine2D, ScaledTranslation

    names = [series.name for series in chart.series]
    widths = [_text_size(name, LABEL_PT)[0] for name in names]
    row = sum(SWATCH_PT[0] + SWATCH_GAP_PT + width for width in widths) + COLUMN_GAP_PT * (len(names) - 1)
    x = -row / 2 if centred else LEGEND_ANCHOR_PT + LEGEND_PAD_PT
    # The swatches stand on the names' baseline; the row is as tall as "lp", a name, or a swatch.
    ascent = max(_text_size(text, LABEL_PT)[1] - _text_size(text, LABEL_PT)[2] for text in ["lp", *names])
    baseline = -LEGEND_ANCHOR_PT - LEGEND_PAD_PT - max(ascent, SWATCH_PT[1])
    # In points from the anchor.
    placed = Affine2D().scale(1 / 72) + axes.figure.dpi_scale_trans + ScaledTranslation(*anchor, transform)
    style = {"transform": placed, "clip_on": False, "zorder": 5, "gid": "legend"}  # a Legend's zorder
    for series, name, width in zip(chart.series, names, widths, strict=True):
        axes.add_artist(Rectangle((x, baseline), *SWATCH_PT, facecolor=series.color, **style))
        axes.text(x + SWATCH_PT[0] + SWATCH_GAP_PT, baseline, name, fontsize=LABEL_PT, va="baseline", **style)
        x += SWATCH_PT[0] + SWATCH_GAP_PT + width + COLUMN_GAP_PT


def _category_limits(chart: Chart) -> tuple[float, float]:
    """The category axis's ends: the bars and a margin of 5 % of their span on either side (what
    matplotlib's autoscaling gave)."""
    low, high = -BAR_WIDTH / 2, len(chart.categories) - 1 + BAR_WIDTH / 2
    margin = 0.05 * (high - low)
    return low - margin, high + margin


def _ticks_along(axes, axis: str, positions: Sequence[float], labels: Sequence[str], rotation: float = 0) -> None:
    """Tick marks and labels under the x axis or left of the y axis, as matplotlib's axis draws
    them by default (the label TICK_PT off the axis), but as one line of markers and plain
    texts: an axis makes five artists per tick, and lays its labels out and measures them again
    at every drawing (a third of a chart's drawing time)."""
    from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
    from matplotlib.transforms import ScaledTranslation

    along_x = axis == "x"
    base = axes.get_xaxis_transform() if along_x else axes.get_yaxis_transform()
    points = [(p, 0) if along_x else (0, p) for p in positions]
    marks = Line2D(
        [x for x, _y in points],
        [y for _x, y in points],
        transform=base,
        linestyle="none",
        marker=TICKDOWN if along_x else TICKLEFT,
        markersize=TICK_LENGTH_PT,
        markeredgewidth=TICK_WIDTH_PT,
        color="black",
        clip_on=False,
    )
    axes.add_artist(marks)
    offset = (0, -TICK_PT / 72) if along_x else (-TICK_PT / 72, 0)
    placed = base + ScaledTranslation(*offset, axes.figure.dpi_scale_trans)
    for (x, y), label in zip(points, labels, strict=True):
        axes.text(
            x,
            y,
            label,
            transform=placed,
            fontsize=LABEL_PT,
            rotation=rotation,
            ha="center" if along_x else "right",
            va="top" if along_x else "center_baseline",
            clip_on=False,
            gid=f"{axis}tick",
        )


def _png_horizontal(axes, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    lefts = _stacked_bars(axes, chart, horizontal=True)
    low, high = _category_limits(chart)
    axes.set_ylim(high, low)  # the first category on top
    top = _scale_max(chart)
    axes.set_xlim(0, top * 1.3)
    ticks = _ticks(chart, top)
    _ticks_along(axes, "x", ticks, [_tick_label(chart, t) for t in ticks])
    _ticks_along(axes, "y", positions, _category_labels(chart))
    for position, left, label in zip(positions, lefts, chart.labels or [""] * len(positions), strict=True):
        axes.text(left + top * 0.01, position, label, va="center", fontsize=8)
    if _legend_below(chart):
        from matplotlib.transforms import offset_copy

        under_ticks = offset_copy(axes.transAxes, axes.figure, y=-_legend_drop(chart), units="points")
        _legend(axes, chart, (0.5, 0), under_ticks, centred=True)


def _png_vertical(axes, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    bottoms = _stacked_bars(axes, chart, horizontal=False)
    axes.set_xlim(*_category_limits(chart))
    _ticks_along(axes, "x", positions, _category_labels(chart), rotation=45 if _rotated(chart) else 0)
    top = _scale_max(chart)
    axes.set_ylim(0, top * 1.12)
    ticks = _ticks(chart, top)
    _ticks_along(axes, "y", ticks, [_tick_label(chart, t) for t in ticks])
    for position, bottom, label in zip(positions, bottoms, chart.labels or [""] * len(positions), strict=True):
        axes.text(position, bottom + top * 0.01, label, ha="center", va="bottom", fontsize=8)
    if chart.legend and len(chart.series) > 1:
        _legend(axes, chart, (0, 1), axes.transAxes, centred=False)  # in the upper left corner


@dataclass
class ChartSet:
    """The four report charts, in display order."""

    charts: list[Chart] = field(default_factory=list)

    def svg(self) -> dict[str, str]:
        return {chart.key: to_svg(chart) for chart in self.charts}
