import inspect
import re
import time as clock
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from roadmap.ical import FeedCalendar, build_calendar, feed_etag, todo_status

from .helpers import blocks, content_lines, items, physical_lines

MOSCOW = ZoneInfo("Europe/Moscow")


# Calendar properties


def test_calendar_properties(feed_calendar, make_event):
    lines = content_lines(build_calendar(feed_calendar, [make_event()]))
    header = lines[: lines.index("BEGIN:VTIMEZONE")]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    for expected in [
        "VERSION:2.0",
        "PRODID:-//roadmap//Дорожная карта//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:МБОУ СОШ № 1: дорожная карта",
        "NAME:МБОУ СОШ № 1: дорожная карта",
        "X-WR-CALDESC:Задачи школы на 2023/24",
        "X-WR-TIMEZONE:Europe/Moscow",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]:
        assert expected in header


def test_calendar_without_description_has_no_caldesc(make_event):
    body = build_calendar(FeedCalendar(name="Школа"), [make_event()])
    assert b"X-WR-CALDESC" not in body
    assert b"\r\nDESCRIPTION:" not in body.split(b"BEGIN:VTIMEZONE")[0]


@pytest.mark.parametrize(("minutes", "value"), [(60, "PT1H"), (90, "PT1H30M"), (1440, "P1D")])
def test_refresh_interval_follows_refresh_minutes(make_event, minutes, value):
    body = build_calendar(FeedCalendar(name="Школа", refresh_minutes=minutes), [make_event()])
    lines = content_lines(body)
    assert f"REFRESH-INTERVAL;VALUE=DURATION:{value}" in lines
    assert f"X-PUBLISHED-TTL:{value}" in lines


def test_refresh_minutes_must_be_positive():
    with pytest.raises(ValueError):
        FeedCalendar(name="Школа", refresh_minutes=0)


def test_crlf_line_endings_only(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event(description="а\nб\r\nв\rг")])
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")


# Pitfall: TZID without VTIMEZONE (Outlook shows an empty calendar)


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
@pytest.mark.parametrize("view", ["due", "spans"])
def test_every_tzid_has_a_vtimezone(feed_calendar, make_event, view, component):
    events = [make_event(), make_event(uid="task-2@roadmap.example", completed=True)]
    body = build_calendar(feed_calendar, events, view=view, component=component, alarm_time=time(9))
    calendar = Calendar.from_ical(body)
    assert calendar.get_missing_tzids() == set()
    used = set(re.findall(r";TZID=([^:;]+)", body.decode()))
    defined = {tz.tz_name for tz in calendar.timezones}
    assert used <= defined
    # Instants are UTC and deadlines are dates: nothing refers to a TZID at all.
    assert used == set()


def test_vtimezone_named_by_x_wr_timezone_is_always_present(feed_calendar):
    calendar = Calendar.from_ical(build_calendar(feed_calendar, []))
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Moscow"]
    assert calendar["X-WR-TIMEZONE"] == "Europe/Moscow"
    # It describes UTC+3, and describing the feed's years keeps it short.
    assert "TZOFFSETTO:+0300" in content_lines(build_calendar(feed_calendar, []))
    assert len(calendar.timezones[0].to_ical()) < 400


def test_other_timezone(make_event):
    body = build_calendar(FeedCalendar(name="Школа", timezone="Asia/Yekaterinburg"), [make_event()])
    calendar = Calendar.from_ical(body)
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Yekaterinburg"]
    assert "X-WR-TIMEZONE:Asia/Yekaterinburg" in content_lines(body)


def test_unknown_timezone_is_an_error(make_event):
    with pytest.raises(ValueError):
        build_calendar(FeedCalendar(name="Школа", timezone="Europe/Atlantis"), [make_event()])


# Event properties


def test_event_properties(feed_calendar, make_event):
    event = make_event(sequence=4)
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent.name == "VEVENT"
    assert vevent["UID"] == "task-1@roadmap.example"
    assert vevent["SUMMARY"] == "○ 3.4 Экскурсии на предприятия"
    assert vevent["URL"] == "https://roadmap.example/tasks/1"
    assert vevent.categories == ["3. Профориентация"]
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["TRANSP"] == "TRANSPARENT"
    assert vevent["SEQUENCE"] == 4
    assert vevent.stamp == datetime(2023, 8, 1, 9, 30, tzinfo=UTC)
    assert vevent.last_modified == datetime(2023, 8, 1, 9, 30, tzinfo=UTC)
    assert vevent.created == datetime(2023, 7, 1, 8, 0, tzinfo=UTC)


