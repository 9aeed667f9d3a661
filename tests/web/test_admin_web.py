"""The administrator's directory pages: organizations and accounts, created and changed by the rules."""

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import AuditEvent, Organization, OrgKind, Role, User

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


@pytest.fixture
def admin_client(client, auth, make_user):
    make_user(role=Role.ADMIN, login="dir-admin")
    auth.login("dir-admin")
    return client


def test_organization_created_and_changed(admin_client):
    form = {
        "full_name": "  МБОУ СОШ № 77  ",
        "short_name": "СОШ № 77",
        "kind": "school",
        "municipality_name": " г. Краснодар ",
        "student_count": "640",
        "is_active": "y",
    }
    assert admin_client.post("/admin/organizations/new", data=form).status_code == 302
    org = db.session.scalars(select(Organization).where(Organization.short_name == "СОШ № 77")).one()
    assert (org.full_name, org.kind, org.municipality_name, org.student_count, org.is_active) == (
        "МБОУ СОШ № 77",
        OrgKind.SCHOOL,
        "г. Краснодар",
        640,
        True,
    )
    changed = dict(form, kind="college", municipality_name="", student_count="", is_active="")
    del changed["is_active"]
    assert admin_client.post(f"/admin/organizations/{org.id}/edit", data=changed).status_code == 302
    db.session.refresh(org)
    assert (org.kind, org.municipality_name, org.student_count, org.is_active) == (OrgKind.COLLEGE, None, None, False)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "organization_saved"))


def _user_form(**overrides):
    form = {"login": "new.user", "full_name": "Новый Пользователь", "role": "observer", "organization_id": 0}
    form.update(overrides)
    return form


def test_user_edit_keeps_the_rules_of_creation(admin_client, make_user, make_org):
    school = make_org(short_name="СОШ для учётных записей")
    user = make_user(role=Role.OBSERVER, login="renamed-later")
    make_user(role=Role.OBSERVER, login="taken")
    db.session.commit()  # a refused save rolls back the request's work, not the test's set-up
    url = f"/admin/users/{user.id}/edit"
    for data, message in (
        (_user_form(login="два слова", is_active="y"), "Логин может содержать только латинские буквы"),
        (_user_form(login="taken", is_active="y"), "Пользователь с логином «taken» уже есть."),
        (_user_form(login="renamed-later", role="executor", is_active="y"), "Исполнителю нужно указать организацию."),
    ):
        page = admin_client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
        assert message in page
        db.session.refresh(user)
        assert (user.login, user.role) == ("renamed-later", Role.OBSERVER)

    done = admin_client.post(
        url,
        data=_user_form(
            login=" renamed ",
            full_name="Иванова И. И.",
            role="executor",
            organization_id=school.id,
            email="ivanova@example.org",
            password="Новый-пароль-2026",
        ),
    )
    assert done.status_code == 302
    db.session.refresh(user)
    assert (user.login, user.full_name, user.role, user.organization_id, user.email, user.is_active_account) == (
        "renamed",
        "Иванова И. И.",
        Role.EXECUTOR,
        school.id,
        "ivanova@example.org",
        False,
    )
    assert user.check_password("Новый-пароль-2026")
    assert db.session.scalar(select(User).where(User.login == "renamed-later")) is None
