"""Feeds pass Debian's ruby-icalendar in strict mode (issue 18): nothing outside RFC 5545."""

from datetime import date, time, timedelta

import pytest

from roadmap.ical import FeedCalendar, build_calendar
from roadmap.ical.builder import vtimezone

from .helpers import make_feed_event
from .reference import reference_bytes

TRICKY = [
    "Встреча с КубГУ; «Дни открытых дверей», этап 2",
    "C:\\New\\отчёт.docx, 50% — готово 😀",
    "Строка 1\nСтрока 2\r\nСтрока 3\rконец",
    "Очень длинное название мероприятия " * 12,
    "\ufeffс меткой порядка байтов\x00\x07",
]


def tricky_events():
    events = []
    for n, text in enumerate(TRICKY):
        due = date(2026, 9, 1) + timedelta(days=10 * n)
        events.append(
            make_feed_event(
                uid=f"task-{n}@roadmap.example",
                summary=text,
                description=text + "\n" + TRICKY[(n + 1) % len(TRICKY)],
                categories=["Раздел 3", text[:30].strip() or "-"],
                start=due - timedelta(days=30),
                due=due,
                due_effective=due + timedelta(days=n % 3),
                status=["CONFIRMED", "TENTATIVE", "CANCELLED"][n % 3],
                completed=n == 3,
                sequence=n,
                url=None if n == 4 else f"https://roadmap.example/tasks/{n}?a=1,2",
                todo_status="IN-PROCESS" if n == 0 else None,
            )
        )
    return events


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
@pytest.mark.parametrize("view", ["due", "spans"])
@pytest.mark.parametrize("zone", ["Europe/Moscow", "Europe/Berlin"])
def test_strict_ruby_icalendar_reads_every_shape(ruby_icalendar, component, view, zone):
    events = tricky_events()
    calendar = FeedCalendar(name="Школа; «сводный», 2026", description=TRICKY[1], timezone=zone)
    body = build_calendar(calendar, events, view=view, component=component, alarm_time=time(9))
    assert body == reference_bytes(calendar, events, view=view, component=component, alarm_time=time(9))
    parsed = ruby_icalendar(body)
    assert parsed["name"] == "Школа; «сводный», 2026"
    assert parsed["timezones"] == [zone]
    items = {item["uid"]: item for item in parsed["items"]}
    assert set(items) == {e.uid for e in events}
    for event in events:
        item = items[event.uid]
        assert item["component"] == component
        assert item["summary"] == event.summary.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace(
            "\x07", ""
        ).removeprefix("\ufeff")
        assert item["categories"][0] == "Раздел 3"
        assert item["sequence"] == event.sequence
        rings = not event.completed and event.status != "CANCELLED"
        assert len(item["triggers"]) == (2 if rings else 0)


def test_vtimezone_has_no_comment_at_its_own_level():
    for zone in ("Europe/Moscow", "Europe/Berlin", "Asia/Yekaterinburg"):
        lines = vtimezone(zone).decode().split("\r\n")
        top = []
        depth = 0
        for line in lines:
            if line.startswith("BEGIN:"):
                depth += 1
            elif line.startswith("END:"):
                depth -= 1
            elif depth == 1:
                top.append(line.split(":", 1)[0])
        assert "COMMENT" not in top
        assert top[0] == "TZID"