def test_instants_are_written_in_utc(feed_calendar, make_event):
    event = make_event(
        last_modified=datetime(2023, 8, 1, 12, 30, tzinfo=MOSCOW),
        created=datetime(2023, 7, 1, 3, 0, tzinfo=timezone(timedelta(hours=5))),
    )
    [lines] = blocks(build_calendar(feed_calendar, [event]), "VEVENT")
    assert "DTSTAMP:20230801T093000Z" in lines
    assert "LAST-MODIFIED:20230801T093000Z" in lines
    assert "CREATED:20230630T220000Z" in lines


def test_optional_properties_are_left_out(feed_calendar, make_event):
    event = make_event(url=None, categories=[], created=None)
    [lines] = blocks(build_calendar(feed_calendar, [event]), "VEVENT")
    names = {line.split(":")[0].split(";")[0] for line in lines}
    assert not names & {"URL", "CATEGORIES", "CREATED"}


def test_several_categories(feed_calendar, make_event):
    event = make_event(categories=["3. Профориентация", "Раздел 4, наставничество"])
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent.categories == ["3. Профориентация", "Раздел 4, наставничество"]
    [lines] = blocks(build_calendar(feed_calendar, [event]), "VEVENT")
    assert "CATEGORIES:3. Профориентация,Раздел 4\\, наставничество" in lines


def test_due_view_is_one_all_day_event_on_effective_due_date(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()], view="due")
    [lines] = blocks(body, "VEVENT")
    assert "DTSTART;VALUE=DATE:20231002" in lines
    assert "DTEND;VALUE=DATE:20231003" in lines
    [vevent] = items(body)
    assert vevent.start == date(2023, 10, 2)
    assert vevent.end == date(2023, 10, 3)


def test_due_view_states_the_window_in_description(feed_calendar, make_event):
    [vevent] = items(build_calendar(feed_calendar, [make_event()]))
    assert vevent["DESCRIPTION"] == (
        "Мероприятие: экскурсии на предприятия\nОтветственный: Иванова И. И.\n\n"
        "Срок: 1–30 сентября 2023 г. (перенесён на 2 октября 2023 г. — выходной)"
    )


def test_window_without_move_and_empty_description(feed_calendar, make_event):
    event = make_event(description="", due_effective=date(2023, 9, 30))
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent["DESCRIPTION"] == "Срок: 1–30 сентября 2023 г."


def test_spans_view_covers_the_window(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()], view="spans")
    [lines] = blocks(body, "VEVENT")
    assert "DTSTART;VALUE=DATE:20230901" in lines
    assert "DTEND;VALUE=DATE:20231003" in lines
    [vevent] = items(body)
    assert "Срок: 1–30 сентября 2023 г." in vevent["DESCRIPTION"]


# Pitfall: all-day events with DTEND equal to DTSTART vanish

WINDOWS = [
    (date(2023, 9, 1), date(2023, 9, 1), date(2023, 9, 1)),
    (date(2023, 9, 1), date(2023, 9, 30), date(2023, 9, 30)),
    (date(2023, 9, 1), date(2023, 9, 30), date(2023, 10, 2)),
    (date(2023, 12, 31), date(2023, 12, 31), date(2024, 1, 9)),
    (date(2024, 2, 1), date(2024, 2, 28), date(2024, 2, 29)),
]


@pytest.mark.parametrize("view", ["due", "spans"])
@pytest.mark.parametrize(("start", "due", "due_effective"), WINDOWS)
def test_dtend_is_strictly_after_dtstart(feed_calendar, make_event, view, start, due, due_effective):
    event = make_event(start=start, due=due, due_effective=due_effective)
    [vevent] = items(build_calendar(feed_calendar, [event], view=view))
    assert type(vevent.start) is date
    assert type(vevent.end) is date
    assert vevent.end > vevent.start
    assert vevent.end == due_effective + timedelta(days=1)


# Pitfall: DTSTAMP set to "now"; an unchanged feed must be byte-identical


def test_same_input_gives_byte_identical_output(feed_calendar, make_event):
    events = [make_event(uid=f"task-{n}@roadmap.example", sequence=n) for n in range(5)]
    first = build_calendar(feed_calendar, events)
    clock.sleep(1.1)
    second = build_calendar(feed_calendar, events)
    assert first == second
    assert feed_etag(first) == feed_etag(second)


