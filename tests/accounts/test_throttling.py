"""Login throttling per account from any address, the same on the password page, the same
answers and timing for unknown logins; failures audited on the account; the admin sees locks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from roadmap.clock import now
from roadmap.extensions import db
from roadmap.models import AuditEvent, LoginThrottle, Role

ADDRESSES = [f"127.0.0.{n}" for n in range(2, 7)]  # five loopback addresses


def attempt(app, login, password, address):
    client = app.test_client()
    return client.post("/login", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_ten_failures_from_five_addresses_lock_the_account(app, make_user):
    user = make_user(login="target")
    statuses = [attempt(app, "target", "wrong-pass1", ADDRESSES[n % 5]).status_code for n in range(10)]
    assert statuses == [200] * 10  # each address stays far below its own limit
    response = attempt(app, "target", "secret123", "127.0.0.9")  # the right password, a fresh address
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа в эту учётную запись" in response.get_data(as_text=True)
    row = db.session.get(LoginThrottle, "target")
    assert row.failures == 10 and timedelta(minutes=14) < row.locked_until - now() <= timedelta(minutes=15)
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login_failed", AuditEvent.object_id == user.id)
    ).all()
    assert len(audited) == 10 and {event.object_type for event in audited} == {"User"}
    assert {event.ip for event in audited} == set(ADDRESSES)


def test_an_unknown_login_is_answered_like_a_known_one(app, make_user):
    make_user(login="known")
    for login in ("known", "nobody-here"):
        answers = [attempt(app, login, "wrong-pass1", ADDRESSES[n % 5]) for n in range(11)]
        assert [a.status_code for a in answers] == [200] * 10 + [429], login
        assert "Неверный логин или пароль" in answers[0].get_data(as_text=True)


def test_success_clears_the_count_and_the_lock_backs_off(app, make_user):
    make_user(login="forgetful")
    for n in range(5):
        attempt(app, "forgetful", "wrong-pass1", ADDRESSES[n])
    assert attempt(app, "forgetful", "secret123", ADDRESSES[0]).status_code == 302
    assert db.session.get(LoginThrottle, "forgetful") is None
    for n in range(10):
        attempt(app, "forgetful", "wrong-pass1", ADDRESSES[n % 5])
    row = db.session.get(LoginThrottle, "forgetful")
    # The lock runs out; the next failure within the window locks for twice as long.
    row.locked_until = now() - timedelta(seconds=1)
    db.session.flush()
    assert attempt(app, "forgetful", "wrong-pass1", ADDRESSES[0]).status_code == 200
    db.session.refresh(row)
    assert row.failures == 11 and timedelta(minutes=29) < row.locked_until - now() <= timedelta(minutes=30)


def test_the_password_page_is_throttled_too(app, make_user):
    make_user(login="sitter")
    client = app.test_client()
    assert client.post("/login", data={"login": "sitter", "password": "secret123"}).status_code == 302
    for n in range(10):
        response = client.post(
            "/account/password",
            data={"current": f"guess{n}abc", "new": "another2026", "repeat": "another2026"},
            environ_base={"REMOTE_ADDR": ADDRESSES[n % 5]},
        )
        assert "Текущий пароль введён неверно" in response.get_data(as_text=True)
    response = client.post(
        "/account/password", data={"current": "secret123", "new": "another2026", "repeat": "another2026"}
    )
    assert response.status_code == 200 and "Слишком много неудачных попыток" in response.get_data(as_text=True)
    # Nor can the account be entered from elsewhere with the right password.
    assert attempt(app, "sitter", "secret123", "127.0.0.9").status_code == 429


def test_the_admin_sees_and_clears_locks(app, make_user):
    make_user(login="locked-one")
    make_user(role=Role.ADMIN, login="keeper")
    for n in range(10):
        attempt(app, "locked-one", "wrong-pass1", ADDRESSES[n % 5])
    admin = app.test_client()
    admin.post("/login", data={"login": "keeper", "password": "secret123"})
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Вход заблокирован после неудачных попыток" in page and "locked-one" in page and "127.0.0." in page
    assert admin.post("/admin/users/locks/clear", data={"login": "locked-one"}).status_code == 302
    assert "Вход заблокирован" not in admin.get("/admin/users").get_data(as_text=True)
    assert attempt(app, "locked-one", "secret123", ADDRESSES[0]).status_code == 302


def test_unknown_and_known_logins_do_the_same_hash_work(app, make_user, monkeypatch):
    """Equal timing by construction: an unknown name costs one check of a hash made with the
    same method as a real account's. Counted, not timed (timings belong in `make bench`)."""
    import werkzeug.security

    from roadmap.accounts import throttle
    from roadmap.models import user as user_module

    real = werkzeug.security.check_password_hash
    checked: list[str] = []

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])  # the method and its cost
        return real(pwhash, password)

    monkeypatch.setattr(throttle, "check_password_hash", counting)
    monkeypatch.setattr(user_module, "check_password_hash", counting)
    make_user(login="timed")
    attempt(app, "timed", "wrong-pass1", ADDRESSES[0])
    known = list(checked)
    checked.clear()
    attempt(app, "absent", "wrong-pass1", ADDRESSES[1])
    assert known == checked and len(known) == 1, (known, checked)


def test_the_cli_unlocks_an_account_and_ends_its_sessions(app, make_user, runner):
    user = make_user(role=Role.ADMIN, login="sole-admin")
    device = app.test_client()
    assert device.post("/login", data={"login": "sole-admin", "password": "secret123"}).status_code == 302
    for n in range(10):
        attempt(app, "sole-admin", "wrong-pass1", ADDRESSES[n % 5])
    assert attempt(app, "sole-admin", "secret123", ADDRESSES[0]).status_code == 429
    result = runner.invoke(args=["users", "unlock", "sole-admin"])
    assert result.exit_code == 0 and "снята" in result.output
    assert attempt(app, "sole-admin", "secret123", ADDRESSES[0]).status_code == 302
    again = runner.invoke(args=["users", "unlock", "sole-admin"])
    assert again.exit_code == 2 and "не заблокирован" in again.stderr
    generation = user.session_generation
    assert device.get("/account/password").status_code == 200
    assert runner.invoke(args=["users", "end-sessions", "sole-admin"]).exit_code == 0
    assert user.session_generation == generation + 1
    assert device.get("/account/password").status_code == 302


def test_names_not_tried_for_longer_than_any_lock_are_forgotten(app, make_user):
    for n in range(3):
        attempt(app, f"sprayed{n}", "wrong-pass1", ADDRESSES[n])
    old = db.session.get(LoginThrottle, "sprayed0")
    old.last_failed_at = now() - timedelta(hours=25)
    db.session.flush()
    attempt(app, "someone-else", "wrong-pass1", ADDRESSES[0])
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "sprayed0") is None
    assert db.session.get(LoginThrottle, "sprayed1") is not None
