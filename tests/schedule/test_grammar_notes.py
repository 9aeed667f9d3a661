"""Issue 19: weekdays, times, event names, stages, notes, places and the other kinds of real cells.

Each row: period, phrase, expected kind, expected occurrences ("start/due", or one day when
start == due), and the expected label of the first occurrence (None: not checked). Written for
the project; the kinds come from real school and municipal plans, the phrases are our own.
Periods: "2026" = 2026-01-01..2026-12-31 calendar; "A25" = 2025-09-01..2026-08-31 academic.
"""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.schedule import parse

PERIODS = {
    "2026": (date(2026, 1, 1), date(2026, 12, 31), "calendar"),
    "A25": (date(2025, 9, 1), date(2026, 8, 31), "academic"),
}
M5 = ["2026-03-05"]
M5_7 = ["2026-03-05/2026-03-07"]

# Weekdays in brackets after each date (5 March 2026 is a Thursday, 7 March a Saturday).
WEEKDAYS = [
    ("2026", "5 марта (чт)", "deadline", M5),
    ("2026", "5 марта (чт.)", "deadline", M5),
    ("2026", "5 марта (Чт)", "deadline", M5),
    ("2026", "5 марта (ЧТ.)", "deadline", M5),
    ("2026", "5 марта (четверг)", "deadline", M5),
    ("2026", "5 марта (Четверг)", "deadline", M5),
    ("2026", "5 марта(чт)", "deadline", M5),
    ("2026", "5 марта ( чт )", "deadline", M5),
    ("2026", "5 марта, четверг", "deadline", M5),
    ("2026", "5 марта 2026 (чт)", "deadline", M5),
    ("2026", "5 марта 2026 г. (чт)", "deadline", M5),
    ("2026", "5 марта 2026г.(чт.)", "deadline", M5),
    ("2026", "05.03.2026 (чт)", "deadline", M5),
    ("2026", "05.03.2026г. (четверг)", "deadline", M5),
    ("2026", "05.03 (чт)", "deadline", M5),
    ("2026", "до 5 марта (чт)", "deadline", M5),
    ("2026", "не позднее 5 марта (чт.)", "deadline", M5),
    ("2026", "к 05.03.2026 (чт)", "deadline", M5),
    ("2026", "5 марта (чт) – 7 марта (сб)", "window", M5_7),
    ("2026", "5 марта (чт.) — 7 марта (сб.)", "window", M5_7),
    ("2026", "5 марта (чт)-7 марта (сб)", "window", M5_7),
    ("2026", "5 марта (четверг) - 7 марта (суббота)", "window", M5_7),
    ("2026", "с 5 марта (чт) по 7 марта (сб)", "window", M5_7),
    ("2026", "05.03 (чт) – 07.03 (сб)", "window", M5_7),
    ("2026", "05.03.2026 (чт) - 07.03.2026 (сб)", "window", M5_7),
    ("2026", "2 марта (пн) – 6 марта (пт)", "window", ["2026-03-02/2026-03-06"]),
    ("2026", "2 марта (понедельник) – 6 марта (пятница)", "window", ["2026-03-02/2026-03-06"]),
    ("2026", "1 сентября (вт)", "deadline", ["2026-09-01"]),
    ("2026", "1 сентября (вторник)", "deadline", ["2026-09-01"]),
    ("2026", "7 сентября (пн)", "deadline", ["2026-09-07"]),
    ("2026", "1 октября (чт), 5 октября (пн)", "list", ["2026-10-01", "2026-10-05"]),
    ("2026", "10 апреля (пт)", "deadline", ["2026-04-10"]),
    ("2026", "10 апреля (пятница)", "deadline", ["2026-04-10"]),
    ("2026", "25 мая (пн)", "deadline", ["2026-05-25"]),
    ("2026", "16 ноября (пн) – 20 ноября (пт)", "window", ["2026-11-16/2026-11-20"]),
    ("2026", "1 декабря (вт.)", "deadline", ["2026-12-01"]),
    ("2026", "12 января (пн)", "deadline", ["2026-01-12"]),
    ("2026", "7 марта (сб)", "deadline", ["2026-03-07"]),
    ("2026", "8 марта (вс)", "deadline", ["2026-03-08"]),
    ("2026", "8 марта (воскресенье)", "deadline", ["2026-03-08"]),
    ("2026", "4 марта (ср)", "deadline", ["2026-03-04"]),
    ("2026", "4 марта (среда)", "deadline", ["2026-03-04"]),
    ("A25", "1 сентября (пн) – 5 сентября (пт)", "window", ["2025-09-01/2025-09-05"]),
    ("A25", "29 декабря (пн) – 11 января (вс)", "window", ["2025-12-29/2026-01-11"]),
    # a wrong weekday never changes the date (a warning, see below)
    ("2026", "5 марта (пт)", "deadline", M5),
    ("2026", "05.03.2026 (понедельник)", "deadline", M5),
]