def test_dtstamp_is_the_last_change_not_now(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()])
    now = datetime.now(UTC).strftime("%Y%m%d")
    stamps = [line for line in content_lines(body) if line.startswith("DTSTAMP")]
    assert stamps == ["DTSTAMP:20230801T093000Z"]
    assert now not in body.decode()


def test_output_does_not_depend_on_input_order(feed_calendar, make_event):
    events = [
        make_event(uid="task-b@roadmap.example", due_effective=date(2023, 10, 2)),
        make_event(uid="task-a@roadmap.example", due_effective=date(2023, 10, 2)),
        make_event(uid="task-c@roadmap.example", due=date(2023, 9, 5), due_effective=date(2023, 9, 5)),
        make_event(uid="task-0@roadmap.example", due=date(2023, 12, 1), due_effective=date(2023, 12, 1)),
    ]
    body = build_calendar(feed_calendar, events)
    assert body == build_calendar(feed_calendar, list(reversed(events)))
    assert body == build_calendar(feed_calendar, tuple(events[2:] + events[:2]))
    assert [e["UID"] for e in items(body)] == [
        "task-c@roadmap.example",
        "task-a@roadmap.example",
        "task-b@roadmap.example",
        "task-0@roadmap.example",
    ]


# Pitfall: UIDs that change between fetches (duplicates in the client)


def test_uids_are_the_callers_and_stable(feed_calendar, make_event):
    def build():
        events = [make_event(uid=f"task-{n}@roadmap.example") for n in (3, 1, 2)]
        return build_calendar(feed_calendar, events)

    first, second = build(), build()
    assert [e["UID"] for e in items(first)] == [e["UID"] for e in items(second)]
    assert {e["UID"] for e in items(first)} == {f"task-{n}@roadmap.example" for n in (1, 2, 3)}
    # An edit changes SEQUENCE, not UID.
    edited = build_calendar(feed_calendar, [make_event(summary="Новое название", sequence=1)])
    [vevent] = items(edited)
    assert vevent["UID"] == "task-1@roadmap.example"
    assert vevent["SEQUENCE"] == 1


def test_duplicate_uids_are_refused(feed_calendar, make_event):
    events = [make_event(), make_event(due_effective=date(2023, 12, 1), due=date(2023, 12, 1))]
    with pytest.raises(ValueError, match="duplicate UID"):
        build_calendar(feed_calendar, events)


def test_etag_changes_exactly_when_content_changes(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()])
    etag = feed_etag(body)
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert feed_etag(build_calendar(feed_calendar, [make_event()])) == etag
    changed = build_calendar(
        feed_calendar,
        [make_event(sequence=1, last_modified=datetime(2023, 8, 2, tzinfo=UTC))],
    )
    assert feed_etag(changed) != etag


# Alarms


def alarm_lines(body: bytes) -> list[list[str]]:
    return blocks(body, "VALARM")


def test_default_alarms_three_days_and_one_day_before(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()])
    assert alarm_lines(body) == [
        [
            "ACTION:DISPLAY",
            "DESCRIPTION:Срок через 3 дня: ○ 3.4 Экскурсии на предприятия",
            "TRIGGER:-P3D",
        ],
        [
            "ACTION:DISPLAY",
            "DESCRIPTION:Срок завтра: ○ 3.4 Экскурсии на предприятия",
            "TRIGGER:-P1D",
        ],
    ]


@pytest.mark.parametrize(
    ("days", "at", "view", "trigger"),
    [
        ((1,), time(9), "due", "TRIGGER:-PT15H"),
        ((3,), time(9), "due", "TRIGGER:-P2DT15H"),
        ((0,), time(9), "due", "TRIGGER:PT9H"),
        ((0,), None, "due", "TRIGGER:P0D"),
        ((3,), time(9, 30), "due", "TRIGGER:-P2DT14H30M"),
        # spans: DTEND is the day after the deadline, so the trigger counts from it
        ((3,), None, "spans", "TRIGGER;RELATED=END:-P4D"),
        ((1,), time(9), "spans", "TRIGGER;RELATED=END:-P1DT15H"),
    ],
)
def test_alarm_triggers(feed_calendar, make_event, days, at, view, trigger):
    body = build_calendar(feed_calendar, [make_event(alarm_days=days)], view=view, alarm_time=at)
    [alarm] = alarm_lines(body)
    assert trigger in alarm


