"""``schedule`` command: JSON lines, batch files, one-line errors with status 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from roadmap.cli.schedule import schedule_command

PERIOD = ["--period", "2023-01-01:2023-12-31"]


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
