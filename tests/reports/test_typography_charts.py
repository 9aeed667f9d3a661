"""Pure parts: Russian typography and the charts (SVG and PNG)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from roadmap.reports import charts
from roadmap.reports.queries import Coverage, Figures
from roadmap.reports.typography import (
    NBSP,
    format_date,
    format_delta,
    format_int,
    format_percent,
    plan_year_label,
    ru_quotes,
    typographed,
)
from roadmap.russian import truncate

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (4632, f"4{NBSP}632"),
        (27105, f"27{NBSP}105"),
        (1234567, f"1{NBSP}234{NBSP}567"),
        (-1500, f"-1{NBSP}500"),
        (None, "—"),
    ],
)
def test_format_int(value, expected):
    assert format_int(value) == expected


@pytest.mark.parametrize(
    ("ratio", "places", "expected"),
    [
        (0.273, 1, f"27,3{NBSP}%"),
        (0.6666, 0, f"67{NBSP}%"),
        (0.125, 0, f"13{NBSP}%"),
        (1, 0, f"100{NBSP}%"),
        (None, 0, "—"),
    ],
)
def test_format_percent(ratio, places, expected):
    assert format_percent(ratio, places=places) == expected


def test_dates_quotes_and_numbers():
    assert format_date(date(2023, 9, 15)) == "15.09.2023"
    assert ru_quotes('проект "Билет в будущее"') == "проект «Билет в будущее»"
    assert ru_quotes('один " непарный') == 'один " непарный'
    assert typographed("МБОУ СОШ №5") == f"МБОУ СОШ №{NBSP}5"
    assert plan_year_label(2023, "academic") == "2023/2024 учебный год"
    assert plan_year_label(2023, "calendar") == "2023 год"
    assert format_delta(-30) == "−30"
    assert format_delta(0.05, percent=True) == f"+5,0{NBSP}п.п."
    assert truncate("слово " * 100, 20).endswith("…") and len(truncate("слово " * 100, 20)) <= 21


def all_charts():
    return [
        charts.progress_by_section(
            [
                ("1. Методическая работа", Figures(total=4, on_time=2, late=1, overdue=1, done=3)),
                ("2. <script>alert(1)</script> & «x»", Figures(total=4, open=3, not_applicable=1)),
            ]
        ),
        charts.status_distribution({"planned": 3, "submitted": 2, "accepted": 5, "returned": 1, "not_applicable": 1}),
        charts.coverage_by_month(
            [
                (2023, 9, Coverage(120, 100, 10, 5)),
                (2023, 10, Coverage(0, 0, 0, 0)),
                (2023, 11, Coverage(4632, 4000, 600, 32)),
            ]
        ),
        charts.executors_ranked([(f"МБОУ СОШ № {i}", 20 - i, 20) for i in range(1, 31)]),
    ]


@pytest.mark.parametrize("chart", all_charts(), ids=lambda c: c.key)
def test_svg_is_wellformed_accessible_and_labelled(chart):
    markup = charts.to_svg(chart)
    root = ET.fromstring(markup)  # well-formed XML: every text escaped
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}title").text == chart.title
    texts = "".join(root.itertext())
    for label in chart.labels:
        assert label in texts  # values are written, not only drawn
    assert (
        "style=" not in markup
        and "<script" not in markup
        and "http://" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_svg_escapes_text():
    chart = all_charts()[0]
    markup = charts.to_svg(chart)
    assert "&lt;script&gt;" in markup
    assert "2. <script>alert(1)</script> & «x»" in "".join(ET.fromstring(markup).itertext())


def test_progress_chart_values():
    chart = all_charts()[0]
    assert chart.labels == (f"3 из 4 (75{NBSP}%)", f"0 из 3 (0{NBSP}%)")
    on_time = chart.series[0]
    assert on_time.name == "в срок" and on_time.values == (50.0, 0.0)


def test_executors_chart_is_limited_and_says_so():
    chart = all_charts()[3]
    assert len(chart.categories) == 15 and "первые 15 из 30" in chart.title


def test_coverage_axis_has_round_ticks():
    chart = all_charts()[2]
    assert charts._scale_max(chart) == 8000  # 4632 → ticks of 2000
    assert chart.labels == ("120", "0", f"4{NBSP}632")


def test_empty_chart():
    chart = charts.progress_by_section([])
    assert chart.is_empty
    root = ET.fromstring(charts.to_svg(chart))
    assert "Нет данных" in "".join(root.itertext())


@pytest.mark.parametrize("chart", all_charts() + [charts.status_distribution({})], ids=lambda c: c.key)
def test_png(chart):
    png = charts.to_png(chart, dpi=60)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ДО МО г.Краснодар", f"ДО МО г.{NBSP}Краснодар"),
        ("ДО МО г. Краснодар", f"ДО МО г.{NBSP}Краснодар"),
        # a year, not a city: the year keeps its "г." (a non-breaking space), no city space added
        ("План на 2026 г. Утверждён", f"План на 2026{NBSP}г. Утверждён"),
        ("в 2026 г.", f"в 2026{NBSP}г."),
    ],
)
def test_city_abbreviation(text, expected):
    assert typographed(text) == expected


def test_png_without_title_is_shorter():
    """The Word report captions each picture, so the picture itself carries no title."""
    import struct

    chart = charts.status_distribution({"planned": 3, "accepted": 2})

    def height(png: bytes) -> int:
        return struct.unpack(">I", png[20:24])[0]

    assert height(charts.to_png(chart, dpi=60, title=False)) < height(charts.to_png(chart, dpi=60))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Классные часы", 20, "Классные часы"),
        ("  Классные \n часы  ", 20, "Классные часы"),
        ("Классные часы для девятых классов", 20, "Классные часы для…"),
        ("Классные часы, экскурсии", 16, "Классные часы…"),
        ("Профориентационные", 10, "Профориен…"),
        (None, 10, ""),
    ],
)
def test_truncate_cuts_at_a_word_within_the_limit(text, limit, expected):
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


def _long_chart():
    """Twelve months: the month labels are turned 45°, and the long section names are truncated."""
    return charts.coverage_by_month([(2025, month, Coverage(9000, 5000, 2000, 1000)) for month in range(1, 13)])


@pytest.mark.parametrize("chart", [*all_charts(), _long_chart()], ids=lambda c: f"{c.key}-{len(c.categories)}")
@pytest.mark.parametrize("title", [True, False])
def test_layout_keeps_every_text_inside_the_picture_and_clear_of_the_axes(chart, title):
    """The margins are computed from the labels, not by a tight-layout pass: every label,
    the title and the legend stay inside the figure, and tick labels do not overlap the plot."""
    figure = charts._figure(chart, 9.5, title, dpi=100)
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    axes = figure.axes[0]
    # The tick labels and the legend are plain texts and patches (charts._ticks_along,
    # charts._legend), told apart by their gid.
    xticklabels = [t for t in axes.texts if t.get_gid() == "xtick"]
    yticklabels = [t for t in axes.texts if t.get_gid() == "ytick"]
    assert chart.is_empty or (xticklabels and yticklabels)
    legend = [a for a in [*axes.texts, *axes.patches] if a.get_gid() == "legend"]
    assert len(legend) == (
        2 * len(chart.series) if not chart.is_empty and chart.legend and len(chart.series) > 1 else 0
    )
    texts = [*axes.texts, axes.title]
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_text()]
    boxes += [a.get_window_extent(renderer) for a in legend]
    for box in boxes:
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, box
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, box
    plot = axes.get_window_extent(renderer)
    for label in yticklabels:
        assert label.get_window_extent(renderer).x1 <= plot.x0
    for label in xticklabels:
        assert label.get_window_extent(renderer).y1 <= plot.y0
    if legend and chart.horizontal:
        ticks_bottom = min(label.get_window_extent(renderer).y0 for label in xticklabels)
        assert max(a.get_window_extent(renderer).y1 for a in legend) <= ticks_bottom