def test_alarms_off(feed_calendar, make_event):
    assert alarm_lines(build_calendar(feed_calendar, [make_event()], alarms=False)) == []
    assert alarm_lines(build_calendar(feed_calendar, [make_event(alarm_days=())])) == []


def test_alarm_days_are_deduplicated_and_ordered(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event(alarm_days=(1, 7, 1, 3))])
    triggers = [line for alarm in alarm_lines(body) for line in alarm if line.startswith("TRIGGER")]
    assert triggers == ["TRIGGER:-P7D", "TRIGGER:-P3D", "TRIGGER:-P1D"]


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
def test_done_and_cancelled_tasks_do_not_ring(feed_calendar, make_event, component):
    events = [
        make_event(uid="done@roadmap.example", completed=True),
        make_event(uid="cancelled@roadmap.example", status="CANCELLED"),
    ]
    body = build_calendar(feed_calendar, events, component=component)
    assert len(items(body)) == 2
    assert alarm_lines(body) == []


def test_every_alarm_has_action_description_and_trigger(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event(alarm_days=(14, 7, 3, 1, 0))])
    calendar = Calendar.from_ical(body)
    alarms = [c for c in calendar.walk() if c.name == "VALARM"]
    assert len(alarms) == 5
    for alarm in alarms:
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["DESCRIPTION"].strip()
        assert isinstance(alarm.decoded("TRIGGER"), timedelta)


def test_alarm_time_must_be_naive(feed_calendar, make_event):
    with pytest.raises(ValueError, match="naive"):
        build_calendar(feed_calendar, [make_event()], alarm_time=time(9, tzinfo=UTC))


# Pitfall: VTODO-only feeds (Google, Outlook and iOS show nothing)


def test_default_component_is_vevent(feed_calendar, make_event):
    parameters = inspect.signature(build_calendar).parameters
    assert parameters["component"].default == "VEVENT"
    assert parameters["view"].default == "due"
    body = build_calendar(feed_calendar, [make_event()])
    assert b"BEGIN:VEVENT" in body
    assert b"VTODO" not in body


def test_vtodo_variant(feed_calendar, make_event):
    body = build_calendar(feed_calendar, [make_event()], component="VTODO")
    assert b"VEVENT" not in body
    [lines] = blocks(body, "VTODO")
    assert "DTSTART;VALUE=DATE:20230901" in lines
    assert "DUE;VALUE=DATE:20231002" in lines
    assert "STATUS:NEEDS-ACTION" in lines
    assert "PERCENT-COMPLETE:0" in lines
    assert not any(line.startswith(("DTEND", "TRANSP", "COMPLETED")) for line in lines)
    # For a VTODO the reminder counts from DUE itself.
    assert "TRIGGER;RELATED=END:-P3D" in lines
    [todo] = items(body)
    assert todo.name == "VTODO"
    assert todo["UID"] == "task-1@roadmap.example"


def test_vtodo_one_day_task_has_due_but_no_dtstart(feed_calendar, make_event):
    day = date(2023, 9, 15)
    body = build_calendar(feed_calendar, [make_event(start=day, due=day, due_effective=day)], component="VTODO")
    [lines] = blocks(body, "VTODO")
    assert "DUE;VALUE=DATE:20230915" in lines
    assert not any(line.startswith("DTSTART") for line in lines)


@pytest.mark.parametrize(
    ("status", "completed", "todo", "percent"),
    [
        ("CONFIRMED", False, "NEEDS-ACTION", 0),
        ("TENTATIVE", False, "IN-PROCESS", 0),
        ("CONFIRMED", True, "COMPLETED", 100),
        ("TENTATIVE", True, "COMPLETED", 100),
        ("CANCELLED", False, "CANCELLED", 0),
        ("CANCELLED", True, "CANCELLED", 0),
    ],
)
def test_vtodo_status_follows_completed(feed_calendar, make_event, status, completed, todo, percent):
    assert todo_status(status, completed) == todo
    event = make_event(status=status, completed=completed)
    [lines] = blocks(build_calendar(feed_calendar, [event], component="VTODO"), "VTODO")
    assert f"STATUS:{todo}" in lines
    assert f"PERCENT-COMPLETE:{percent}" in lines
    assert ("COMPLETED:20230801T093000Z" in lines) == (todo == "COMPLETED")


