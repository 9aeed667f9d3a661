"""Importing a region's directory: municipality columns (name, optional OKTMO), per-row Russian
errors, all rows or none (no municipality is created from a refused file)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from roadmap.directory.service import DirectoryImportError, import_organizations
from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import Municipality, Organization, Region

HEADER = "Полное наименование;Краткое наименование;Тип;Муниципалитет;ОКТМО\n"


def _place(full_name: str) -> str | None:
    return db.session.scalar(select(Organization).where(Organization.full_name == full_name)).municipality_name


def test_municipalities_are_created_and_organizations_placed(app):
    data = (
        HEADER
        + "МБОУ СОШ № 1 г. Сочи;СОШ № 1;школа;г. Сочи;03726000\n"
        + "МБОУ СОШ № 2 г. Сочи;СОШ № 2;школа;Г. СОЧИ;\n"  # the same municipality, other case
        + "МБОУ СОШ № 1 Абинского района;СОШ № 1;школа;Абинский район;03601000\n"
        + "ГБПОУ Краевой колледж;Колледж;колледж;;\n"  # the region's own
    ).encode()
    result = import_organizations(data, "region.csv")
    assert (result.created, result.municipalities_created) == (4, 2)
    sochi = db.session.scalar(select(Municipality).where(Municipality.oktmo == "03726000"))
    assert sochi.name == "г. Сочи"
    assert _place("МБОУ СОШ № 2 г. Сочи") == "г. Сочи"
    assert _place("МБОУ СОШ № 1 Абинского района") == "Абинский район"
    college = db.session.scalar(select(Organization).where(Organization.short_name == "Колледж"))
    assert college.municipality is None and college.region_id == sochi.region_id
    # Imported again with a school moved and a municipality named by its code alone: updated, no duplicates.
    again = (HEADER + "МБОУ СОШ № 2 г. Сочи;СОШ № 2;школа;;03601000\n").encode()
    result = import_organizations(again, "region.csv")
    assert (result.created, result.updated, result.municipalities_created) == (0, 1, 0)
    assert _place("МБОУ СОШ № 2 г. Сочи") == "Абинский район"
    assert db.session.scalar(select(func.count(Municipality.id))) == 2


def test_bad_municipality_cells_are_reported_per_row_and_nothing_is_written(app):
    municipality_named("г. Сочи", oktmo="03726000")
    data = (
        HEADER
        + "Школа 1;Ш1;школа;г. Новый;0372\n"
        + "Школа 2;Ш2;школа;г. Другой;03726000\n"
        + "Школа 3;Ш3;школа;;99999999\n"
        + "Школа 4;Ш4;школа;Новый район;03611000\n"
        + "Школа 5;Ш5;школа;Новый район;03612000\n"
        + "Школа 6;Ш6;школа;г. Сочи;03726001\n"
        + "Школа 7;Ш7;школа;Хороший район;03620000\n"
    ).encode()
    with pytest.raises(DirectoryImportError) as caught:
        import_organizations(data, "region.csv")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "Строка 2: код ОКТМО «0372» должен состоять из 8 или 11 цифр.",
        "Строка 3: код ОКТМО 03726000 уже принадлежит муниципалитету «г. Сочи».",
        "Строка 4: муниципалитет с кодом ОКТМО 99999999 не найден: укажите его название.",
        "Строка 6: у муниципалитета «Новый район» в файле два кода ОКТМО: 03611000 и 03612000.",
        "Строка 7: у муниципалитета «г. Сочи» другой код ОКТМО: 03726000.",
    ]
    db.session.flush()
    assert db.session.scalar(select(func.count(Municipality.id))) == 1  # only Сочи: nothing half-written
    assert db.session.scalar(select(func.count(Organization.id))) == 0


def test_an_xlsx_file_with_municipality_columns(app):
    book = openpyxl.Workbook()
    book.active.append(["Полное наименование", "Краткое наименование", "Тип", "Муниципальное образование", "Код ОКТМО"])
    book.active.append(["МБОУ СОШ № 3 г. Анапа", "СОШ № 3", "школа", "г.-к. Анапа", "03703000"])
    book.active.append(["Министерство образования", "Минобр", "управление", None, None])
    out = io.BytesIO()
    book.save(out)
    result = import_organizations(out.getvalue(), "region.xlsx")
    assert (result.created, result.municipalities_created) == (2, 1)
    assert _place("МБОУ СОШ № 3 г. Анапа") == "г.-к. Анапа"
    assert _place("Министерство образования") is None


def test_the_command_line_imports_into_a_named_region(app, runner, tmp_path):
    file = tmp_path / "krai.csv"
    file.write_text(HEADER + "МБОУ СОШ № 1 г. Сочи;СОШ № 1;школа;г. Сочи;03726000\n", encoding="utf-8")
    result = runner.invoke(args=["orgs", "import", str(file), "--region", "Краснодарский край"])
    assert result.exit_code == 0, result.output
    assert "новых муниципалитетов: 1" in result.output
    region = db.session.scalar(select(Municipality).where(Municipality.oktmo == "03726000")).region
    assert region.name == "Краснодарский край"
    assert db.session.scalar(select(func.count(Region.id))) == 1  # the placeholder region took the name
    refused = runner.invoke(args=["orgs", "import", str(file), "--region", " "])
    assert refused.exit_code == 2 and "укажите название региона" in refused.output


def test_the_command_line_creates_a_municipal_coordinator(app, runner):
    city = municipality_named("г. Сочи")
    made = runner.invoke(
        args=["users", "create", "sochi-coord", "--role", "coordinator", "--municipality", "Г. СОЧИ"],
        input="secret123x\nsecret123x\n",
    )
    assert made.exit_code == 0, made.output
    from roadmap.accounts.service import find_user

    assert find_user("sochi-coord").municipality_id == city.id
    unknown = runner.invoke(
        args=["users", "create", "nowhere", "--role", "observer", "--municipality", "Нигде"],
        input="secret123x\nsecret123x\n",
    )
    assert unknown.exit_code == 2 and "муниципалитет «Нигде» не найден" in unknown.output
