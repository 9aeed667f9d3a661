"""The organization import refuses broken and oversized files with a Russian message, never a 500."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from roadmap.directory.service import MAX_ROWS, DirectoryImportError, import_organizations

HEADER = "Полное наименование;Краткое наименование;Тип;Муниципалитет\n"


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_good_file_still_imports(app):
    result = import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;г. Т\n").encode())
    assert result.created == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "повреждён"),  # a zip header and nothing behind it
        ((HEADER + "А" * 200_000 + ";А;школа;г. Т\n").encode(), "ячейка"),  # beyond the csv module's limit
        ((HEADER + "А;" + "Б" * 5000 + ";школа;г. Т\n").encode(), "длиннее"),
    ],
    ids=["broken-xlsx", "huge-csv-cell", "long-cell"],
)
def test_broken_files_get_a_russian_message(app, data, message):
    with pytest.raises(DirectoryImportError, match=message):
        import_organizations(data)


def test_a_sheet_of_too_many_rows_is_refused_without_reading_it_all(app):
    data = _xlsx([["Полное наименование", "Тип"], *([f"Школа {n}", "школа"] for n in range(MAX_ROWS + 5))])
    with pytest.raises(DirectoryImportError, match="больше 20000 строк"):
        import_organizations(data)


def test_a_zip_bomb_is_refused(app):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a/>" + b" " * 50_000_000)
    with pytest.raises(DirectoryImportError, match="zip-бомба"):
        import_organizations(out.getvalue())


def test_the_admin_page_answers_a_broken_file_in_russian(app, client, make_user):
    from roadmap.models import Role

    make_user(role=Role.ADMIN, login="adm")
    client.post("/login", data={"login": "adm", "password": "secret123"})
    response = client.post(
        "/admin/organizations/import",
        data={"file": (io.BytesIO((HEADER + "А" * 200_000 + ";А;школа;г. Т\n").encode()), "orgs.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    assert "ячейка слишком длинная" in response.get_data(as_text=True)
