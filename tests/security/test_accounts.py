"""Password policy, login throttling and the audit log (who did what, seen by admins only)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roadmap.accounts.service import AccountError, create_user, password_problem
from roadmap.extensions import db
from roadmap.models import AuditEvent, Organization, Role, TaskStatus, User
from tests.security.conftest import login_as

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


@pytest.mark.parametrize(
    ("password", "login", "problem"),
    [
        ("", None, "не короче 8"),
        ("abc123", None, "не короче 8"),
        ("abcdefgh", None, "буквы и цифры"),
        ("12345678", None, "буквы и цифры"),
        ("________", None, "буквы и цифры"),
        ("ivanov2026", "Ivanov2026", "не должен совпадать с логином"),
        ("password1", None, "распространён"),
        ("Qwerty123", None, "распространён"),
        ("пароль123", None, "распространён"),
        ("школа2026", None, None),  # Cyrillic letters count as letters
        ("demo2026", None, None),
        ("long pass phrase 7", None, None),
    ],
)
def test_password_policy(password, login, problem):
    result = password_problem(password, login)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_weak_password_is_refused_everywhere(app, make_user):
    with pytest.raises(AccountError):
        create_user(login="weakling", full_name="Слабый", password="12345678", role=Role.OBSERVER)
    admin = make_user(role=Role.ADMIN, login="policy-admin")
    client = login_as(app, admin)
    response = client.post(
        "/admin/users/new",
        data={"login": "weak-web", "full_name": "Слабый", "role": "observer", "organization_id": 0, "password": "abc"},
    )
    assert "не короче 8" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.login == "weak-web")) is None
    # and when an admin changes someone's password
    victim = make_user(role=Role.OBSERVER, login="policy-victim")
    client.post(
        f"/admin/users/{victim.id}/edit",
        data={
            "login": "policy-victim",
            "full_name": "x",
            "role": "observer",
            "organization_id": 0,
            "password": "policy-victim",
            "is_active": "y",
        },
    )
    db.session.refresh(victim)
    assert victim.check_password("secret123")


def test_login_throttling_counts_wrong_passwords_and_blocks_the_right_one_too(client, make_user):
    make_user(login="throttled")
    for _ in range(10):
        assert client.post("/login", data={"login": "throttled", "password": "wrong-pass1"}).status_code == 200
    blocked = client.post("/login", data={"login": "throttled", "password": "secret123"})
    assert blocked.status_code == 429
    assert "Слишком много попыток" in blocked.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302  # not logged in
    assert client.get("/login").status_code == 200  # only the POST is limited


def test_failed_logins_are_audited_without_the_password(client, make_user):
    make_user(login="audited")
    client.post("/login", data={"login": "audited", "password": "Secret-guess-77"})
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "login_failed").order_by(AuditEvent.id.desc())
    )
    assert event is not None and "audited" in event.summary
    assert event.ip == "127.0.0.1"
    assert "Secret-guess-77" not in f"{event.summary} {event.details}"


def _actions_since(first_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > first_id).order_by(AuditEvent.id)))


def _last_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) or 0


def test_admin_actions_are_audited(app, make_user):
    admin = make_user(role=Role.ADMIN, login="audit-admin")
    client = login_as(app, admin)
    start = _last_id()
    assert (
        client.post(
            "/admin/organizations/new",
            data={"full_name": "МБОУ СОШ № 777", "short_name": "СОШ № 777", "kind": "school", "is_active": "y"},
        ).status_code
        == 302
    )
    org = db.session.scalar(select(Organization).where(Organization.short_name == "СОШ № 777"))
    assert (
        client.post(
            "/admin/users/new",
            data={
                "login": "new-exec",
                "full_name": "Новый исполнитель",
                "role": "executor",
                "organization_id": org.id,
                "password": "school2026",
                "is_active": "y",
            },
        ).status_code
        == 302
    )
    user = db.session.scalar(select(User).where(User.login == "new-exec"))
    client.post(f"/admin/users/{user.id}/deactivate")
    client.post(f"/admin/organizations/{org.id}/deactivate")
    assert _actions_since(start) == ["organization_saved", "user_saved", "user_toggled", "organization_toggled"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > start)).all()
    assert {e.user_id for e in events} == {admin.id}
    assert all(e.ip == "127.0.0.1" for e in events)


def test_publishing_and_reviews_are_audited(app, world):
    coordinator = world.users["coordinator"]
    client = login_as(app, coordinator)
    start = _last_id()
    assert client.post(f"/roadmaps/{world.draft.id}/publish").status_code == 302
    assert client.post(f"/tasks/{world.task_a.id}/review", data={"accept": "Принять"}).status_code == 302
    db.session.refresh(world.task_a)
    assert world.task_a.status == TaskStatus.ACCEPTED
    actions = _actions_since(start)
    assert "roadmap_published" in actions and "report_reviewed" in actions
    published = db.session.scalar(
        select(AuditEvent).where(AuditEvent.id > start, AuditEvent.action == "roadmap_published")
    )
    assert published.user_id == coordinator.id
    assert (published.object_type, published.object_id) == ("Roadmap", world.draft.id)


def test_audit_log_is_for_admins_only(app, world):
    login_as(app, world.users["coordinator"]).post(f"/roadmaps/{world.draft.id}/publish")
    admin_page = login_as(app, world.users["admin"]).get("/admin/audit")
    assert admin_page.status_code == 200
    body = admin_page.get_data(as_text=True)
    assert "roadmap_published" in body or "Черновик" in body
    for role in ("coordinator", "observer", "executor_own", "executor_other"):
        assert login_as(app, world.users[role]).get("/admin/audit").status_code == 403, role
    assert app.test_client().get("/admin/audit").status_code == 302