# A date, then the event's name.
NAMES = [
    ("2026", "5 марта Всероссийский урок профориентации", "deadline", M5),
    ("2026", "5 марта – Всероссийский урок профориентации", "deadline", M5),
    ("2026", "5 марта — Всероссийский урок", "deadline", M5),
    ("2026", "5 марта - Всероссийский урок", "deadline", M5),
    ("2026", "5 марта: Всероссийский урок", "deadline", M5),
    ("2026", "5 марта 2026 г. Всероссийский урок", "deadline", M5),
    ("2026", "05.03.2026 Всероссийский урок", "deadline", M5),
    ("2026", "05.03.2026г. – Всероссийский урок", "deadline", M5),
    ("2026", "1 апреля День открытых дверей", "deadline", ["2026-04-01"]),
    ("2026", "1 сентября – День знаний", "deadline", ["2026-09-01"]),
    ("2026", "25 мая Последний звонок", "deadline", ["2026-05-25"]),
    ("2026", "25 мая 2026 г. Последний звонок", "deadline", ["2026-05-25"]),
    ("2026", "10 апреля – Единый день профориентации", "deadline", ["2026-04-10"]),
    ("2026", "до 1 сентября отчёт о работе", "deadline", ["2026-09-01"]),
    ("2026", "сентябрь – месячник безопасности", "window", ["2026-09-01/2026-09-30"]),
    ("2026", "в сентябре месячник безопасности", "window", ["2026-09-01/2026-09-30"]),
    ("2026", "1-15 марта Неделя профессий", "window", ["2026-03-01/2026-03-15"]),
    ("2026", "с 1 по 15 марта – Неделя профессий", "window", ["2026-03-01/2026-03-15"]),
    ("2026", "5 марта 10 класс", "deadline", M5),
    ("2026", "5 марта урок в 8 классах", "deadline", M5),
]

# A date, times of day, a title.
TIMES = [
    ("2026", "05.03.2026г. 10.00-12.00 – Ярмарка профессий", "deadline", M5),
    ("2026", "05.03.2026 г. 10.00 - 12.00 — Ярмарка профессий", "deadline", M5),
    ("2026", "05.03.2026г. 10:00-12:00 – Ярмарка профессий", "deadline", M5),
    ("2026", "05.03.2026г. 10.00–12.00 Ярмарка профессий", "deadline", M5),
    ("2026", "5 марта 2026 г. 14.00-16.00 – Родительское собрание", "deadline", M5),
    ("2026", "5 марта 10.30-11.15 – классный час", "deadline", M5),
    ("2026", "5 марта 12.00 ч.", "deadline", M5),
    ("2026", "5 марта 12.00ч", "deadline", M5),
    ("2026", "5 марта 12.00 час.", "deadline", M5),
    ("2026", "5 марта 12:00", "deadline", M5),
    ("2026", "5 марта в 12:00", "deadline", M5),
    ("2026", "5 марта в 12.00", "deadline", M5),
    ("2026", "5 марта 2026 в 10:00", "deadline", M5),
    ("2026", "5 марта 2026 г. в 10.00", "deadline", M5),
    ("2026", "05.03.2026, 11:00", "deadline", M5),
    ("2026", "05.03.2026 в 15.30", "deadline", M5),
    ("2026", "5 марта с 10.00 до 12.00", "deadline", M5),
    ("2026", "5 марта, 10.00, актовый зал", "deadline", M5),
    ("2026", "12.00, 13.00", "manual", []),
    ("2026", "12.00", "manual", []),
    ("2026", "10:00", "manual", []),
    ("2026", "в 10.00", "manual", []),
    ("2026", "10.00-12.00", "manual", []),
    ("2026", "12.30", "manual", []),
    ("2026", "14.00 ч.", "manual", []),
    ("2026", "10.10 ч.", "manual", []),
]

# Two stages in one cell.
STAGES = [
    (
        "2026",
        "с 1 по 15 марта – школьный этап; с 20 марта по 5 апреля – муниципальный этап",
        "list",
        ["2026-03-01/2026-03-15", "2026-03-20/2026-04-05"],
    ),
    (
        "2026",
        "Школьный этап: 01.02-15.02; муниципальный этап: 01.03-20.03",
        "list",
        ["2026-02-01/2026-02-15", "2026-03-01/2026-03-20"],
    ),
    (
        "2026",
        "школьный этап – 01.02-15.02.2026; муниципальный этап – 01.03-20.03.2026",
        "list",
        ["2026-02-01/2026-02-15", "2026-03-01/2026-03-20"],
    ),
    ("2026", "I этап – сентябрь; II этап – октябрь", "list", ["2026-09-01/2026-09-30", "2026-10-01/2026-10-31"]),
    ("2026", "1 этап: сентябрь; 2 этап: ноябрь", "list", ["2026-09-01/2026-09-30", "2026-11-01/2026-11-30"]),
    (
        "2026",
        "1 этап: 01.09-30.09.2026; 2 этап: 01.10-15.11.2026",
        "list",
        ["2026-09-01/2026-09-30", "2026-10-01/2026-11-15"],
    ),
    (
        "2026",
        "1-15 марта (школьный этап); 20-31 марта (муниципальный этап)",
        "list",
        ["2026-03-01/2026-03-15", "2026-03-20/2026-03-31"],
    ),
    (
        "2026",
        "с 1 по 5 марта (школьный этап), с 10 по 20 марта (муниципальный этап)",
        "list",
        ["2026-03-01/2026-03-05", "2026-03-10/2026-03-20"],
    ),
    (
        "2026",
        "Школьный этап – до 1 октября; муниципальный этап – ноябрь",
        "list",
        ["2026-10-01", "2026-11-01/2026-11-30"],
    ),
    (
        "2026",
        "отборочный тур — 2–6 марта; финал — 20 марта",
        "list",
        ["2026-03-02/2026-03-06", "2026-03-20"],
    ),
    ("2026", "с 1 по 10 октября; с 1 по 10 апреля", "list", ["2026-04-01/2026-04-10", "2026-10-01/2026-10-10"]),
]

