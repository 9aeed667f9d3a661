"""``flask --app wsgi schedule``: show how deadline phrases are understood, as JSON lines.

Needs neither the database nor an app context: it only calls the pure ``roadmap.schedule``.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from roadmap.cli.common import CliError, OneLineErrors
from roadmap.schedule import ShiftRule, YearType, is_working_day, parse

if TYPE_CHECKING:
    from flask import Flask

_PERIOD_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*:\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_period(value: str) -> tuple[date, date]:
    """``START:END`` in ISO dates, START <= END."""
    m = _PERIOD_RE.match(value or "")
    if not m:
        raise CliError(f"период должен иметь вид ГГГГ-ММ-ДД:ГГГГ-ММ-ДД, получено {value!r}")
    try:
        start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
    except ValueError:
        raise CliError(f"несуществующая дата в периоде {value!r}") from None
    if start > end:
        raise CliError(f"начало периода позже его конца: {value!r}")
    if end.year - start.year > 50:
        raise CliError("период длиннее 50 лет")
    return start, end


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Files saved by Excel/Notepad on Russian Windows.
        return data.decode("cp1251", errors="replace")


def _read_batch(batch: str) -> list[str]:
    try:
        data = sys.stdin.buffer.read() if batch == "-" else Path(batch).read_bytes()
    except FileNotFoundError:
        raise CliError(f"файл не найден: {batch}") from None
    except IsADirectoryError:
        raise CliError(f"это каталог, а не файл: {batch}") from None
    except PermissionError:
        raise CliError(f"нет доступа к файлу: {batch}") from None
    except OSError as exc:
        raise CliError(f"не удалось прочитать файл {batch}: {exc.strerror or exc}") from None
    return [line for line in _decode(data).splitlines() if line.strip()]


def schedule_json(text: str, period: tuple[date, date], year_type: str, shift: str) -> dict:
    """The JSON object printed for one phrase."""
    schedule = parse(text)
    occurrences = schedule.occurrences(period[0], period[1], year_type=year_type, shift=shift)
    return {
        "text": schedule.text,
        "kind": schedule.kind,
        "explanation": schedule.explanation,
        "occurrences": [
            {
                "start": o.start.isoformat(),
                "due": o.due.isoformat(),
                "due_effective": o.due_effective.isoformat(),
                "label": o.label,
            }
            for o in occurrences
        ],
        "warnings": [*schedule.warnings, *occurrences.warnings],
    }


@click.command("schedule", cls=OneLineErrors)
@click.argument("phrases", nargs=-1)
@click.option("--batch", "batch", metavar="FILE", help="Файл: одна фраза в строке ('-' — стандартный ввод).")
@click.option("--period", "period", metavar="START:END", help="Период дорожной карты, ГГГГ-ММ-ДД:ГГГГ-ММ-ДД.")
@click.option("--year-type", "year_type", default=YearType.CALENDAR.value, help="calendar (по умолчанию) или academic.")
@click.option(
    "--shift",
    "shift",
    default=ShiftRule.NEXT.value,
    help="Перенос срока с выходного: next (по умолчанию), previous, none.",
)
def schedule_command(
    phrases: tuple[str, ...], batch: str | None, period: str | None, year_type: str, shift: str
) -> None:
    """Показать, как поняты сроки: одна строка JSON на фразу."""
    if period is None:
        raise CliError("не указан период: --period ГГГГ-ММ-ДД:ГГГГ-ММ-ДД")
    bounds = parse_period(period)
    try:
        year_type = YearType.coerce(year_type).value
        shift = ShiftRule.coerce(shift).value
    except ValueError as exc:
        raise CliError(str(exc)) from None
    texts = list(phrases)
    if batch is not None:
        texts.extend(_read_batch(batch))
    # A plan repeats its phrases cell after cell: each distinct phrase is understood once.
    distinct = list(dict.fromkeys(texts))
    lines = dict(zip(distinct, _json_lines(distinct, bounds, year_type, shift), strict=True))
    for start in range(0, len(texts), 1000):
        click.echo("\n".join(lines[text] for text in texts[start : start + 1000]))


# ``python -m roadmap.cli.schedule`` (nothing loaded but the grammar) shares a large file
# between the machine's cores; inside the app's process the command stays in one process.
PARALLEL = False
_PARALLEL_FROM = 2000  # distinct phrases: below this, starting the workers costs more than they save
_CHUNK = 250


def _json_lines(texts: list[str], bounds: tuple[date, date], year_type: str, shift: str) -> list[str]:
    jobs = min(os.cpu_count() or 1, 4) if PARALLEL and len(texts) >= _PARALLEL_FROM else 1
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _chunk_lines(texts, bounds, year_type, shift)
    # The production calendar of the period is read before the workers fork, once for all.
    for year in range(bounds[0].year, bounds[1].year + 2):
        is_working_day(date(year, 1, 1))
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    work = functools.partial(_chunk_lines, bounds=bounds, year_type=year_type, shift=shift)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return [line for chunk in pool.imap(work, chunks) for line in chunk]


def _chunk_lines(texts: list[str], bounds: tuple[date, date], year_type: str, shift: str) -> list[str]:
    return [json.dumps(schedule_json(text, bounds, year_type, shift), ensure_ascii=False) for text in texts]


def register(app: Flask) -> None:
    """Attach the command to the app's CLI (called by ``roadmap.cli.register_commands``)."""
    app.cli.add_command(schedule_command)


if __name__ == "__main__":
    # ``python -m roadmap.cli.schedule --batch FILE --period …``: the same command without the
    # app (no Flask, no database, no blueprints), for files of thousands of phrases.
    PARALLEL = True
    schedule_command(prog_name="python -m roadmap.cli.schedule")
