"""Feeds read back by Mozilla's ical.js, the parser inside Thunderbird."""

import random
import re
from datetime import UTC, date, datetime, time

import pytest

from roadmap.ical import FeedCalendar, build_calendar

from .helpers import normalised

NASTY = [
    '3,4; "кавычки" \\ C:\\New \\n \\N конец\\',
    "строка 1\nстрока 2\n\nстрока 4",
    "эмодзи 😀 и ✓ ⟳ ✕ ○ — «ёлочки»",
    ":двоеточие:в:начале; и ^ карет ^n",
    "BEGIN:VEVENT\nEND:VCALENDAR",
    "ё" * 150,
    " пробелы по краям ",
    "\t табуляция",
    "разделители\u2028строк\u2029и\u0085NEL\u000bVT\u000cFF",
]


def unescape_text(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def random_text(rng: random.Random) -> str:
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБЯЁ,;:\\\n\"'^ -–—№«»✓😀€\tNn"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))


@pytest.fixture
def mixed_feed(feed_calendar, make_event):
    return [
        make_event(),
        make_event(
            uid="task-2@roadmap.example",
            summary="✓ 1.2 Родительское собрание",
            start=date(2023, 11, 1),
            due=date(2024, 1, 31),
            due_effective=date(2024, 1, 31),
            completed=True,
            status="CONFIRMED",
            sequence=3,
            categories=["1. Родители", "Раздел 2, наставничество"],
        ),
        make_event(
            uid="task-3@roadmap.example",
            summary="◔ 2.1 Отчёт",
            start=date(2023, 9, 15),
            due=date(2023, 9, 15),
            due_effective=date(2023, 9, 15),
            status="TENTATIVE",
            url=None,
            created=None,
            alarm_days=(7, 0),
        ),
    ]


def test_calendar_properties(ical_js, feed_calendar, mixed_feed):
    parsed = ical_js(build_calendar(feed_calendar, mixed_feed))
    props = parsed["properties"]
    assert props["version"]["value"] == "2.0"
    assert props["prodid"]["value"] == "-//roadmap//Дорожная карта//RU"
    assert props["calscale"]["value"] == "GREGORIAN"
    assert props["method"]["value"] == "PUBLISH"
    assert props["x-wr-calname"]["value"] == "МБОУ СОШ № 1: дорожная карта"
    assert props["x-wr-caldesc"]["value"] == "Задачи школы на 2023/24"
    assert props["x-wr-timezone"]["value"] == "Europe/Moscow"
    assert props["refresh-interval"] == {"value": "PT1H", "type": "duration", "params": {}}
    assert props["x-published-ttl"]["value"] == "PT1H"
    assert parsed["timezones"] == ["Europe/Moscow"]


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
@pytest.mark.parametrize("view", ["due", "spans"])
def test_no_tzid_without_vtimezone(ical_js, feed_calendar, mixed_feed, view, component):
    body = build_calendar(feed_calendar, mixed_feed, view=view, component=component, alarm_time=time(9))
    parsed = ical_js(body)
    assert set(parsed["usedTzids"]) <= set(parsed["timezones"])
    assert "Europe/Moscow" in parsed["timezones"]


def test_due_view_as_thunderbird_sees_it(ical_js, feed_calendar, mixed_feed):
    parsed = ical_js(build_calendar(feed_calendar, mixed_feed))
    assert [i["uid"] for i in parsed["items"]] == [
        "task-3@roadmap.example",
        "task-1@roadmap.example",
        "task-2@roadmap.example",
    ]
    first, second, third = parsed["items"]
    assert all(i["component"] == "VEVENT" for i in parsed["items"])
    assert all(i["isDate"] for i in parsed["items"])
    assert all(i["duration"] == "P1D" for i in parsed["items"])
    assert (second["dtstart"], second["dtend"]) == ("2023-10-02", "2023-10-03")
    assert (third["dtstart"], third["dtend"]) == ("2024-01-31", "2024-02-01")
    assert second["summary"] == "○ 3.4 Экскурсии на предприятия"
    assert second["description"].endswith("\n\nСрок: 1–30 сентября 2023 г. (перенесён на 2 октября 2023 г. — выходной)")
    assert second["url"] == "https://roadmap.example/tasks/1"
    assert second["categories"] == ["3. Профориентация"]
    assert third["categories"] == ["1. Родители", "Раздел 2, наставничество"]
    assert second["status"] == "CONFIRMED"
    assert first["status"] == "TENTATIVE"
    assert second["transp"] == "TRANSPARENT"
    assert second["sequence"] == 0
    assert third["sequence"] == 3
    assert second["dtstamp"] == second["lastModified"] == "2023-08-01T09:30:00Z"
    assert second["created"] == "2023-07-01T08:00:00Z"
    assert first["url"] is None and first["created"] is None
    # Alarms: midnight 3 days and 1 day before the effective deadline; none for done work.
    assert [(a["action"], a["fires"]) for a in second["alarms"]] == [
        ("DISPLAY", "2023-09-29T00:00:00"),
        ("DISPLAY", "2023-10-01T00:00:00"),
    ]
    assert second["alarms"][0]["description"] == "Срок через 3 дня: ○ 3.4 Экскурсии на предприятия"
    assert [a["fires"] for a in first["alarms"]] == ["2023-09-08T00:00:00", "2023-09-15T00:00:00"]
    assert third["alarms"] == []


