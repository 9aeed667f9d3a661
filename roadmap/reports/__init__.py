"""Reports: monitoring figures (queries), charts (SVG and PNG), XLSX/DOCX/CSV exports.

`dashboard_charts(roadmap, plan_year)` gives the dashboard its SVG charts.
"""

from __future__ import annotations


def dashboard_charts(roadmap, plan_year):
    """name → SVG markup for the dashboard; see roadmap.reports.service.dashboard_charts."""
    from roadmap.reports.service import dashboard_charts as build

    return build(roadmap, plan_year)


__all__ = ["dashboard_charts"]
