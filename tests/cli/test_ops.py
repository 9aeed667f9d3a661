"""Backups and restores, reminder settings page, trusting the reverse proxy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from roadmap import create_app
from roadmap.extensions import db
from roadmap.models import Organization, OrgKind, Role
from roadmap.models.reminder import ReminderSetting
from tests.conftest import make_config
from tests.production.conftest import fresh_database, migrated_app


def _names() -> list[str]:
    return sorted(db.session.scalars(select(Organization.short_name)))


def test_backup_change_restore(tmp_path):
    with fresh_database(tmp_path, "backup") as url:
        app = migrated_app(tmp_path, url)
        runner = app.test_cli_runner()
        with app.app_context():
            db.session.add_all(
                [Organization(full_name=name, short_name=name, kind=OrgKind.SCHOOL) for name in ("СОШ 1", "СОШ 2")]
            )
            db.session.commit()
            backup = tmp_path / "copies" / "roadmap.backup"
            result = runner.invoke(args=["backup", "--output", str(backup)])
            assert result.exit_code == 0, result.output
            assert result.output.startswith(f"Резервная копия: {backup} (")
            assert backup.stat().st_size > 0

            # Change the data after the backup: one row renamed, one deleted, one added.
            first, second = db.session.scalars(select(Organization).order_by(Organization.id)).all()
            first.short_name = "переименована"
            db.session.delete(second)
            db.session.add(Organization(full_name="Новая", short_name="Новая", kind=OrgKind.SCHOOL))
            db.session.commit()
            assert _names() == ["Новая", "переименована"]
            db.session.remove()

            result = runner.invoke(args=["restore", str(backup), "--yes"])
            assert result.exit_code == 0, result.output
            assert f"База данных восстановлена из {backup}." in result.output
            assert _names() == ["СОШ 1", "СОШ 2"]
            db.session.remove()
            db.engine.dispose()


def test_backup_default_location_and_bad_restore(tmp_path):
    with fresh_database(tmp_path, "backup2") as url:
        app = migrated_app(tmp_path, url)
        runner = app.test_cli_runner()
        with app.app_context():
            result = runner.invoke(args=["backup"])
            assert result.exit_code == 0, result.output
            assert f"{tmp_path}/backups/roadmap-" in result.output
            junk = tmp_path / "junk.bin"
            junk.write_bytes(b"not a backup at all")
            result = runner.invoke(args=["restore", str(junk), "--yes"])
            assert result.exit_code == 2
            assert result.output.startswith("Ошибка: ")
            result = runner.invoke(args=["restore", str(tmp_path / "missing.sqlite3"), "--yes"])
            assert result.exit_code == 2
            assert "не найден" in result.output
            db.session.remove()
            db.engine.dispose()


def test_backup_without_pg_dump_is_a_clear_error(app, runner, monkeypatch):
    import roadmap.cli.ops as ops

    monkeypatch.setattr(ops.shutil, "which", lambda name: None)
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://u:p@db.example/roadmap")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Ошибка: не найдена программа pg_dump: установите postgresql-client той же версии, что и сервер PostgreSQL."
    )


# ---------------------------------------------------------------- settings page


def test_reminder_settings_page(app, client, auth, make_user):
    user = make_user(email="teacher@school.ru")
    auth.login(user.login)
    page = client.get("/account/reminders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Напоминания по электронной почте" in html and "teacher@school.ru" in html
    assert 'value="3"' in html and "checked" in html

    response = client.post("/account/reminders", data={"days_before": "7"})  # checkbox off
    assert response.status_code == 302
    setting = db.session.scalar(select(ReminderSetting).where(ReminderSetting.user_id == user.id))
    assert (setting.is_enabled, setting.days_before) == (False, 7)

    client.post("/account/reminders", data={"is_enabled": "y", "days_before": "1"})
    db.session.refresh(setting)
    assert (setting.is_enabled, setting.days_before) == (True, 1)

    bad = client.post("/account/reminders", data={"is_enabled": "y", "days_before": "90"})
    assert bad.status_code == 200
    assert "От 0 до 30 дней." in bad.get_data(as_text=True)


def test_settings_page_warns_without_an_address(app, client, auth, make_user):
    user = make_user(role=Role.COORDINATOR)
    auth.login(user.login)
    html = client.get("/account/reminders").get_data(as_text=True)
    assert "не указан адрес электронной почты" in html
    assert "Раз в неделю" in html


# ---------------------------------------------------------------- reverse proxy


@pytest.mark.parametrize(("value", "hops"), [(None, 0), ("0", 0), ("no", 0), ("1", 1), ("yes", 1), ("2", 2)])
def test_proxy_hops(value, hops):
    from roadmap.web.proxy import proxy_hops

    assert proxy_hops(value) == hops


def test_proxy_fix_trusts_nginx_headers(tmp_path, monkeypatch):
    from flask import request

    from roadmap.web.proxy import install_proxy_fix

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "roadmap.ru"}
    for enabled in (False, True):
        monkeypatch.setenv("PROXY_FIX", "1" if enabled else "0")
        app = create_app(make_config(tmp_path, f"sqlite:///{tmp_path / 'proxy.sqlite3'}", SERVER_NAME=None))
        assert install_proxy_fix(app) is enabled

        @app.route("/_whoami")
        def whoami():
            return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

        data = app.test_client().get("/_whoami", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
        if enabled:
            assert data == {"addr": "203.0.113.7", "scheme": "https", "host": "roadmap.ru"}
        else:
            assert data["addr"] == "127.0.0.1" and data["scheme"] == "http"
