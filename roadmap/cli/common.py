"""Helpers shared by commands: a one-line Russian error and exit status 2."""

from __future__ import annotations

import click


class CliError(click.ClickException):
    """Printed as one line on stderr; the process exits with status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Ошибка: {self.format_message()}", err=True)


def fail(message: str) -> None:
    raise CliError(message)