# Spaces inside a numeric date.
SPACED = [
    ("2026", "до 5 .03. 2026г", "deadline", M5),
    ("2026", "до 5. 03.2026 г.", "deadline", M5),
    ("2026", "до 5 . 03 . 2026", "deadline", M5),
    ("2026", "5 .03.2026", "deadline", M5),
    ("2026", "05.03 .2026", "deadline", M5),
    ("2026", "05. 03. 26", "deadline", M5),
    ("2026", "до 5 .03 2026", "deadline", M5),
    ("2026", "1 .09. 2026 - 5. 09 .2026", "window", ["2026-09-01/2026-09-05"]),
    ("2026", "с 01. 09.2026 по 05.09. 2026", "window", ["2026-09-01/2026-09-05"]),
]

# A date or range with a note in brackets, with or without a space.
NOTES = [
    ("2026", "1-15 марта (школьный этап)", "window", ["2026-03-01/2026-03-15"]),
    ("2026", "1-15 марта(школьный этап)", "window", ["2026-03-01/2026-03-15"]),
    ("2026", "1–15 марта ( школьный этап )", "window", ["2026-03-01/2026-03-15"]),
    ("2026", "апрель (муниципальный этап)", "window", ["2026-04-01/2026-04-30"]),
    ("2026", "в апреле (муниципальный этап)", "window", ["2026-04-01/2026-04-30"]),
    ("2026", "16-18 марта (3 дня)", "window", ["2026-03-16/2026-03-18"]),
    ("2026", "16-18 марта(3 дня)", "window", ["2026-03-16/2026-03-18"]),
    ("2026", "с 16 по 18 марта (3 дня)", "window", ["2026-03-16/2026-03-18"]),
    ("2026", "16.03-18.03 (3 дня)", "window", ["2026-03-16/2026-03-18"]),
    ("2026", "5 марта (1 день)", "deadline", M5),
    ("2026", "март (2 недели)", "window", ["2026-03-01/2026-03-31"]),
    ("2026", "5 марта (2 часа)", "deadline", M5),
    ("2026", "сентябрь (1-4 классы)", "window", ["2026-09-01/2026-09-30"]),
    ("2026", "до 1 октября (отчёт)", "deadline", ["2026-10-01"]),
    ("2026", "октябрь (заочный этап)", "window", ["2026-10-01/2026-10-31"]),
    ("2026", "июнь (летний лагерь)", "window", ["2026-06-01/2026-06-30"]),
    ("2026", "Апрель – май (итоговая аттестация)", "window", ["2026-04-01/2026-05-31"]),
]

# A place after a comma.
PLACES = [
    ("2026", "5 марта, г. Краснодар", "deadline", M5),
    ("2026", "5 марта, г.Краснодар", "deadline", M5),
    ("2026", "5 марта 2026, ст. Динская", "deadline", M5),
    ("2026", "12 марта 2026, ул. Красная, 12", "deadline", ["2026-03-12"]),
    ("2026", "12.03.2026, ул. Северная, д. 5", "deadline", ["2026-03-12"]),
    ("2026", "20 апреля, МБОУ СОШ № 5", "deadline", ["2026-04-20"]),
    ("2026", "20 апреля, МБОУ СОШ №5", "deadline", ["2026-04-20"]),
    ("2026", "20 апреля, МАОУ лицей № 48", "deadline", ["2026-04-20"]),
    ("2026", "20 апреля, актовый зал гимназии", "deadline", ["2026-04-20"]),
    ("2026", "сентябрь, на базе МБОУ СОШ № 1", "window", ["2026-09-01/2026-09-30"]),
    ("2026", "5 марта, 10 апреля, МБОУ СОШ № 5", "list", ["2026-03-05", "2026-04-10"]),
    ("2026", "с 1 по 5 марта, Краснодарский край", "window", ["2026-03-01/2026-03-05"]),
]

# Footnote marks glued to dates.
FOOTNOTES = [
    ("2026", "15 сентября*", "deadline", ["2026-09-15"]),
    ("2026", "15 сентября**", "deadline", ["2026-09-15"]),
    ("2026", "до 1 октября*", "deadline", ["2026-10-01"]),
    ("2026", "01.12.2026¹", "deadline", ["2026-12-01"]),
    ("2026", "01.12.2026²", "deadline", ["2026-12-01"]),
    ("2026", "15 сентября¹", "deadline", ["2026-09-15"]),
    ("2026", "15 сентября1", "deadline", ["2026-09-15"]),
    ("2026", "сентябрь*, октябрь**", "list", ["2026-09-01/2026-09-30", "2026-10-01/2026-10-31"]),
    ("2026", "март†", "window", ["2026-03-01/2026-03-31"]),
]