def test_completed_tasks_are_rendered_as_given(feed_calendar, make_event):
    # Filtering done tasks is the feed query's job; the builder renders what it gets.
    event = make_event(summary="✓ 3.4 Экскурсии на предприятия", completed=True)
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent["SUMMARY"] == "✓ 3.4 Экскурсии на предприятия"
    assert vevent["STATUS"] == "CONFIRMED"


def test_bad_view_or_component(feed_calendar, make_event):
    with pytest.raises(ValueError):
        build_calendar(feed_calendar, [make_event()], view="month")
    with pytest.raises(ValueError):
        build_calendar(feed_calendar, [make_event()], component="VJOURNAL")


# Escaping and folding


def test_special_characters_are_escaped(feed_calendar, make_event):
    event = make_event(summary='3,4; "кавычки" \\ обратная\nвторая строка: C:\\New')
    body = build_calendar(feed_calendar, [event])
    [lines] = blocks(body, "VEVENT")
    assert 'SUMMARY:3\\,4\\; "кавычки" \\\\ обратная\\nвторая строка: C:\\\\New' in lines
    [vevent] = items(body)
    assert vevent["SUMMARY"] == '3,4; "кавычки" \\ обратная\nвторая строка: C:\\New'


def test_literal_backslash_n_is_not_a_line_break(feed_calendar, make_event):
    # icalendar 7's own vText turns "\N" into a line break; the builder must not.
    event = make_event(summary="Папка \\Новое \\N \\n", description="путь C:\\Nowhere")
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent["SUMMARY"] == "Папка \\Новое \\N \\n"
    assert vevent["DESCRIPTION"].startswith("путь C:\\Nowhere\n\n")


def test_line_breaks_are_normalised_and_controls_dropped(feed_calendar, make_event):
    event = make_event(summary="а\x00б\x07в\tг", description="1\r\n2\r3\n4\x1b")
    [vevent] = items(build_calendar(feed_calendar, [event]))
    assert vevent["SUMMARY"] == "абв\tг"
    assert vevent["DESCRIPTION"].startswith("1\n2\n3\n4\n\n")


LONG_RUSSIAN = (
    "Организация и проведение экскурсий обучающихся 6–11 классов на предприятия "
    "муниципального образования, в том числе в рамках проекта «Билет в будущее»; "
    "подготовка отчёта с фотографиями, списком участников и отзывами родителей. "
) * 4


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
def test_folding_keeps_lines_short_and_characters_whole(feed_calendar, make_event, component):
    event = make_event(
        summary="○ " + LONG_RUSSIAN[:200] + " 😀 ✓ ⟳",
        description=LONG_RUSSIAN + "\n" + "ё" * 301 + "\n" + "€" * 100,
        categories=["Раздел " + "Ж" * 80],
        url="https://roadmap.example/tasks/1?" + "x" * 200,
    )
    body = build_calendar(
        FeedCalendar(name="Школа " + "Щ" * 100, description=LONG_RUSSIAN),
        [event],
        component=component,
    )
    lines = physical_lines(body)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # every physical line is valid UTF-8 on its own
    assert sum(1 for line in lines if line.startswith(b" ")) > 20
    [parsed] = items(body)
    assert parsed["SUMMARY"] == event.summary
    assert parsed["DESCRIPTION"].startswith(event.description + "\n\n")
    assert parsed.categories == list(event.categories)
    assert parsed["URL"] == event.url


# Validation of the records


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"last_modified": datetime(2023, 8, 1, 9, 30)}, ValueError),
        ({"created": datetime(2023, 8, 1, 9, 30)}, ValueError),
        ({"start": date(2023, 10, 1)}, ValueError),
        ({"start": datetime(2023, 9, 1, tzinfo=UTC)}, TypeError),
        ({"due_effective": datetime(2023, 10, 2, tzinfo=UTC)}, TypeError),
        ({"status": "NEEDS-ACTION"}, ValueError),
        ({"url": "https://roadmap.example/\r\nX-EVIL:1"}, ValueError),
        ({"uid": ""}, ValueError),
        ({"uid": "a\nb"}, ValueError),
        ({"sequence": -1}, ValueError),
        ({"alarm_days": (-1,)}, ValueError),
        ({"categories": "Раздел 3"}, TypeError),
    ],
)
def test_bad_records_are_refused(make_event, overrides, error):
    with pytest.raises(error):
        make_event(**overrides)
