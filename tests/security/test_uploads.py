"""Uploads: the type is judged by content, sizes are limited, zip bombs are refused, files are
stored outside static/ under generated names and served as downloads that browsers do not sniff."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from roadmap.extensions import db
from roadmap.models import Attachment, Report, Role, TaskStatus
from roadmap.tasks.workflow import detect_file_type
from tests.security.conftest import PDF, login_as

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    if not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def zip_bomb(member_size: int, name: str = "word/document.xml") -> bytes:
    """A DOCX-looking archive whose one member honestly inflates to `member_size` bytes of zeros.

    Built by hand in a blink: one megabyte of zeros is deflated once with a full flush (a
    byte-aligned, self-contained run of blocks) and the run is repeated; zipfile would spend
    seconds deflating hundreds of megabytes.
    """
    megabyte = b"\x00" * (1024 * 1024)
    count = member_size // len(megabyte)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    run = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = run * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(megabyte, crc)
    members = [(b"[Content_Types].xml", b"<Types/>"), (name.encode(), None)]
    body, central = io.BytesIO(), io.BytesIO()
    for member_name, plain in members:
        if plain is None:
            data, size, checksum = stream, count * len(megabyte), crc
        else:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            data, size, checksum = packer.compress(plain) + packer.flush(), len(plain), zlib.crc32(plain)
        offset = body.tell()
        fields = (20, 0, 8, 0, 0x21, checksum, len(data), size, len(member_name), 0)
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + member_name + data)
        central.write(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHH", *fields)
            + struct.pack("<HHHII", 0, 0, 0, 0, offset)
            + member_name
        )
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), body.tell(), 0)
    return body.getvalue() + directory + end


def test_zip_bomb_builder_is_an_honest_zip():
    bomb = zip_bomb(3 * 1024 * 1024)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("word/document.xml").file_size == 3 * 1024 * 1024
        assert archive.read("word/document.xml") == b"\x00" * (3 * 1024 * 1024)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (PDF, "отчёт.pdf", "application/pdf"),
        (PDF, "отчёт.PDF", "application/pdf"),
        (HTML, "отчёт.pdf", None),  # HTML dressed as PDF
        (HTML, "page.html", None),
        (SVG, "logo.png", None),
        (PNG, "photo.png", "image/png"),
        (PNG, "photo.pdf", None),  # a PNG is not a PDF, whatever its name
        (PDF, "script.js", None),
        (b"MZ\x90\x00", "setup.exe", None),
        (b"", "empty.pdf", None),
        (b"PK\x03\x04garbage", "broken.docx", None),
    ],
)
def test_type_is_judged_by_content(data, filename, expected):
    assert detect_file_type(data, filename) == expected


def test_real_docx_is_accepted_and_a_docx_named_xlsx_is_not():
    data = docx_bytes()
    assert detect_file_type(data, "план.docx").endswith("wordprocessingml.document")
    assert detect_file_type(data, "план.xlsx") is None


def test_zip_bomb_attachment_is_refused():
    assert detect_file_type(zip_bomb(201 * 1024 * 1024), "bomb.docx") is None


def _submit(client, task, files, **fields):
    # Encoded here rather than by the test client, which spools big bodies to a temporary file
    # it never closes when the app refuses to read them (413).
    values = MultiDict({"comment": "Проведено", "version": str(task.version), **fields})
    for name, content in files:
        values.add("files", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(f"/tasks/{task.id}/submit", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _task_of(world):
    from roadmap.models import Task

    # the second measure's task of organization B has no report yet
    return db.session.get(Task, world.task_b.id), world.users["executor_other"]


def test_html_disguised_as_pdf_is_refused_and_nothing_is_stored(app, world):
    task, user = _task_of(world)
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir())
    client = login_as(app, user)
    response = _submit(client, task, [("приказ.pdf", HTML)])
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "тип проверяется по содержимому" in page
    db.session.refresh(task)
    assert task.status == TaskStatus.PLANNED
    assert db.session.scalar(select(func.count(Report.id)).where(Report.task_id == task.id)) == 0
    assert set(folder.iterdir()) == before


def test_file_over_the_limit_gets_a_clear_message(app, world):
    task, user = _task_of(world)
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=3 * 1024 * 1024)
    big = PDF + b"0" * (1024 * 1024 + 10)
    client = login_as(app, user)
    assert _submit(client, task, [("big.pdf", big)]).status_code == 302
    assert "больше 1 МБ" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    db.session.refresh(task)
    assert task.status == TaskStatus.PLANNED


def test_request_over_max_content_length_is_413_in_russian(app, world):
    task, user = _task_of(world)
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    # The report form reads up to several files' worth and answers beside its field (tests/web/test_rework_web.py);
    # past even that, it comes back to the form with the message instead of a bare 413.
    client = login_as(app, user)
    response = _submit(client, task, [("huge.pdf", PDF + b"0" * (7 * 1024 * 1024))])
    assert response.status_code == 303
    assert "Файлы вместе больше 6 МБ" in client.get(response.headers["Location"]).get_data(as_text=True)
    # Any other form over the limit answers 413 in Russian.
    values = MultiDict({"csrf_token": "x"})
    values.add("file", FileStorage(io.BytesIO(b"0" * (3 * 1024 * 1024)), filename="карта.docx"))
    boundary, body = encode_multipart(values)
    coordinator = login_as(app, world.users["coordinator"])
    response = coordinator.post("/roadmaps/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "Файл слишком большой" in response.get_data(as_text=True)


def test_zip_bomb_roadmap_import_is_refused(app, world):
    client = login_as(app, world.users["coordinator"])
    bomb = zip_bomb(8 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    response = client.post(
        "/roadmaps/import",
        data={"file": (io.BytesIO(bomb), "карта.docx"), "year_type": "academic"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "zip-бомба" in response.get_data(as_text=True)


def test_attachment_is_stored_outside_static_under_a_generated_name(app, world):
    task, user = _task_of(world)
    response = _submit(login_as(app, user), task, [("../../static/css/app.pdf", PDF)])
    assert response.status_code == 302
    attachment = db.session.scalar(
        select(Attachment).join(Report).where(Report.task_id == task.id).order_by(Attachment.id.desc())
    )
    assert attachment.original_name == "app.pdf"
    stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    assert stored.read_bytes() == PDF
    static = Path(app.static_folder).resolve()
    assert static not in stored.resolve().parents
    assert "/" not in attachment.stored_name and "app" not in attachment.stored_name
    assert len(attachment.stored_name.split(".")[0]) == 32
    missing = app.test_client().get(f"/static/{attachment.stored_name}")
    missing.close()
    assert missing.status_code == 404


def test_attachment_is_served_as_download_with_nosniff(app, world):
    response = login_as(app, world.users["executor_own"]).get(f"/attachments/{world.attachment_a.id}")
    try:
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''" in disposition  # the Russian name survives, safely encoded
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    finally:
        response.close()


def test_attachments_need_login(app, world):
    response = app.test_client().get(f"/attachments/{world.attachment_a.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_coordinator_cannot_upload_on_behalf_of_a_school(app, world):
    task, _user = _task_of(world)
    response = _submit(login_as(app, world.users["coordinator"]), task, [("a.pdf", PDF)])
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Report.id)).where(Report.task_id == task.id)) == 0


@pytest.mark.parametrize("role", [Role.EXECUTOR])
def test_many_files_in_one_report_are_each_checked(app, world, role):
    task, user = _task_of(world)
    response = _submit(login_as(app, user), task, [("ok.pdf", PDF), ("bad.pdf", HTML)])
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.status == TaskStatus.PLANNED  # one bad file refuses the whole report
