"""A contingent given only by education level (НОО 1–4, ООО 5–9, СОО 10–11): imported with the
organization directory (per-row Russian errors), edited on the school's page, one truth with
the grades (a level has grades or a level total, never both), and shares of a band computed
from a level total only where the band is the whole level."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roadmap.contingent import Band, Contingent
from roadmap.directory.service import (
    ContingentError,
    DirectoryImportError,
    contingent_of,
    import_organizations,
    level_of_header,
    save_organization,
    set_contingent,
)
from roadmap.extensions import db
from roadmap.models import AuditEvent, GradeCount, LevelCount, Organization, Role

HEADER = "Полное наименование;Краткое наименование;Тип;Число обучающихся;НОО;5-9 классы;9 класс;СОО (10–11 классы)\n"


def _org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.full_name == name))


def test_level_headers_are_recognised():
    assert [level_of_header(h) for h in ("НОО", "ооо", "СОО (10–11 классы)", "1–4 классы", "5 - 9 кл.")] == [
        "НОО",
        "ООО",
        "СОО",
        "НОО",
        "ООО",
    ]
    assert [level_of_header(h) for h in ("8-9 классы", "ОО", "основное", "9 класс")] == [None] * 4
    assert level_of_header("основное общее образование") == "ООО"


def test_a_band_is_counted_from_a_level_total_only_when_it_is_the_whole_level():
    school = Contingent({9: 40}, total=340, by_level_only={"НОО": 300})
    assert school.of(Band(1, 4)) == 300 and school.from_level_totals(Band(1, 4))
    assert school.of(Band(9, 9)) == 40 and not school.from_level_totals(Band(9, 9))
    assert school.of(Band(3, 4)) is None  # cuts through a level known only as a whole
    assert school.of(Band(1, 9)) == 340 and school.from_level_totals(Band(1, 9))
    assert school.of(Band()) == 340 and not school.from_level_totals(Band())
    assert school.by_level() == {"НОО": 300, "ООО": 40, "СОО": 0}
    assert Contingent({}, None, {"ООО": 200}).of(Band()) == 200


def test_levels_are_imported_beside_grades_and_the_total_is_their_sum(app):
    result = import_organizations(
        (
            HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;200;300;;60\n"  # by level only
            "МБОУ СОШ № 2;СОШ № 2;школа;340;240;;100;\n"  # НОО by level, grade 9 known: ООО by grade
            "МБОУ СОШ № 3;СОШ № 3;школа;;;100;100;\n"  # ООО total equal to its grades: grades kept
        ).encode()
    )
    assert (result.created, result.contingents) == (3, 3)
    first, second, third = (_org(f"МБОУ СОШ № {n}") for n in (1, 2, 3))
    assert ({c.level: c.students for c in first.levels}, first.grades, first.student_count) == (
        {"НОО": 200, "ООО": 300, "СОО": 60},
        [],
        560,
    )
    assert {c.level: c.students for c in second.levels} == {"НОО": 240}
    assert {g.grade: g.students for g in second.grades} == {9: 100} and second.student_count == 340
    assert (third.levels, [(g.grade, g.students) for g in third.grades], third.student_count) == ([], [(9, 100)], 100)
    known = contingent_of([first.id, second.id])
    assert known[first.id].of(Band(5, 9)) == 300 and known[first.id].of(Band(9, 9)) is None
    assert known[second.id].of(Band(1, 4)) == 240


def test_a_second_import_by_grade_replaces_the_levels_and_a_total_alone_keeps_them(app):
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;200;300;;\n").encode())
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;999;;;;\n").encode())
    school = _org("МБОУ СОШ № 1")
    assert (school.student_count, len(school.levels)) == (500, 2)  # one truth: the levels' sum
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;;;80;\n").encode())
    assert (school.levels, [g.grade for g in school.grades], school.student_count) == ([], [9], 80)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("МБОУ СОШ № 1;СОШ № 1;школа;;сто;;;", "Строка 2: в столбце «НОО» «сто» — не число обучающихся."),
        ("МБОУ СОШ № 1;СОШ № 1;школа;;-20;;;", "Строка 2: в столбце «НОО» «-20» — отрицательное число обучающихся."),
        ("МБОУ СОШ № 1;СОШ № 1;школа;;;;-3;", "Строка 2: в столбце «9 класс» «-3» — отрицательное число обучающихся."),
        ("МБОУ СОШ № 1;СОШ № 1;школа;-5;;;;", "Строка 2: число обучающихся «-5» — отрицательное число."),
        (
            "МБОУ СОШ № 1;СОШ № 1;школа;;;300;100;",
            "Строка 2: ООО: указано 300 обучающихся, а по классам 5–9 — 100; оставьте одно из двух или исправьте число.",
        ),
        ("МБОУ СОШ № 1;СОШ № 1;школа;500;200;200;;", "число обучающихся (500) не равно сумме по уровням (400)"),
        ("МБОУ СОШ № 1;СОШ № 1;школа;500;200;;100;", "не равно сумме по классам и уровням (300)"),
    ],
)
def test_bad_level_cells_are_refused_row_by_row_in_russian(app, row, message):
    with pytest.raises(DirectoryImportError) as caught:
        import_organizations((HEADER + "МБОУ СОШ № 5;СОШ № 5;школа;;100;;;\n" + row + "\n").encode())
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and message in problems[0].replace("Строка 3", "Строка 2"), problems
    # nothing half-written: not even the good row
    assert db.session.scalar(select(LevelCount.level)) is None and db.session.scalar(select(GradeCount.grade)) is None


def test_set_contingent_keeps_one_truth_and_is_audited(app, make_org):
    school = make_org(student_count=999)
    set_contingent(school, {9: 50}, levels={"НОО": 200, "ООО": 50, "СОО": None}, user=None)
    # ООО's total equals its grades: the grades stay, the level total says nothing more.
    assert {c.level for c in school.levels} == {"НОО"} and school.student_count == 250
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contingent_saved")).all()[-1]
    assert event.details["levels_after"] == {"НОО": 200} and event.details["after"] == {"9": 50}
    with pytest.raises(ContingentError, match="ООО: указано 70 обучающихся, а по классам 5–9 — 50"):
        set_contingent(school, {9: 50}, levels={"ООО": 70}, user=None)
    with pytest.raises(ContingentError, match="от 0 до"):
        set_contingent(school, {}, levels={"СОО": -1}, user=None)
    with pytest.raises(ContingentError, match="Уровня «ДО» нет"):
        set_contingent(school, {}, levels={"ДО": 1}, user=None)
    assert school.student_count == 250  # refused: nothing changed
    save_organization(
        school,
        full_name=school.full_name,
        short_name=school.short_name,
        kind=school.kind,
        municipality=None,
        student_count=5000,
        is_active=True,
    )
    assert school.student_count == 250
    set_contingent(school, {}, levels={}, user=None)  # nothing given: cleared, the total kept
    assert (school.grades, school.levels, school.student_count) == ([], [], 250)


def _login(client, user):
    response = client.post("/login", data={"login": user.login, "password": "secret123"})
    assert response.status_code in (302, 303)


def test_the_school_gives_a_level_total_on_its_page_and_the_page_says_so(app, client, make_org, make_user):
    school = make_org(short_name="СОШ № 7")
    user = make_user(role=Role.EXECUTOR, organization=school)
    db.session.commit()
    _login(client, user)
    answer = client.post(f"/contingent/{school.id}", data={"level_noo": "210", "grade_9": "52"})
    assert answer.status_code == 302
    saved = db.session.get(Organization, school.id)
    assert saved.student_count == 262 and [c.level for c in saved.levels] == ["НОО"]
    page = client.get(f"/contingent/{school.id}").get_data(as_text=True)
    assert 'value="210"' in page
    assert "(210, всего по уровню: по классам не указано)" in page
    assert "(52)" in page  # ООО from its grades: nothing to say
    refused = client.post(f"/contingent/{school.id}", data={"level_ooo": "90", "grade_9": "52"})
    assert refused.status_code == 200  # the page again, with the refusal said
    assert "ООО: указано 90 обучающихся, а по классам 5–9 — 52" in refused.get_data(as_text=True)
    assert db.session.get(Organization, school.id).student_count == 262
