"""/healthz says the process is alive whatever the database does; /readyz says why it is not
ready: an unreachable database, an unmigrated or outdated schema, Redis down."""

from __future__ import annotations

from flask_migrate import upgrade

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import make_config
from tests.production.conftest import free_port, fresh_database


def _get(app, path):
    with app.app_context():
        response = app.test_client().get(path)
        db.session.remove()
        db.engine.dispose()
    return response


def test_healthz_answers_json_while_the_database_is_unreachable(tmp_path):
    app = create_app(make_config(tmp_path, f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"))
    response = _get(app, "/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_on_an_unreachable_database(tmp_path):
    app = create_app(make_config(tmp_path, f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"))
    response = _get(app, "/readyz")
    assert response.status_code == 503 and response.is_json
    data = response.get_json()
    assert data["status"] == "unavailable"
    assert data["checks"]["database"].startswith("error: база данных недоступна")
    assert "база данных недоступна" in data["reason"]


def test_readyz_on_an_unmigrated_and_an_outdated_database(tmp_path):
    with fresh_database(tmp_path, "ready") as url:
        app = create_app(make_config(tmp_path, url))
        response = _get(app, "/readyz")
        assert response.status_code == 503
        data = response.get_json()
        assert data["checks"]["database"] == "ok"
        assert data["checks"]["schema"].startswith("error: база данных не подготовлена")
        assert "db upgrade" in data["reason"]

        with app.app_context():
            upgrade(revision="0005")
            db.engine.dispose()
        data = _get(app, "/readyz").get_json()
        assert data["status"] == "unavailable" and "устарела (версия 0005)" in data["checks"]["schema"]

        with app.app_context():
            upgrade()
            db.engine.dispose()
        response = _get(app, "/readyz")
        assert response.status_code == 200 and response.get_json()["checks"] == {"database": "ok", "schema": "ok"}
