"""Sessions can be revoked: two real clients share one login (a copied cookie), and what one
does — logging out, changing the password, «Выйти на всех устройствах», an admin ending the
sessions or switching the account off — the other's copy stops working at its next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import session

from roadmap.accounts.sessions import make_token
from roadmap.clock import now
from roadmap.extensions import db
from roadmap.models import Role

PAGE = "/account/password"


def signed_in(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 200


HOST = "roadmap.test"  # SERVER_NAME of the test config: the cookies' domain


def copy_cookies(source, target, *, names=("session", "remember_token")) -> None:
    for name in names:
        cookie = source.get_cookie(name, domain=HOST)
        if cookie is not None:
            target.set_cookie(name, cookie.value, domain=cookie.domain)


@pytest.fixture
def pair(app, make_user):
    """(user, the device that logged in with «remember me», a thief with copies of its cookies)."""
    user = make_user(role=Role.COORDINATOR, login="twin")
    device, thief = app.test_client(), app.test_client()
    response = device.post("/login", data={"login": "twin", "password": "secret123", "remember": "y"})
    assert response.status_code == 302
    assert device.get_cookie("remember_token", domain=HOST) is not None
    copy_cookies(device, thief)
    assert signed_in(device) and signed_in(thief)
    return user, device, thief


def remember_only(app, source):
    """A client holding only the remember cookie (the session cookie expired with the browser)."""
    client = app.test_client()
    copy_cookies(source, client, names=("remember_token",))
    return client


def test_the_remember_cookie_logs_in_by_itself(app, pair):
    _user, device, _thief = pair
    assert signed_in(remember_only(app, device))


def test_logout_kills_the_copied_session_and_remember_cookie(app, pair):
    _user, device, thief = pair
    cookie_copy = remember_only(app, device)
    assert device.post("/logout").status_code == 302
    assert not signed_in(device)
    assert not signed_in(thief)
    assert not signed_in(cookie_copy)


def test_logout_ends_only_that_session(app, pair, make_user):
    _user, device, _thief = pair
    other_device = app.test_client()
    assert other_device.post("/login", data={"login": "twin", "password": "secret123"}).status_code == 302
    device.post("/logout")
    assert signed_in(other_device)


def test_password_change_logs_out_other_devices_but_not_this_one(app, pair):
    user, device, thief = pair
    cookie_copy = remember_only(app, device)
    response = device.post(PAGE, data={"current": "secret123", "new": "another2026", "repeat": "another2026"})
    assert response.status_code == 302
    assert signed_in(device)
    assert not signed_in(thief) and not signed_in(cookie_copy)
    # The device's own remember cookie was rewritten with the new token and still works.
    assert signed_in(remember_only(app, device))


def test_logout_everywhere(app, pair):
    _user, device, thief = pair
    cookie_copy = remember_only(app, device)
    assert "Выйти на всех устройствах" in device.get(PAGE).get_data(as_text=True)
    assert device.post("/logout/everywhere").status_code == 302
    assert not signed_in(device) and not signed_in(thief) and not signed_in(cookie_copy)


def test_an_admin_ends_the_sessions(app, pair, make_user):
    user, device, thief = pair
    admin = make_user(role=Role.ADMIN, login="boss")
    admin_client = app.test_client()
    admin_client.post("/login", data={"login": "boss", "password": "secret123"})
    assert admin_client.post(f"/admin/users/{user.id}/sessions/end").status_code == 302
    assert not signed_in(device) and not signed_in(thief)
    assert signed_in(admin_client) and admin.is_active


def test_switching_an_account_off_ends_its_sessions(app, pair, make_user):
    user, device, thief = pair
    make_user(role=Role.ADMIN, login="boss")
    admin_client = app.test_client()
    admin_client.post("/login", data={"login": "boss", "password": "secret123"})
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert not signed_in(device) and not signed_in(thief)


def test_remember_lasts_30_days_and_older_tokens_are_refused(app, make_user):
    user = make_user(login="oldie")
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    client = app.test_client()
    response = client.post("/login", data={"login": "oldie", "password": "secret123", "remember": "y"})
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("remember_token="))
    expires = client.get_cookie("remember_token", domain=HOST).expires
    assert "HttpOnly" in cookie and timedelta(days=29) < expires - now() <= timedelta(days=30)
    # A token issued 31 days ago (a cookie kept past its life) no longer logs anybody in.
    stale = app.test_client()
    with stale.session_transaction() as state:
        issued = int((now() - timedelta(days=31)).timestamp())
        state["_user_id"] = f"{user.id}:{user.session_generation}:{issued}:stale-sid"
    fresh = app.test_client()
    with fresh.session_transaction() as state:
        state["_user_id"] = make_token(user)
    assert signed_in(fresh)
    assert not signed_in(stale)


def test_a_bare_user_id_cookie_of_the_former_format_is_refused(app, make_user):
    user = make_user(login="legacy")
    client = app.test_client()
    with client.session_transaction() as state:
        state["_user_id"] = str(user.id)
    assert not signed_in(client)
    with app.test_request_context():
        assert session.get("_user_id") is None
    db.session.rollback()


def test_an_admin_changing_its_own_password_on_the_users_page_stays_logged_in(app, make_user):
    admin = make_user(role=Role.ADMIN, login="selfie")
    client, other = app.test_client(), app.test_client()
    for device in (client, other):
        device.post("/login", data={"login": "selfie", "password": "secret123"})
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={
            "login": "selfie",
            "full_name": "Я",
            "role": "admin",
            "organization_id": 0,
            "is_active": "y",
            "password": "another2026",
        },
    )
    assert response.status_code == 302
    assert signed_in(client) and not signed_in(other)