def test_spans_view_as_thunderbird_sees_it(ical_js, feed_calendar, mixed_feed):
    parsed = ical_js(build_calendar(feed_calendar, mixed_feed, view="spans", alarm_time=time(9)))
    by_uid = {i["uid"]: i for i in parsed["items"]}
    task = by_uid["task-1@roadmap.example"]
    assert (task["dtstart"], task["dtend"], task["isDate"]) == ("2023-09-01", "2023-10-03", True)
    assert task["duration"] == "P32D"
    # Reminders still count from the deadline, at 09:00 local time.
    assert [a["fires"] for a in task["alarms"]] == ["2023-09-29T09:00:00", "2023-10-01T09:00:00"]
    assert all(a["related"] == "END" for a in task["alarms"])
    one_day = by_uid["task-3@roadmap.example"]
    assert (one_day["dtstart"], one_day["dtend"]) == ("2023-09-15", "2023-09-16")
    assert [a["fires"] for a in one_day["alarms"]] == ["2023-09-08T09:00:00", "2023-09-15T09:00:00"]


def test_vtodo_as_thunderbird_sees_it(ical_js, feed_calendar, mixed_feed):
    parsed = ical_js(build_calendar(feed_calendar, mixed_feed, component="VTODO", alarm_time=time(9)))
    by_uid = {i["uid"]: i for i in parsed["items"]}
    assert {i["component"] for i in parsed["items"]} == {"VTODO"}
    task = by_uid["task-1@roadmap.example"]
    assert (task["dtstart"], task["due"], task["isDate"]) == ("2023-09-01", "2023-10-02", True)
    assert (task["status"], task["percentComplete"]) == ("NEEDS-ACTION", 0)
    assert [a["fires"] for a in task["alarms"]] == ["2023-09-29T09:00:00", "2023-10-01T09:00:00"]
    done = by_uid["task-2@roadmap.example"]
    assert (done["status"], done["percentComplete"], done["completed"]) == (
        "COMPLETED",
        100,
        "2023-08-01T09:30:00Z",
    )
    assert done["alarms"] == []
    assert by_uid["task-3@roadmap.example"]["status"] == "IN-PROCESS"
    assert by_uid["task-3@roadmap.example"]["due"] == "2023-09-15"


def test_texts_round_trip_through_ical_js(ical_js, make_event):
    rng = random.Random(20230901)
    texts = NASTY + [random_text(rng) for _ in range(60)]
    events = [
        make_event(uid=f"task-{n}@roadmap.example", summary=text, description=text, categories=[text or "-"])
        for n, text in enumerate(texts)
    ]
    calendar = FeedCalendar(name=NASTY[0], description=NASTY[1])
    parsed = ical_js(build_calendar(calendar, events))
    # ical.js does not know X-WR-* (nor RFC 7986 NAME) and hands their values over raw,
    # still TEXT-escaped; Apple, Google and Outlook read them as TEXT.
    for prop, text in [("x-wr-calname", NASTY[0]), ("name", NASTY[0]), ("x-wr-caldesc", NASTY[1])]:
        assert parsed["properties"][prop]["type"] == "unknown"
        assert unescape_text(parsed["properties"][prop]["value"]) == text
    by_uid = {i["uid"]: i for i in parsed["items"]}
    assert len(by_uid) == len(texts)
    for n, text in enumerate(texts):
        item = by_uid[f"task-{n}@roadmap.example"]
        expected = normalised(text)
        assert item["summary"] == expected
        assert item["description"].startswith(expected + "\n\n" if expected else "Срок: ")
        assert item["categories"] == [expected or "-"]


def test_long_feed_parses(ical_js, feed_calendar, make_event):
    events = [
        make_event(
            uid=f"task-{n}@roadmap.example",
            due=date(2023, 9, 1 + n % 28),
            due_effective=date(2023, 9, 1 + n % 28),
            start=date(2023, 9, 1),
            last_modified=datetime(2023, 8, 1, tzinfo=UTC),
        )
        for n in range(200)
    ]
    parsed = ical_js(build_calendar(feed_calendar, events))
    assert len(parsed["items"]) == 200
    assert len({i["uid"] for i in parsed["items"]}) == 200
