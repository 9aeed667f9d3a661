from pathlib import Path

import pytest

from roadmap import create_app
from roadmap.config import Config, normalize_database_url


def test_factory_applies_overrides(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["TESTING"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert "auth.login" in app.view_functions


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ROADMAP_INSTANCE", str(tmp_path))
    config = Config()
    assert f"sqlite:///{tmp_path / 'roadmap.sqlite3'}" == config.SQLALCHEMY_DATABASE_URI
    # The development secret is generated once and reused.
    assert (tmp_path / "secret_key").exists()
    assert Config().SECRET_KEY == config.SECRET_KEY
    assert len(config.SECRET_KEY) >= 32


def test_production_requires_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ROADMAP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("ROADMAP_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config()
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    config = Config()
    assert config.SESSION_COOKIE_SECURE is True
    assert not Path(tmp_path / "secret_key").exists()


def test_database_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ROADMAP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_session_cookie_is_hardened(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