# «не позднее …», «в сроки, установленные …», «ежеквартально до N числа», «в течение N года».
OTHERS = [
    ("2026", "не позднее 10 декабря", "deadline", ["2026-12-10"]),
    ("2026", "Не позднее 10 декабря", "deadline", ["2026-12-10"]),
    ("2026", "не позднее 10.12", "deadline", ["2026-12-10"]),
    ("2026", "не позднее 25.05.2026 г.", "deadline", ["2026-05-25"]),
    ("2026", "не позднее 25 мая 2026 года", "deadline", ["2026-05-25"]),
    ("2026", "не позднее 1 числа каждого месяца", "periodic", (12, "2026-01-01", "2026-12-01")),
    ("2026", "в сроки, установленные министерством образования", "manual", []),
    ("2026", "в сроки, установленные приказом управления", "manual", []),
    ("2026", "в сроки, установленные Рособрнадзором", "manual", []),
    ("2026", "в сроки установленные графиком", "manual", []),
    ("2026", "в сроки, определённые положением", "manual", []),
    (
        "2026",
        "ежеквартально до 5 числа",
        "periodic",
        ["2026-01-01/2026-04-05", "2026-04-01/2026-07-05", "2026-07-01/2026-10-05", "2026-10-01/2027-01-05"],
    ),
    (
        "2026",
        "ежеквартально, до 10 числа",
        "periodic",
        ["2026-01-01/2026-04-10", "2026-04-01/2026-07-10", "2026-07-01/2026-10-10", "2026-10-01/2027-01-10"],
    ),
    (
        "2026",
        "ежеквартально до 10-го числа",
        "periodic",
        ["2026-01-01/2026-04-10", "2026-04-01/2026-07-10", "2026-07-01/2026-10-10", "2026-10-01/2027-01-10"],
    ),
    (
        "2026",
        "ежеквартально не позднее 5 числа",
        "periodic",
        ["2026-01-01/2026-04-05", "2026-04-01/2026-07-05", "2026-07-01/2026-10-05", "2026-10-01/2027-01-05"],
    ),
    (
        "2026",
        "Ежеквартально, до 25 числа",
        "periodic",
        ["2026-01-01/2026-04-25", "2026-04-01/2026-07-25", "2026-07-01/2026-10-25", "2026-10-01/2027-01-25"],
    ),
    ("2026", "ежеквартально до 31 числа", "unparsed", []),
    ("2026", "в течение 2026 года", "window", ["2026-01-01/2026-12-31"]),
    ("2026", "в течение 2026 г.", "window", ["2026-01-01/2026-12-31"]),
    ("2026", "в течение 2026г", "window", ["2026-01-01/2026-12-31"]),
    ("2026", "В течение 2026 года", "window", ["2026-01-01/2026-12-31"]),
    ("A25", "в течение 2025-2026 учебного года", "window", ["2025-09-01/2026-08-31"]),
    ("A25", "в течение 2025/2026 уч. года", "window", ["2025-09-01/2026-08-31"]),
    ("2026", "в течение 2027 года", "window", []),
]

# «N–M неделя <месяц>» in any case; the weeks of a month are its days 1–7, 8–14, 15–21, 22–28, 29–.
WEEKS = [
    ("2026", "1–2 неделя сентября", "window", ["2026-09-01/2026-09-14"]),
    ("2026", "1-2 неделя сентября", "window", ["2026-09-01/2026-09-14"]),
    ("2026", "1 - 2 неделя сентября", "window", ["2026-09-01/2026-09-14"]),
    ("2026", "1—2 недели сентября", "window", ["2026-09-01/2026-09-14"]),
    ("2026", "3-4 недели октября", "window", ["2026-10-15/2026-10-28"]),
    ("2026", "3-4 неделя октября", "window", ["2026-10-15/2026-10-28"]),
    ("2026", "в 1-2 неделе марта", "window", ["2026-03-01/2026-03-14"]),
    ("2026", "на 1-2 неделе марта", "window", ["2026-03-01/2026-03-14"]),
    ("2026", "в течение 1-2 недели марта", "window", ["2026-03-01/2026-03-14"]),
    ("2026", "2-3 неделя ноября", "window", ["2026-11-08/2026-11-21"]),
    ("2026", "2–3 неделю ноября", "window", ["2026-11-08/2026-11-21"]),
    ("2026", "4-5 неделя декабря", "window", ["2026-12-22/2026-12-31"]),
    ("2026", "1 неделя сентября", "window", ["2026-09-01/2026-09-07"]),
    ("2026", "1-я неделя сентября", "window", ["2026-09-01/2026-09-07"]),
    ("2026", "вторая неделя октября", "window", ["2026-10-08/2026-10-14"]),
    ("2026", "во второй неделе октября", "window", ["2026-10-08/2026-10-14"]),
    ("2026", "третья неделя мая", "window", ["2026-05-15/2026-05-21"]),
    ("2026", "последняя неделя мая", "unparsed", []),
    ("2026", "5 неделя февраля", "unparsed", []),
    ("2026", "6 неделя марта", "unparsed", []),
]

