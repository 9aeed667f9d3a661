"""Attachment files follow their rows: moved into place on commit, removed on rollback; the check finds strays."""

from __future__ import annotations

import io
import os
import time

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Attachment, Role, Task
from roadmap.tasks.files import TEMP_PREFIX, check_files, owned_files
from roadmap.tasks.workflow import ConflictError, ReportInput, UploadedFile, submit_report

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def uploads(app, tmp_path):
    """An upload folder of this test's own (the session's instance folder is shared by all tests)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    app.config["UPLOAD_FOLDER"] = folder
    return folder


@pytest.fixture
def task_and_user(make_org, make_user, make_roadmap):
    school = make_org(short_name="Школа № 7")
    user = make_user(role=Role.EXECUTOR, organization=school, login="files-exec")
    roadmap = make_roadmap([("1.1", "Урок", "сентябрь", [school])])
    return db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).one(), user


def _report(*names: str) -> ReportInput:
    return ReportInput(comment="проведено", files=[UploadedFile(name, PDF) for name in names])


def test_a_committed_file_is_in_place_under_its_row_name(uploads, task_and_user):
    task, user = task_and_user
    submit_report(task, user, _report("справка.pdf"))
    assert [p.name.startswith(TEMP_PREFIX) for p in uploads.iterdir()] == [True]  # not yet committed
    db.session.commit()
    stored = db.session.scalar(select(Attachment.stored_name))
    assert sorted(p.name for p in uploads.iterdir()) == [stored]
    assert (uploads / stored).read_bytes() == PDF
    assert check_files().clean


def test_a_rollback_leaves_no_file(uploads, task_and_user):
    task, user = task_and_user
    submit_report(task, user, _report("а.pdf", "б.pdf"))
    assert len(list(uploads.iterdir())) == 2
    db.session.rollback()
    assert list(uploads.iterdir()) == []


def test_a_conflict_inside_a_savepoint_removes_only_its_files(uploads, task_and_user):
    task, user = task_and_user
    submit_report(task, user, _report("первый.pdf"))
    with pytest.raises(ConflictError), db.session.begin_nested():
        submit_report(task, user, _report("второй.pdf"))
        raise ConflictError()  # as a stale save in a batch item would
    db.session.commit()
    names = sorted(p.name for p in uploads.iterdir())
    assert names == [db.session.scalar(select(Attachment.stored_name))]
    assert db.session.scalars(select(Attachment.original_name)).all() == ["первый.pdf"]


def test_a_submit_refused_as_stale_on_the_web_leaves_no_file(uploads, task_and_user, client, auth):
    task, user = task_and_user
    old = task.version
    submit_report(task, user, ReportInput(comment="первый"))
    db.session.flush()
    auth.login("files-exec")
    response = client.post(
        f"/tasks/{task.id}/submit",
        data={"version": str(old), "comment": "второй", "files": (io.BytesIO(PDF), "справка.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "изменил другой пользователь" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert list(uploads.iterdir()) == []
    assert db.session.scalars(select(Attachment)).all() == []


def test_files_check_lists_and_deletes_orphans_and_reports_missing_files(uploads, task_and_user, runner):
    task, user = task_and_user
    submit_report(task, user, _report("справка.pdf", "фото.pdf"))
    db.session.commit()
    kept, lost = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert runner.invoke(args=["files", "check"]).exit_code == 0

    (uploads / "0123456789abcdef.pdf").write_bytes(b"stray")  # a file with no row
    crashed = uploads / f"{TEMP_PREFIX}feedface.pdf"  # left by a killed request, long ago
    crashed.write_bytes(b"half")
    os.utime(crashed, (time.time() - 7200, time.time() - 7200))
    running = uploads / f"{TEMP_PREFIX}cafe.pdf"  # a request still running: not touched
    running.write_bytes(b"now")
    (uploads / "exports").mkdir()  # exports live in a sub-folder: not attachments
    (uploads / lost.stored_name).unlink()

    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 1
    assert "файл без вложения: 0123456789abcdef.pdf" in result.output
    assert f"файл без вложения: {crashed.name}" in result.output
    assert f"вложение {lost.id} без файла: {lost.stored_name}" in result.output
    assert f"загружается сейчас (не трогаем): {running.name}" in result.output
    assert "exports" not in result.output
    assert (uploads / "0123456789abcdef.pdf").exists()  # without --delete nothing is removed

    deleted = runner.invoke(args=["files", "check", "--delete"])
    assert deleted.exit_code == 1
    assert "удалён файл без вложения: 0123456789abcdef.pdf" in deleted.output
    assert sorted(p.name for p in uploads.iterdir() if p.is_file()) == sorted([kept.stored_name, running.name])
    assert owned_files() == [uploads / kept.stored_name]

    bad = runner.invoke(args=["files", "check", "--bogus"])
    assert (bad.exit_code, bad.output) == (2, "Ошибка: неизвестный параметр --bogus\n")


def test_backup_copies_only_the_files_that_have_rows(uploads, task_and_user, runner, tmp_path):
    task, user = task_and_user
    submit_report(task, user, _report("справка.pdf"))
    db.session.commit()
    stored = db.session.scalar(select(Attachment.stored_name))
    (uploads / "0123456789abcdef.pdf").write_bytes(b"stray")
    (uploads / f"{TEMP_PREFIX}feedface.pdf").write_bytes(b"half")
    copies = tmp_path / "copies"
    result = runner.invoke(args=["backup", "--output", str(copies / "roadmap.backup")])
    assert result.exit_code == 0, result.output
    assert f"Вложения: {copies / 'uploads'} (всего 1, скопировано новых 1)" in result.output
    assert sorted(p.name for p in (copies / "uploads").iterdir()) == [stored]
    again = runner.invoke(args=["backup", "--output", str(copies / "roadmap2.backup")])
    assert "(всего 1, скопировано новых 0)" in again.output
