from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import AuditEvent, Role


def test_login_page_renders_in_russian(client):
    response = client.get("/login")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Вход в систему" in body
    assert 'lang="ru"' in body
    assert "bootstrap.min.css" in body and "cdn" not in body.lower()


def test_login_logout_and_audit(client, auth, make_user):
    user = make_user(role=Role.COORDINATOR, login="maria")
    response = auth.login("maria")
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id)).all()
    assert "login" in events
    assert auth.logout().status_code == 302
    assert client.get("/account/password").status_code == 302


def test_wrong_password_is_refused(client, auth, make_user):
    make_user(login="petr")
    response = auth.login("petr", "wrong-password1")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302


def test_inactive_user_cannot_log_in(client, auth, make_user):
    user = make_user(login="gone")
    user.is_active_account = False
    db.session.flush()
    auth.login("gone")
    assert client.get("/account/password").status_code == 302


def test_open_redirect_is_ignored(client, make_user):
    make_user(login="nav")
    response = client.post("/login?next=https://evil.example/", data={"login": "nav", "password": "secret123"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_login_is_throttled(client, make_user):
    make_user(login="slow")
    statuses = [client.post("/login", data={"login": "slow", "password": "bad-pass1"}).status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


def test_change_password(client, auth, make_user):
    user = make_user(login="changer")
    auth.login("changer")
    weak = client.post("/account/password", data={"current": "secret123", "new": "short", "repeat": "short"})
    assert "не короче 8" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": "secret123", "new": "newpass2026", "repeat": "newpass2026"})
    assert ok.status_code == 302
    assert user.check_password("newpass2026")


def test_csrf_rejects_forms_without_token(migrated, instance_dir, make_user):
    from roadmap import create_app
    from tests.conftest import make_config

    app = create_app(make_config(instance_dir, migrated, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