# Still never a wrong date: what could change the dates stays unparsed.
NOT_NAMES = [
    ("2026", "5 марта или позже", "unparsed", []),
    ("2026", "5 марта, кроме выходных", "unparsed", []),
    ("2026", "5 марта и далее", "unparsed", []),
    ("2026", "5 марта не проводится", "unparsed", []),
    ("2026", "5 марта по 10", "unparsed", []),
    ("2026", "5 марта с 10 до 12", "unparsed", []),
    ("2026", "5 марта (перенос на апрель)", "unparsed", []),
    ("2026", "5 марта, дата уточняется", "manual", []),
    ("2026", "5 марта Урок 2026", "unparsed", []),
    ("2026", "Месячник безопасности", "unparsed", []),
    ("2026", "Всероссийский урок, ежегодно", "unparsed", []),
    ("2026", "31 сентября Урок", "unparsed", []),
    ("2026", "5 марта (после уроков)", "unparsed", []),
    ("2026", "около 5 марта", "unparsed", []),
    ("2026", "примерно в марте", "unparsed", []),
    ("2026", "5 марта (чт) – (пт)", "unparsed", []),
    ("2026", "еженедельно по средам", "unparsed", []),
    ("2026", "(чт)", "unparsed", []),
    ("2026", "четверг", "unparsed", []),
    ("2026", "еженедельно по четвергам", "unparsed", []),
]

# Weekdays written before each date (5 October 2026 is a Monday, 9 October a Friday).
O5 = ["2026-10-05"]
O5_9 = ["2026-10-05/2026-10-09"]
WEEKDAYS_BEFORE = [
    ("2026", "пн, 5 октября", "deadline", O5),
    ("2026", "пн. 5 октября", "deadline", O5),
    ("2026", "Пн 5 октября", "deadline", O5),
    ("2026", "ПН., 5 октября", "deadline", O5),
    ("2026", "(пн) 5 октября", "deadline", O5),
    ("2026", "(пн.) 05.10", "deadline", O5),
    ("2026", "(вт) 12.10", "deadline", ["2026-10-12"]),
    ("2026", "понедельник 5 октября", "deadline", O5),
    ("2026", "Понедельник, 5 октября", "deadline", O5),
    ("2026", "понедельник, 05.10.2026", "deadline", O5),
    ("2026", "пн 05.10.2026 г.", "deadline", O5),
    ("2026", "пн, 5 октября 2026 г.", "deadline", O5),
    ("2026", "до пн, 5 октября", "deadline", O5),
    ("2026", "не позднее пт. 9 октября", "deadline", ["2026-10-09"]),
    ("2026", "пн, 5 октября – пт, 9 октября", "window", O5_9),
    ("2026", "пн, 5 октября — пт, 9 октября", "window", O5_9),
    ("2026", "пн, 5 октября-пт, 9 октября", "window", O5_9),
    ("2026", "пн 5 октября - пт 9 октября", "window", O5_9),
    ("2026", "(пн) 5 октября – (пт) 9 октября", "window", O5_9),
    ("2026", "(пн) 05.10 – (пт) 09.10", "window", O5_9),
    ("2026", "понедельник 5 октября – пятница 9 октября", "window", O5_9),
    ("2026", "пн 05.10.2026 – пт 09.10.2026", "window", O5_9),
    ("2026", "с пн 5 октября по пт 9 октября", "window", O5_9),
    ("2026", "с понедельника 5 октября по пятницу 9 октября", "window", O5_9),
    ("2026", "пн 5 октября, вт 6 октября", "list", ["2026-10-05", "2026-10-06"]),
    ("2026", "сб, 26 сентября; сб, 24 октября", "list", ["2026-09-26", "2026-10-24"]),
    ("2026", "Вт, 6 октября – День учителя", "deadline", ["2026-10-06"]),
    ("2026", "пт, 9 октября, г. Краснодар", "deadline", ["2026-10-09"]),
    ("A25", "пн, 27 октября – вс, 2 ноября", "window", ["2025-10-27/2025-11-02"]),
    # odd spaces
    ("2026", "( пн ) 5 октября", "deadline", O5),
    ("2026", "пн ,5 октября", "deadline", O5),
    ("2026", "Пн.,5 окт.", "deadline", O5),
    ("2026", "(пн.)5 октября –(пт.)9 октября", "window", O5_9),
    ("2026", "пн,  05 .10. 2026 г.", "deadline", O5),
    # a wrong weekday never changes the date
    ("2026", "вт, 5 октября", "deadline", O5),
    # a weekday with no date beside it, or on the other side than the first one: not understood
    ("2026", "пн, 5 и 12 октября", "unparsed", []),
    ("2026", "пн-пт, 5 октября", "unparsed", []),
    ("2026", "5 октября (пн) – пт, 9 октября", "unparsed", []),
    ("2026", "пн, 5 октября (пт)", "unparsed", []),
    ("2026", "понедельник, 10.00", "unparsed", []),
]

