"""Command-line interface: `flask --app wsgi ...`. Commands parse arguments, call a service, commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_commands(app: Flask) -> None:
    from roadmap.cli import api, demo, feeds, files, ops, orgs, plans, schedule, users
    from roadmap.cli.boundary import install_boundary

    install_boundary(app)  # every command of app.cli, also ones added later, is guarded on lookup
    for module in (users, orgs, demo, schedule, plans, feeds, ops, files, api):
        module.register(app)
