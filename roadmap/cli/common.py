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


class OneLineErrors(click.Command):
    """Click's own usage errors (unknown option, missing value) as one Russian line, status 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            raise CliError(f"неизвестный параметр {exc.option_name}") from None
        except click.BadParameter as exc:
            raise CliError(f"неверное значение параметра: {exc.format_message()}") from None
        except click.UsageError as exc:
            raise CliError(f"неверные параметры команды: {exc.format_message()}") from None