# Times of day after a date, kept in the label (see LABELS).
TIMES_KEPT = [
    ("2026", "5 октября 10.00–12.00", "deadline", O5),
    ("2026", "5 октября в 14:00", "deadline", O5),
    ("2026", "5 марта с 10.00 до 12.00", "deadline", M5),
    ("2026", "5 марта 10.00, 6 марта 12.00", "list", ["2026-03-05", "2026-03-06"]),
    ("2026", "5 марта 10.00 – школьный этап; 6 марта 12.00 – муниципальный этап", "list", ["2026-03-05", "2026-03-06"]),
    ("2026", "пн, 5 октября, 10.00", "deadline", O5),
    ("2026", " 5 октября  ,  10.00 – 12.00", "deadline", O5),
    # «до 12.00» is not a time we read: not understood rather than guessed
    ("2026", "5 марта до 12.00", "unparsed", []),
]

# Days written out with the academic period they are: the days, named by the period.
NAMED_PERIODS = [
    ("2026", "3 ноября – 6 ноября (осенние каникулы)", "window", ["2026-11-03/2026-11-06"]),
    ("2026", "вт. 3 ноября – пт. 6 ноября (осенние каникулы)", "window", ["2026-11-03/2026-11-06"]),
    ("2026", "29.10-04.11 (осенние каникулы)", "window", ["2026-10-29/2026-11-04"]),
    ("2026", "с 28 декабря по 10 января (зимние каникулы)", "window", ["2026-12-28/2027-01-10"]),
    ("2026", "зимние каникулы (28.12-10.01)", "window", ["2026-12-28/2027-01-10"]),
    ("2026", "Весенние каникулы (с 23 по 29 марта)", "window", ["2026-03-23/2026-03-29"]),
]

# Every weekday in its three spellings, after its own date in March 2026 (2 March is a Monday).
_SPELLED = (("пн", "понедельник"), ("вт", "вторник"), ("ср", "среда"), ("чт", "четверг"), ("пт", "пятница"),
            ("сб", "суббота"), ("вс", "воскресенье"))  # fmt: skip
EVERY_WEEKDAY = [
    ("2026", f"{2 + n} марта ({spelling})", "deadline", [f"2026-03-{2 + n:02d}"])
    for n, (abbr, full) in enumerate(_SPELLED)
    for spelling in (abbr, f"{abbr}.", full)
]

CASES = (
    WEEKDAYS + NAMES + TIMES + STAGES + SPACED + NOTES + PLACES + FOOTNOTES + OTHERS + WEEKS + NOT_NAMES
    + WEEKDAYS_BEFORE + TIMES_KEPT + NAMED_PERIODS + EVERY_WEEKDAY
)  # fmt: skip


def _fmt(occurrence) -> str:
    if occurrence.start == occurrence.due:
        return occurrence.start.isoformat()
    return f"{occurrence.start.isoformat()}/{occurrence.due.isoformat()}"


def _occurrences(period: str, phrase: str):
    start, end, year_type = PERIODS[period]
    return parse(phrase).occurrences(start, end, year_type=year_type)


@pytest.mark.parametrize(("period", "phrase", "kind", "expected"), CASES)
def test_phrase(period, phrase, kind, expected):
    schedule = parse(phrase)
    assert schedule.kind == kind, schedule.explanation
    occurrences = [_fmt(o) for o in _occurrences(period, phrase)]
    if isinstance(expected, tuple):
        count, first, last = expected
        assert (len(occurrences), occurrences[0], occurrences[-1]) == (count, first, last)
    else:
        assert occurrences == expected


def test_at_least_200_phrases_of_our_own():
    assert len({phrase for _, phrase, _, _ in CASES}) >= 200


def test_the_phrases_cover_every_kind_spelling_and_dash():
    """Issue 19's «every kind, abbreviations with and without dots, every dash, spaces in odd places»."""
    kinds = (WEEKDAYS, NAMES, TIMES, STAGES, SPACED, NOTES, PLACES, FOOTNOTES, OTHERS, WEEKS, WEEKDAYS_BEFORE)
    assert all(len(table) >= 5 for table in kinds)
    text = "\n".join(phrase for _, phrase, _, _ in CASES).lower()
    for abbr, full in _SPELLED:
        assert re.search(rf"(?<![а-я]){abbr}\.", text) and re.search(rf"(?<![а-я]){abbr}(?![а-я.])", text), abbr
        assert full in text
    assert all(dash in text for dash in "-–—")
    assert re.search(r"\d \.", text) and re.search(r"\. \d", text)  # a space before and after a dot
    assert re.search(r"[^\s(]\(", text) and re.search(r"\s\(", text)  # a note with and without a space


