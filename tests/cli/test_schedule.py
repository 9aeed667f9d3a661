"""``schedule`` command: JSON lines, batch files, one-line errors with status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap.cli.schedule import schedule_command

PERIOD = ["--period", "2023-01-01:2023-12-31"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner():
    return CliRunner()


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_phrases_as_arguments(runner):
    result = runner.invoke(schedule_command, ["сентябрь, ежегодно", "по плану ОО", *PERIOD])
    assert result.exit_code == 0, result.output
    first, second = _lines(result.stdout)
    assert first == {
        "text": "сентябрь, ежегодно",
        "kind": "window",
        "explanation": "ежегодно, с 1 по 30 сентября",
        "occurrences": [
            {"start": "2023-09-01", "due": "2023-09-30", "due_effective": "2023-10-02", "label": "сентябрь 2023"}
        ],
        "warnings": [],
    }
    assert second["kind"] == "manual" and second["occurrences"] == []
    assert "сентябрь" in result.stdout  # ensure_ascii=False


def test_year_type_and_shift(runner):
    result = runner.invoke(
        schedule_command,
        ["январь, ежегодно", "--period", "2023-09-01:2024-08-31", "--year-type", "academic", "--shift", "previous"],
    )
    assert result.exit_code == 0
    (line,) = _lines(result.stdout)
    assert line["occurrences"] == [
        {"start": "2024-01-01", "due": "2024-01-31", "due_effective": "2024-01-31", "label": "январь 2024"}
    ]


def test_warnings_include_the_period_ones(runner):
    result = runner.invoke(schedule_command, ["декабрь 2022", *PERIOD])
    (line,) = _lines(result.stdout)
    assert line["occurrences"] == [] and "вне периода" in line["warnings"][0]


@pytest.mark.parametrize(
    "content",
    [
        "сентябрь\n\nпо плану ОО\n   \nноябрь-январь\n".encode(),
        "\ufeffсентябрь\r\nпо плану ОО\r\nноябрь-январь\r\n".encode(),
        "сентябрь\nпо плану ОО\nноябрь-январь\n".encode("cp1251"),
    ],
)
def test_batch_file(runner, tmp_path, content):
    path = tmp_path / "phrases.txt"
    path.write_bytes(content)
    result = runner.invoke(schedule_command, ["--batch", str(path), *PERIOD])
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [line["text"] for line in lines] == ["сентябрь", "по плану ОО", "ноябрь-январь"]
    assert [line["kind"] for line in lines] == ["window", "manual", "window"]


def test_batch_from_stdin(runner):
    result = runner.invoke(schedule_command, ["--batch", "-", *PERIOD], input="май\nиюнь\n")
    assert result.exit_code == 0
    assert [line["text"] for line in _lines(result.stdout)] == ["май", "июнь"]


@pytest.mark.parametrize(
    "args",
    [
        ["май"],
        ["май", "--period", "2023-01-01"],
        ["май", "--period", "2023-13-01:2023-12-31"],
        ["май", "--period", "2024-01-01:2023-01-01"],
        ["май", "--period", "вчера:сегодня"],
        ["май", *PERIOD, "--year-type", "fiscal"],
        ["май", *PERIOD, "--shift", "later"],
        ["май", *PERIOD, "--unknown"],
        ["май", *PERIOD, "--shift"],
        ["--batch", "/nonexistent/phrases.txt", *PERIOD],
    ],
)
def test_errors_are_one_russian_line_with_status_2(runner, args):
    result = runner.invoke(schedule_command, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Ошибка:")
    assert "Traceback" not in result.output


def test_batch_directory_is_an_error(runner, tmp_path):
    result = runner.invoke(schedule_command, ["--batch", str(tmp_path), *PERIOD])
    assert result.exit_code == 2
    assert result.stderr.startswith("Ошибка:")


def test_help(runner):
    result = runner.invoke(schedule_command, ["--help"])
    assert result.exit_code == 0
    assert "--period" in result.output


def _run(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False, timeout=300
    )


BATCH = "5 марта (чт)\nпн, 5 октября – пт, 9 октября\n05.03.2026г. 10.00-12.00 – Ярмарка профессий\nпо плану ОО\nабракадабра\n"


def test_the_light_entry_prints_what_the_app_command_prints_without_starting_the_app():
    period = ["--period", "2026-01-01:2026-12-31"]
    light = _run(["-m", "roadmap.cli.schedule", "--batch", "-", *period], BATCH)
    app = _run(["-m", "flask", "--app", "wsgi", "schedule", "--batch", "-", *period], BATCH)
    assert light.returncode == 0, light.stderr
    assert light.stdout == app.stdout and len(light.stdout.splitlines()) == 5
    # It loads the grammar alone: no Flask, no SQLAlchemy, no blueprints.
    probe = "import sys, runpy; sys.argv = ['x', '--help']\ntry:\n    runpy.run_module('roadmap.cli.schedule', run_name='__main__')\nexcept SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')))"
    loaded = _run(["-c", probe], "")
    assert loaded.stdout.strip().splitlines()[-1] == "[]", loaded.stdout + loaded.stderr


def test_the_light_entry_refuses_bad_input_in_one_line():
    done = _run(["-m", "roadmap.cli.schedule", "май"], "")
    assert done.returncode == 2
    assert done.stderr.strip() == "Ошибка: не указан период: --period ГГГГ-ММ-ДД:ГГГГ-ММ-ДД"


def test_a_large_batch_shared_between_processes_prints_what_one_process_prints(runner):
    from bench.grammar import phrases
    from roadmap.cli import schedule

    batch = phrases(6000, seed=7)
    assert len(set(batch)) >= schedule._PARALLEL_FROM  # the light entry really forks its workers
    period = ["--period", "2025-09-01:2027-08-31", "--year-type", "academic"]
    light = _run(["-m", "roadmap.cli.schedule", "--batch", "-", *period], "\n".join(batch) + "\n")
    assert light.returncode == 0, light.stderr
    one = runner.invoke(schedule_command, ["--batch", "-", *period], input="\n".join(batch) + "\n")
    assert one.exit_code == 0, one.output
    assert light.stdout == one.output and len(light.stdout.splitlines()) == len(batch)
