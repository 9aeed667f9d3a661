"""Exports too big for a request (a region's roadmap) run as a background job with progress
(roadmap.jobs): the job writes the same file the request would have sent, where the job's page
offers it for download."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from roadmap.jobs import FINISHED, job_status
from roadmap.jobs.tasks import export_folder
from roadmap.models import Role
from roadmap.reports.service import (
    build_scope,
    enqueue_roadmap_export,
    exports_in_background,
    roadmap_export,
    scope_task_count,
)

from .conftest import TODAY


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


def scope_of(data):
    return build_scope(data.roadmap, 2023, today=TODAY)


def test_only_a_scope_of_many_tasks_goes_to_the_background(data):
    scope = scope_of(data)
    tasks = scope_task_count(scope)
    assert tasks == roadmap_export(data.roadmap, scope, "csv").data.decode("utf-8-sig").count("\n") - 1
    assert not exports_in_background(scope)  # the default limit is a region's, not a school district's
    assert exports_in_background(scope, limit=tasks - 1)
    assert not exports_in_background(scope, limit=tasks)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_the_csv_job_writes_the_requests_file(app, data, make_user, encoding):
    scope = scope_of(data)
    user = make_user(role=Role.COORDINATOR)
    job_id = enqueue_roadmap_export(data.roadmap, scope, "csv", encoding=encoding, user_id=user.id)
    status = job_status(job_id)
    assert status.status == FINISHED, status.error
    expected = roadmap_export(data.roadmap, scope, "csv", encoding=encoding)
    assert status.result["filename"] == expected.filename
    assert status.user_id == user.id and status.progress == 100
    path = export_folder() / status.result["file"]
    assert path.read_bytes() == expected.data
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=";"))
    assert len(rows) > 1


def test_the_xlsx_job_writes_the_same_workbook(app, data):
    scope = scope_of(data)
    status = job_status(enqueue_roadmap_export(data.roadmap, scope, "xlsx"))
    assert status.status == FINISHED, status.error
    made = openpyxl.load_workbook(export_folder() / status.result["file"])
    direct = openpyxl.load_workbook(io.BytesIO(roadmap_export(data.roadmap, scope, "xlsx").data))
    assert made.sheetnames == direct.sheetnames
    for name in direct.sheetnames:
        assert list(made[name].values) == list(direct[name].values), name


def test_progress_is_told_as_the_file_is_written(data):
    heard: list[tuple[int, str]] = []
    roadmap_export(
        data.roadmap, scope_of(data), "xlsx", progress=lambda percent, message="": heard.append((percent, message))
    )
    assert [p for p, _m in heard] == sorted(p for p, _m in heard) and heard[0][0] < heard[-1][0]
    assert heard[0][1] == "Подсчёт показателей…"


def test_a_deleted_roadmap_fails_the_job_with_a_russian_message(app, data):
    from roadmap.extensions import db

    scope = scope_of(data)
    roadmap = data.roadmap
    job_id = None
    with db.session.begin_nested():
        db.session.delete(roadmap)
        db.session.flush()
        job_id = enqueue_roadmap_export(roadmap, scope, "docx")
        db.session.rollback()
    status = job_status(job_id)
    assert status.status == "failed"
    assert status.error == "Дорожная карта не найдена: возможно, её удалили."


def test_an_unknown_format_is_refused_before_anything_is_queued(data):
    with pytest.raises(ValueError):
        enqueue_roadmap_export(data.roadmap, scope_of(data), "pdf")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_download_link_of_a_big_scope_starts_the_job_and_offers_its_file(app, client, auth, data, fmt):
    auth.login(data.coordinator.login)
    path = f"/roadmaps/{data.roadmap.id}/export.{fmt}?year=2023"
    direct = client.get(path)
    assert direct.status_code == 200 and direct.headers["Content-Disposition"].startswith("attachment")
    app.config["EXPORT_BACKGROUND_TASKS"] = 0  # every scope is "big"
    started = client.get(path)
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    download = started.headers["Location"].replace("/progress", "/download")
    assert download in page.get_data(as_text=True)
    with client.get(download) as file:
        assert file.status_code == 200
        body = file.data
    if fmt == "csv":
        assert body == direct.data
    else:
        assert _cells(body) == _cells(direct.data)


def _cells(data: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}
