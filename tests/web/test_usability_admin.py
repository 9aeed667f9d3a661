"""Administrator's and account forms: safe defaults, Russian messages next to the field, nothing half-saved."""

import re

import pytest
from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Organization, OrgKind, Role, User

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


@pytest.fixture
def admin_client(client, auth, make_user):
    make_user(role=Role.ADMIN, login="ux-admin")
    auth.login("ux-admin")
    return client


def _selected(page: str, select_id: str) -> str:
    block = page[page.index(f'id="{select_id}"') :]
    block = block[: block.index("</select>")]
    return re.findall(r'<option selected value="([^"]*)"', block)[0]


def test_a_new_account_is_an_executor_and_a_new_organization_a_school_by_default(admin_client):
    assert _selected(admin_client.get("/admin/users/new").get_data(as_text=True), "role") == "executor"
    assert _selected(admin_client.get("/admin/organizations/new").get_data(as_text=True), "kind") == "school"


def test_a_taken_login_is_marked_on_the_login_field_and_the_rest_is_kept(admin_client, make_user):
    make_user(role=Role.OBSERVER, login="taken")
    db.session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "login": "taken",
            "full_name": "Петрова Анна Сергеевна",
            "role": "observer",
            "organization_id": 0,
            "password": "Надёжный-пароль-1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    field = page.index('id="login"')
    assert "Пользователь с логином «taken» уже есть." in page[field : field + 500]
    assert "Петрова Анна Сергеевна" in page
    assert db.session.scalar(select(func.count(User.id)).where(User.full_name == "Петрова Анна Сергеевна")) == 0


def test_a_new_account_without_a_password_is_marked_on_the_password(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={"login": "nopass", "full_name": "Без пароля", "role": "observer", "organization_id": 0},
    )
    page = response.get_data(as_text=True)
    field = page.index('id="password"')
    assert response.status_code == 400
    assert "Задайте пароль для нового пользователя." in page[field : field + 500]


def test_the_same_school_twice_is_refused_next_to_the_short_name(admin_client, make_org):
    make_org(kind=OrgKind.SCHOOL, short_name="МБОУ СОШ № 5", municipality="г. Краснодар", full_name="Школа пять")
    db.session.commit()
    form = {"full_name": "Ещё одна пятая", "short_name": " МБОУ СОШ № 5 ", "kind": "school"}
    response = admin_client.post("/admin/organizations/new", data={**form, "municipality_name": "г. Краснодар"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    field = page.index('id="short_name"')
    assert "уже есть в справочнике (Школа пять)" in page[field : field + 600]
    assert "Ещё одна пятая" in page
    assert db.session.scalar(select(func.count(Organization.id)).where(Organization.short_name == "МБОУ СОШ № 5")) == 1
    # the same name in another municipality is another school
    other = admin_client.post("/admin/organizations/new", data={**form, "municipality_name": "г. Сочи"})
    assert other.status_code == 302


def test_a_fraction_of_students_is_refused_in_russian(admin_client):
    response = admin_client.post(
        "/admin/organizations/new",
        data={"full_name": "Лицей", "short_name": "Лицей 1", "kind": "school", "student_count": "12.5"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Неверное целое число" in page and "Not a valid" not in page


@pytest.mark.parametrize(("value", "message"), [("2,5", "Неверное целое число"), ("-1", "От 0 до")])
def test_reminder_days_that_are_not_a_whole_number_get_a_russian_message(client, auth, make_user, value, message):
    make_user(login="reminded")
    auth.login("reminded")
    page = client.post("/account/reminders", data={"is_enabled": "y", "days_before": value}).get_data(as_text=True)
    assert message in page and "Not a valid" not in page


def test_the_audit_log_speaks_russian_in_moscow_time_and_counts_what_it_shows(admin_client):
    from datetime import UTC, datetime

    from roadmap.models import AuditEvent

    db.session.add(
        AuditEvent(action="password_changed", summary="Пароль изменён", at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC))
    )
    db.session.add(
        AuditEvent(action="password_changed", summary="Пароль изменён", at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    )
    db.session.flush()
    page = admin_client.get("/admin/audit?action=password_changed").get_data(as_text=True)
    assert "Когда (МСК)" in page and "Когда (UTC)" not in page
    assert "02.03.2026 00:30:00" in page  # 21:30 UTC is half past midnight in Moscow
    assert ">Смена пароля</td>" in page and ">password_changed</td>" not in page
    assert '<option value="password_changed" selected>Смена пароля</option>' in page
    assert "(2 записи)" in page


def test_list_buttons_name_their_row_and_switching_off_asks_first(admin_client, make_user):
    make_user(role=Role.OBSERVER, login="nadezhda")
    page = admin_client.get("/admin/users?q=nadezhda").get_data(as_text=True)
    assert 'Изменить<span class="visually-hidden"> nadezhda</span>' in page
    assert 'data-confirm="Отключить учётную запись «nadezhda»?' in page
    assert 'Отключить<span class="visually-hidden"> nadezhda</span>' in page


def test_an_empty_search_says_how_to_get_back(admin_client):
    page = admin_client.get("/admin/users?q=nobody-like-this").get_data(as_text=True)
    assert "Никого не нашлось" in page and 'href="/admin/users">покажите всех пользователей' in page
    page = admin_client.get("/admin/organizations?q=nothing-like-this").get_data(as_text=True)
    assert "Ничего не нашлось" in page and "покажите все организации" in page
