"""The instance never loses its last active administrator: not by switching off, not by demotion."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from roadmap.accounts.service import AccountError, set_account_active, update_user
from roadmap.extensions import db
from roadmap.models import Role, User


@pytest.fixture
def only_admin(make_user):
    db.session.execute(update(User).where(User.role == Role.ADMIN).values(is_active_account=False))
    return make_user(role=Role.ADMIN, login="sole")


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active_account.is_(True))
    )


def test_the_only_admin_cannot_switch_themselves_off(app, only_admin):
    client = app.test_client()
    client.post("/login", data={"login": "sole", "password": "secret123"})
    response = client.post(f"/admin/users/{only_admin.id}/deactivate", follow_redirects=True)
    assert "последний действующий администратор" in response.get_data(as_text=True)
    db.session.refresh(only_admin)
    assert only_admin.is_active_account and _active_admins() == 1


def test_the_only_admin_cannot_be_demoted(app, only_admin):
    client = app.test_client()
    client.post("/login", data={"login": "sole", "password": "secret123"})
    response = client.post(
        f"/admin/users/{only_admin.id}/edit",
        data={"login": "sole", "full_name": "Один", "role": "observer", "organization_id": 0, "is_active": "y"},
    )
    assert response.status_code == 400 and "последний действующий администратор" in response.get_data(as_text=True)
    db.session.refresh(only_admin)
    assert only_admin.role == Role.ADMIN


def test_with_a_second_admin_it_is_allowed(only_admin, make_user):
    make_user(role=Role.ADMIN, login="second")
    set_account_active(only_admin, False)
    assert not only_admin.is_active_account and _active_admins() == 1
    with pytest.raises(AccountError):
        second = db.session.scalar(select(User).where(User.login == "second"))
        update_user(
            second, login="second", full_name="", role=Role.COORDINATOR, organization=None, email=None, is_active=True
        )
