"""The report page and the exports over HTTP: access, headers, content."""

from __future__ import annotations

import io
from urllib.parse import quote

import openpyxl
import pytest

from roadmap.extensions import db
from roadmap.models import RoadmapStatus, Role
from roadmap.reports.typography import NBSP

from .conftest import TODAY  # noqa: F401


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    from roadmap.reports import service

    monkeypatch.setattr(service, "today_in", lambda tz: TODAY)


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    """Charts are drawn by tests of their own; here each picture is one small real PNG."""
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


def login(auth, user):
    response = auth.login(user.login)
    assert response.status_code in (302, 303)


def test_coordinator_sees_report_page_with_charts(client, auth, data):
    login(auth, data.coordinator)
    response = client.get(f"/roadmaps/{data.roadmap.id}/report?year=2023")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<svg") >= 4 and 'role="img"' in html
    assert "Исполнение мероприятий по разделам" in html
    assert "МБОУ СОШ № 2" in html
    assert f"/roadmaps/{data.roadmap.id}/export.docx?year=2023" in html


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_export_headers(client, auth, data, fmt, mimetype):
    login(auth, data.coordinator)
    response = client.get(f"/roadmaps/{data.roadmap.id}/export.{fmt}?year=2023")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="roadmap-{data.roadmap.id}-report-2023.{fmt}"' in disposition
    assert "filename*=UTF-8''" + quote(f"Отчёт Тестовая дорожная карта на 2023 г. 2023.{fmt}", safe="") in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_export_with_date_range(client, auth, data):
    login(auth, data.coordinator)
    response = client.get(f"/roadmaps/{data.roadmap.id}/export.xlsx?year=2023&from=2023-01-01&to=2023-06-30")
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    total = next(r for r in wb["Сводка"].iter_rows(values_only=True) if r[0] == "Задач всего")
    assert total[1] == 1


@pytest.mark.parametrize("query", ["from=2023-13-01", "from=2023-06-01&to=2023-01-01", "year=abc"])
def test_bad_parameters(client, auth, data, query):
    login(auth, data.coordinator)
    assert client.get(f"/roadmaps/{data.roadmap.id}/report?{query}").status_code == 400


def test_unknown_format_and_year(client, auth, data):
    login(auth, data.coordinator)
    assert client.get(f"/roadmaps/{data.roadmap.id}/export.pdf").status_code == 404
    assert client.get(f"/roadmaps/{data.roadmap.id}/report?year=1999").status_code == 404


@pytest.mark.parametrize("path", ["report", "export.xlsx", "export.docx", "export.csv"])
def test_executor_cannot_get_roadmap_wide_report(client, auth, data, path):
    login(auth, data.users["A"])
    assert client.get(f"/roadmaps/{data.roadmap.id}/{path}").status_code == 403


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(f"/roadmaps/{data.roadmap.id}/export.xlsx")
    assert response.status_code in (302, 401)


def test_observer_sees_published_but_not_drafts(client, auth, data, make_user, make_roadmap):
    observer = make_user(role=Role.OBSERVER)
    draft = make_roadmap([], publish=False, title="Черновик")
    login(auth, observer)
    assert client.get(f"/roadmaps/{data.roadmap.id}/report").status_code == 200
    assert client.get(f"/roadmaps/{data.roadmap.id}/export.csv").status_code == 200
    assert client.get(f"/roadmaps/{draft.id}/report").status_code == 404
    assert client.get(f"/roadmaps/{draft.id}/export.xlsx").status_code == 404


def test_executor_exports_only_own_organization(client, auth, data):
    login(auth, data.users["B"])
    response = client.get(f"/reports/my.xlsx?roadmap={data.roadmap.id}&year=2023")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Задачи"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert f"Организация: МБОУ СОШ №{NBSP}2" in values
    assert not any("СОШ № 1" in v or "СОШ № 3" in v for v in values)
    assert "Проведён с опозданием" in values and "Семинар проведён" not in values
    csv_text = client.get(f"/reports/my.csv?roadmap={data.roadmap.id}&year=2023").data.decode("utf-8-sig")
    assert "МБОУ СОШ № 2" in csv_text and "МБОУ СОШ № 1" not in csv_text
    docx_response = client.get(f"/reports/my.docx?roadmap={data.roadmap.id}&year=2023")
    assert docx_response.status_code == 200
    assert (
        f'filename="organization-{data.orgs["B"].id}-report-2023.docx"' in docx_response.headers["Content-Disposition"]
    )


def test_executor_cannot_ask_for_another_organization(client, auth, data):
    login(auth, data.users["B"])
    response = client.get(f"/reports/my.xlsx?roadmap={data.roadmap.id}&org={data.orgs['A'].id}")
    assert response.status_code == 403


def test_executor_report_of_a_draft_is_not_found(client, auth, data, make_roadmap):
    draft = make_roadmap([], publish=False)
    login(auth, data.users["A"])
    assert client.get(f"/reports/my.xlsx?roadmap={draft.id}").status_code == 404


def test_coordinator_gets_an_organization_report(client, auth, data):
    login(auth, data.coordinator)
    response = client.get(f"/reports/my.xlsx?roadmap={data.roadmap.id}&year=2023&org={data.orgs['C'].id}")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Задачи"]
    assert ws["A2"].value == f"Организация: МБОУ СОШ №{NBSP}3"
    assert client.get(f"/reports/my.xlsx?roadmap={data.roadmap.id}").status_code == 400


def test_observer_cannot_get_organization_report_of_draft(client, auth, data, make_user):
    observer = make_user(role=Role.OBSERVER)
    data.roadmap.status = RoadmapStatus.DRAFT
    db.session.flush()
    login(auth, observer)
    assert client.get(f"/reports/my.xlsx?roadmap={data.roadmap.id}&org={data.orgs['A'].id}").status_code == 404


def test_my_reports_page(client, auth, data, make_user):
    login(auth, data.users["A"])
    response = client.get("/reports/my")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Тестовая дорожная карта" in html and f"roadmap={data.roadmap.id}" in html
    auth.logout()
    login(auth, data.coordinator)
    assert client.get("/reports/my").status_code == 403


def test_dashboard_charts(data):
    from roadmap.reports import dashboard_charts

    svgs = dashboard_charts(data.roadmap, 2023)
    assert set(svgs) == {"progress", "statuses", "coverage", "executors"}
    assert all(svg.startswith("<svg") for svg in svgs.values())
