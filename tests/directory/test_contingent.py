"""The contingent by grade: imported with the organization directory (per-row Russian errors),
kept equal to Organization.student_count, edited by the school on its page, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roadmap.directory.service import (
    ContingentError,
    DirectoryImportError,
    import_organizations,
    save_organization,
    set_contingent,
)
from roadmap.extensions import db
from roadmap.models import AuditEvent, GradeCount, Organization, Role

HEADER = "Полное наименование;Краткое наименование;Тип;Число обучающихся;8 класс;9 кл.;10 класс;11 класс\n"


def _org(name: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.full_name == name))


def test_grades_are_imported_and_the_total_is_their_sum(app):
    result = import_organizations(
        (HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;50;48;20;18\nМБОУ СОШ № 2;СОШ № 2;школа;300;;;;\n").encode()
    )
    assert (result.created, result.contingents) == (2, 1)
    first = _org("МБОУ СОШ № 1")
    assert {g.grade: g.students for g in first.grades} == {8: 50, 9: 48, 10: 20, 11: 18}
    assert first.student_count == 136
    assert _org("МБОУ СОШ № 2").student_count == 300 and not _org("МБОУ СОШ № 2").grades


def test_a_second_import_replaces_the_grades_and_a_total_alone_keeps_them(app):
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;50;48;20;18\n").encode())
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;;;60;;\n").encode())
    school = _org("МБОУ СОШ № 1")
    assert ({g.grade: g.students for g in school.grades}, school.student_count) == ({9: 60}, 60)
    # A file with the total only does not contradict the grades kept: one truth.
    import_organizations((HEADER + "МБОУ СОШ № 1;СОШ № 1;школа;999;;;;\n").encode())
    assert (school.student_count, len(school.grades)) == (60, 1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "МБОУ СОШ № 1;СОШ № 1;школа;;пятьдесят;;;",
            "Строка 2: в столбце «8 класс» «пятьдесят» — не число обучающихся.",
        ),
        ("МБОУ СОШ № 1;СОШ № 1;школа;;12.5;;;", "Строка 2: в столбце «8 класс» «12.5» — не число обучающихся."),
        ("МБОУ СОШ № 1;СОШ № 1;школа;100;50;48;;", "число обучающихся (100) не равно сумме по классам (98)"),
    ],
)
def test_bad_grade_cells_are_refused_row_by_row_in_russian(app, row, message):
    with pytest.raises(DirectoryImportError) as caught:
        import_organizations((HEADER + "МБОУ СОШ № 5;СОШ № 5;школа;;1;;;\n" + row + "\n").encode())
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and message in problems[0].replace("Строка 3", "Строка 2"), problems
    assert db.session.scalar(select(GradeCount.grade)) is None  # nothing half-written


def test_set_contingent_is_audited_and_checked(app, make_org):
    school = make_org(student_count=999)
    set_contingent(school, {1: 25, 2: 24, 9: None}, user=None)
    assert school.student_count == 49
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contingent_saved"))
    assert event.object_id == school.id and event.details["after"] == {"1": 25, "2": 24}
    with pytest.raises(ContingentError, match="от 0 до"):
        set_contingent(school, {3: -1}, user=None)
    with pytest.raises(ContingentError, match="классы с 1 по 11"):
        set_contingent(school, {12: 10}, user=None)
    # The directory form cannot set a total that contradicts the grades.
    save_organization(
        school,
        full_name=school.full_name,
        short_name=school.short_name,
        kind=school.kind,
        municipality=None,
        student_count=5000,
        is_active=True,
    )
    assert school.student_count == 49


def _login(client, user):
    response = client.post("/login", data={"login": user.login, "password": "secret123"})
    assert response.status_code in (302, 303)


def test_the_school_keeps_its_contingent_on_its_page(app, client, make_org, make_user):
    school = make_org(short_name="СОШ № 7")
    other = make_org(short_name="СОШ № 8")
    user = make_user(role=Role.EXECUTOR, organization=school)
    db.session.commit()
    _login(client, user)
    assert client.get("/contingent/").headers["Location"].endswith(f"/contingent/{school.id}")
    page = client.get(f"/contingent/{school.id}").get_data(as_text=True)
    assert "НОО — начальное общее образование" in page and "9 класс" in page
    answer = client.post(f"/contingent/{school.id}", data={"grade_9": "52", "grade_8": "48"})
    assert answer.status_code == 302
    assert db.session.get(Organization, school.id).student_count == 100
    assert client.post(f"/contingent/{school.id}", data={"grade_9": "-4"}).status_code == 400
    assert client.get(f"/contingent/{other.id}").status_code == 404  # another school: as if missing


def test_the_coordinator_edits_any_contingent(app, client, make_org, make_user):
    school = make_org()
    coordinator = make_user(role=Role.COORDINATOR, organization=None)
    db.session.commit()
    _login(client, coordinator)
    assert client.post(f"/contingent/{school.id}", data={"grade_11": "30"}).status_code == 302
    assert db.session.get(Organization, school.id).student_count == 30
