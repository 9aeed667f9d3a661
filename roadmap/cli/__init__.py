"""Command-line interface: `flask --app wsgi ...`. Commands parse arguments, call a service, commit."""

from __future__ import annotations

import importlib

from flask import Flask

# Modules that each define `register(app)`; a module not written yet is skipped.
COMMAND_MODULES = (
    "roadmap.cli.users",
    "roadmap.cli.orgs",
    "roadmap.cli.demo",
    "roadmap.cli.schedule",
    "roadmap.cli.plans",
    "roadmap.cli.feeds",
    "roadmap.cli.ops",
    "roadmap.cli.files",
)


def register_commands(app: Flask) -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "register"):
            module.register(app)
        elif name == "roadmap.cli.schedule":
            app.cli.add_command(module.schedule_command, "schedule")
