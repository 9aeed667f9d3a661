"""Russian texts of the reminder letters, with plain values (no database)."""

from datetime import date

import pytest

from roadmap.reminders import (
    CoordinatorDigest,
    ExecutorDigest,
    OrgOverdue,
    TaskLine,
    coordinator_letter,
    executor_letter,
    plural,
    quantity,
)
from roadmap.reminders.text import MAX_LINES, within_days

FORMS = ("задача", "задачи", "задач")


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "задач"),
        (1, "задача"),
        (2, "задачи"),
        (3, "задачи"),
        (4, "задачи"),
        (5, "задач"),
        (10, "задач"),
        (11, "задач"),
        (12, "задач"),
        (13, "задач"),
        (14, "задач"),
        (15, "задач"),
        (20, "задач"),
        (21, "задача"),
        (22, "задачи"),
        (24, "задачи"),
        (25, "задач"),
        (100, "задач"),
        (101, "задача"),
        (111, "задач"),
        (112, "задач"),
        (114, "задач"),
        (121, "задача"),
        (1002, "задачи"),
    ],
)
def test_plural_forms(n, expected):
    assert plural(n, *FORMS) == expected
    assert quantity(n, *FORMS) == f"{n} {expected}"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "сегодня"),
        (1, "в ближайший 1 день"),
        (3, "в ближайшие 3 дня"),
        (5, "в ближайшие 5 дней"),
        (11, "в ближайшие 11 дней"),
        (21, "в ближайший 21 день"),
    ],
)
def test_within_days(n, expected):
    assert within_days(n) == expected


def _line(number="1.1", title="Родительское собрание", due=date(2023, 9, 1), **extra):
    return TaskLine(number=number, title=title, roadmap_title="План", due_on=due, **extra)


@pytest.mark.parametrize(
    ("count", "subject"),
    [
        (1, "Дорожная карта: 1 задача требует внимания"),
        (2, "Дорожная карта: 2 задачи требуют внимания"),
        (5, "Дорожная карта: 5 задач требуют внимания"),
        (11, "Дорожная карта: 11 задач требуют внимания"),
        (21, "Дорожная карта: 21 задача требует внимания"),
        (22, "Дорожная карта: 22 задачи требуют внимания"),
        (25, "Дорожная карта: 25 задач требуют внимания"),
    ],
)
def test_executor_subject_agrees_with_the_number(count, subject):
    digest = ExecutorDigest("Иванова И. И.", "МБОУ СОШ № 5", date(2023, 9, 5), 3, overdue=[_line()] * count)
    assert executor_letter(digest).subject == subject


def test_executor_letter_sections_and_escaping():
    digest = ExecutorDigest(
        full_name="Иванова <Ирина>",
        organization="МБОУ СОШ № 5",
        today=date(2023, 9, 5),
        days_before=3,
        due_soon=[
            _line(
                "1.2", "Урок «Россия — мои горизонты»", date(2023, 9, 7), label="сентябрь", start_on=date(2023, 9, 1)
            ),
            _line("1.3", "Собрание", date(2023, 9, 8), label="8 сентября 2023", start_on=date(2023, 9, 8)),
        ],
        overdue=[_line("1.1", "Собрание & встреча", date(2023, 9, 1))],
        returned=[_line("2.1", "Отчёт", date(2023, 9, 10), comment="Добавьте охват")],
    )
    letter = executor_letter(digest, "https://roadmap.example.ru")
    assert letter.subject == "Дорожная карта: 4 задачи требуют внимания"
    text = letter.text
    assert "Здравствуйте, Иванова <Ирина>!" in text
    assert "Задачи организации «МБОУ СОШ № 5» на 05.09.2023." in text
    assert "Просрочено — 1 задача:" in text
    assert "Возвращено на доработку — 1 задача:" in text
    assert "Срок в ближайшие 3 дня — 2 задачи:" in text
    assert "1.2 Урок «Россия — мои горизонты» (сентябрь) — срок 07.09.2023" in text
    assert "1.3 Собрание — срок 08.09.2023" in text
    assert "комментарий координатора: «Добавьте охват»" in text
    assert "https://roadmap.example.ru/account/reminders" in text
    html = letter.html
    assert "Иванова &lt;Ирина&gt;" in html and "<Ирина>" not in html
    assert "Собрание &amp; встреча" in html
    assert '<a href="https://roadmap.example.ru/">Открыть задачи</a>' in html


def test_long_sections_are_cut_with_a_count():
    digest = ExecutorDigest("И", "", date(2023, 9, 5), 3, overdue=[_line(str(i)) for i in range(MAX_LINES + 5)])
    letter = executor_letter(digest)
    assert f"Просрочено — {MAX_LINES + 5} задач:" in letter.text
    assert "… и ещё 5" in letter.text
    assert letter.text.count("  • ") == MAX_LINES


def test_coordinator_letter():
    digest = CoordinatorDigest(
        full_name="Петрова А. А.",
        today=date(2023, 9, 4),
        overdue_by_org=[
            OrgOverdue("МБОУ СОШ № 1", 2, date(2023, 9, 1)),
            OrgOverdue("МБОУ СОШ № 2", 1, date(2023, 8, 31)),
        ],
        waiting=[_line(organization="МБОУ СОШ № 3")],
        waiting_count=1,
    )
    letter = coordinator_letter(digest)
    assert letter.subject == "Дорожная карта: сводка за неделю — 3 просроченные задачи, 1 отчёт на проверке"
    assert "Просрочено — 3 задачи в 2 организациях:" in letter.text
    assert "МБОУ СОШ № 1 — 2 задачи, самый ранний срок 01.09.2023" in letter.text
    assert "Ждут проверки — 1 отчёт:" in letter.text
    assert "срок 01.09.2023, МБОУ СОШ № 3" in letter.text


@pytest.mark.parametrize(
    ("overdue", "waiting", "subject"),
    [
        (1, 0, "сводка за неделю — 1 просроченная задача"),
        (5, 2, "сводка за неделю — 5 просроченных задач, 2 отчёта на проверке"),
        (0, 11, "сводка за неделю — 11 отчётов на проверке"),
        (21, 21, "сводка за неделю — 21 просроченная задача, 21 отчёт на проверке"),
    ],
)
def test_coordinator_subject_plurals(overdue, waiting, subject):
    orgs = [OrgOverdue("Школа", overdue, date(2023, 9, 1))] if overdue else []
    digest = CoordinatorDigest("П", date(2023, 9, 4), overdue_by_org=orgs, waiting_count=waiting)
    assert coordinator_letter(digest).subject.endswith(subject)