LABELS = [
    ("5 марта Всероссийский урок профориентации", "Всероссийский урок профориентации: 5 марта 2026"),
    ("05.03.2026г. 10.00-12.00 – Ярмарка профессий", "Ярмарка профессий: 5 марта 2026, 10.00–12.00"),
    ("1-15 марта (школьный этап)", "школьный этап: 1–15 марта 2026"),
    ("20 апреля, МБОУ СОШ № 5", "МБОУ СОШ № 5: 20 апреля 2026"),
    ("Школьный этап: 01.02-15.02; муниципальный этап: 01.03-20.03", "Школьный этап: 1–15 февраля 2026"),
    ("I этап – сентябрь; II этап – октябрь", "I этап: сентябрь 2026"),
    ("16-18 марта (3 дня)", "16–18 марта 2026"),
    ("5 марта (чт)", "5 марта 2026"),
    ("1 апреля День открытых дверей", "День открытых дверей: 1 апреля 2026"),
    ("5 октября 10.00–12.00", "5 октября 2026, 10.00–12.00"),
    ("5 октября в 14:00", "5 октября 2026, 14:00"),
    ("5 марта 12.00 ч.", "5 марта 2026, 12.00"),
    ("5 марта с 10.00 до 12.00", "5 марта 2026, 10.00–12.00"),
    ("Среда, 14 октября, 15:00 – родительское собрание", "родительское собрание: 14 октября 2026, 15:00"),
    ("пн, 5 октября", "5 октября 2026"),
    ("3 ноября – 6 ноября (осенние каникулы)", "осенние каникулы: 3–6 ноября 2026"),
]


@pytest.mark.parametrize(("phrase", "label"), LABELS)
def test_the_name_of_the_event_goes_to_the_label(phrase, label):
    assert _occurrences("2026", phrase)[0].label == label


def test_each_date_and_stage_keeps_its_own_time_of_day():
    assert [o.label for o in _occurrences("2026", "5 марта 10.00, 6 марта 12.00")] == [
        "5 марта 2026, 10.00",
        "6 марта 2026, 12.00",
    ]
    assert [
        o.label for o in _occurrences("2026", "5 марта 10.00 – школьный этап; 6 марта 12.00 – муниципальный этап")
    ] == [
        "школьный этап: 5 марта 2026, 10.00",
        "муниципальный этап: 6 марта 2026, 12.00",
    ]
    assert parse("5 октября 10.00–12.00").explanation.endswith(", 10.00–12.00")


def test_the_time_of_day_survives_the_stored_format_of_both_versions():
    from roadmap.schedule import Schedule
    from roadmap.schedule.items import item_json_from_v1, item_json_to_v1, item_to_json

    schedule = parse("05.03.2026г. 10.00-12.00 – Ярмарка профессий")
    stored = schedule.to_dict()
    assert stored["items"][0]["time"] == "10.00–12.00"
    again = Schedule.from_dict(stored)
    assert [o.label for o in again.occurrences(*PERIODS["2026"][:2])] == [
        "Ярмарка профессий: 5 марта 2026, 10.00–12.00"
    ]
    v2 = item_to_json(schedule.items[0])
    # Version 1 (and migration 0013 down) keeps the label, not the time: that code shows neither.
    assert item_json_from_v1(item_json_to_v1(v2)) == {key: value for key, value in v2.items() if key != "time"}


@pytest.mark.parametrize(
    ("phrase", "warned"),
    [
        ("пн, 5 октября", False),
        ("вт, 5 октября", True),
        ("(пн) 05.10.2026", False),
        ("(ср) 05.10.2026", True),
        ("пн, 5 октября – пт, 9 октября", False),
        ("пн, 5 октября – чт, 9 октября", True),
    ],
)
def test_a_weekday_before_the_date_is_checked_too(phrase, warned):
    schedule = parse(phrase)
    occurrences = _occurrences("2026", phrase)
    warnings = [w for w in [*schedule.warnings, *occurrences.warnings] if "день недели" in w]
    assert bool(warnings) is warned
    assert schedule.weekday_conflicts(d for o in occurrences for d in (o.start, o.due)) == warnings[:1] * warned


def test_each_stage_is_labelled_with_its_name():
    occurrences = _occurrences("2026", "с 1 по 15 марта – школьный этап; с 20 марта по 5 апреля – муниципальный этап")
    assert [o.label for o in occurrences] == [
        "школьный этап: 1–15 марта 2026",
        "муниципальный этап: 20 марта – 5 апреля 2026",
    ]


@pytest.mark.parametrize(
    ("phrase", "warned"),
    [
        ("5 марта (чт)", False),
        ("5 марта (пт)", True),
        ("05.03.2026 (понедельник)", True),
        ("05.03.2026 (четверг)", False),
        ("5 марта (чт) – 7 марта (вс)", True),
        ("5 марта (чт) – 7 марта (сб)", False),
    ],
)
def test_a_weekday_that_contradicts_the_date_is_a_warning(phrase, warned):
    schedule = parse(phrase)
    occurrences = _occurrences("2026", phrase)
    warnings = [w for w in [*schedule.warnings, *occurrences.warnings] if "день недели" in w]
    assert bool(warnings) is warned
    assert bool(schedule.weekday_conflicts(d for o in occurrences for d in (o.start, o.due))) is warned
    assert len(warnings) <= 1  # said once, not per check


