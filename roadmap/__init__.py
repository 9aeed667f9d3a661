"""roadmap: roadmaps of a methodological centre turned into tasks, reports and calendars."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from roadmap.config import Config


def create_app(config: dict[str, Any] | Config | None = None) -> Flask:
    """Build the application. `config` overrides settings (a dict) or replaces them (a Config)."""
    # Imported here, not at the top: the pure cores (``roadmap.schedule`` ...) and the light
    # ``python -m roadmap.cli.schedule`` import this package without starting Flask.
    from flask import Flask

    from roadmap.config import Config

    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    settings = config if isinstance(config, Config) else Config()
    app.config.from_object(settings)
    if isinstance(config, dict):
        app.config.update(config)
    app.instance_path = str(app.config["INSTANCE_PATH"])

    from roadmap.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите — и откроется страница, на которую вела ссылка."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)

    from roadmap import models  # noqa: F401  (registers every entity with the metadata)
    from roadmap.dbsetup import configure_engines

    configure_engines(app)

    from roadmap.accounts.sessions import load_session_user

    login_manager.user_loader(load_session_user)

    from roadmap.web import register_blueprints
    from roadmap.web.routing import install_converters

    install_converters(app)

    register_blueprints(app)

    from roadmap.api import init_api

    init_api(app)

    from roadmap.cli import register_commands

    register_commands(app)

    from roadmap.web.proxy import install_proxy_fix
    from roadmap.web.security import install_security_headers

    install_security_headers(app)
    install_proxy_fix(app)

    from roadmap.logging import configure_logging

    configure_logging(app)
    return app


def _migrations_dir():
    from roadmap.config import PROJECT_ROOT

    return PROJECT_ROOT / "migrations"


logging.getLogger(__name__).addHandler(logging.NullHandler())