def test_a_weekday_without_a_year_is_checked_in_every_plan_year():
    # 5 March is a Thursday in 2026, a Wednesday in 2025.
    occurrences = parse("5 марта (чт)").occurrences(date(2025, 1, 1), date(2026, 12, 31))
    assert [o.start.isoformat() for o in occurrences] == ["2025-03-05", "2026-03-05"]
    assert occurrences.warnings == ["день недели не совпадает с датой: 05.03.2025 — ср, а указано «чт»"]


def test_weekdays_survive_the_stored_format():
    from roadmap.schedule import Schedule

    schedule = parse("5 марта (пт)")
    again = Schedule.from_dict(schedule.to_dict())
    assert again.weekday_conflicts([date(2026, 3, 5)]) == schedule.weekday_conflicts([date(2026, 3, 5)])
    assert again.weekday_conflicts([date(2026, 3, 5)])


# ---------------------------------------------------------------------------------------------
# Property: a weekday after each date changes nothing but the warnings.

import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from roadmap.schedule.model import MONTHS_GEN  # noqa: E402

_WEEKDAY_SPELLINGS = [
    ("пн", "пн.", "понедельник", "Пн", "ПН."),
    ("вт", "вт.", "вторник", "Вт"),
    ("ср", "ср.", "среда", "Ср."),
    ("чт", "чт.", "четверг", "Чт", "Четверг"),
    ("пт", "пт.", "пятница", "ПТ"),
    ("сб", "сб.", "суббота", "Сб."),
    ("вс", "вс.", "воскресенье", "Вс"),
]
_DASHES = ["-", "–", "—", " - ", " – ", " — ", "- ", " -"]


@st.composite
def _date_text(draw, year: int | None = None):
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    numeric = draw(st.booleans())
    if year is None and draw(st.booleans()):
        year = 2026
    if numeric:
        text = f"{day:02d}.{month:02d}" + (f".{year}" if year else "")
        if year and draw(st.booleans()):
            text += draw(st.sampled_from(["г.", " г.", "г"]))
    else:
        text = f"{day} {MONTHS_GEN[month]}" + (f" {year}" if year else "")
        if year and draw(st.booleans()):
            text += draw(st.sampled_from([" г.", "г.", " года"]))
    return text


@st.composite
def _dated_phrase(draw):
    """A phrase as a template: ``{}`` marks where a weekday may follow a date."""
    first = draw(_date_text())
    shape = draw(st.sampled_from(["day", "until", "range", "from_to", "list", "name"]))
    if shape == "day":
        return first + "{}"
    if shape == "until":
        return draw(st.sampled_from(["до ", "не позднее ", "к "])) + first + "{}"
    if shape == "name":
        return first + "{}" + draw(st.sampled_from([" Всероссийский урок", " – Ярмарка профессий", ", г. Краснодар"]))
    second = draw(_date_text())
    if shape == "range":
        return first + "{}" + draw(st.sampled_from(_DASHES)) + second + "{}"
    if shape == "from_to":
        return f"с {first}{{}} по {second}{{}}"
    return first + "{}, " + second + "{}"


@st.composite
def _weekday(draw):
    spelling = draw(st.sampled_from(draw(st.sampled_from(_WEEKDAY_SPELLINGS))))
    if draw(st.booleans()):
        return f"{draw(st.sampled_from([' ', '']))}({spelling})"
    return f", {spelling}"


def _dates(phrase: str, start: date, end: date):
    schedule = parse(phrase)
    return schedule.kind, [o.to_dict() for o in schedule.occurrences(start, end)]


@settings(max_examples=150, deadline=None)
@given(_dated_phrase(), st.data())
def test_a_weekday_after_each_date_gives_the_same_occurrences(template, data):
    plain = template.replace("{}", "")
    with_weekdays = template.format(*(data.draw(_weekday()) for _ in range(template.count("{}"))))
    for start, end in ((date(2026, 1, 1), date(2026, 12, 31)), (date(2025, 9, 1), date(2027, 8, 31))):
        assert _dates(with_weekdays, start, end) == _dates(plain, start, end), with_weekdays


_DATE_START_RE = re.compile(r"(?<![\d.])\d{1,2}(?: (?:" + "|".join(MONTHS_GEN[1:]) + r")|\.\d{2})")


@st.composite
def _weekday_before(draw):
    spelling = draw(st.sampled_from(draw(st.sampled_from(_WEEKDAY_SPELLINGS))))
    return draw(st.sampled_from([f"({spelling}) ", f"{spelling}, ", f"{spelling} "]))


@settings(max_examples=150, deadline=None)
@given(_dated_phrase(), st.data())
def test_a_weekday_before_each_date_gives_the_same_occurrences(template, data):
    # The template marks the place after each date; the weekday goes before that date instead.
    pieces = template.split("{}")
    plain = "".join(pieces)
    dated = list(_DATE_START_RE.finditer(plain))
    assert len(dated) == template.count("{}"), plain
    with_weekdays, last = "", 0
    for m in dated:
        with_weekdays += plain[last : m.start()] + data.draw(_weekday_before())
        last = m.start()
    with_weekdays += plain[last:]
    for start, end in ((date(2026, 1, 1), date(2026, 12, 31)), (date(2025, 9, 1), date(2027, 8, 31))):
        assert _dates(with_weekdays, start, end) == _dates(plain, start, end), with_weekdays
