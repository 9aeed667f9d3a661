"""Small readers for the raw feed bytes, shared by the ical tests."""

from datetime import UTC, date, datetime
from typing import Any

from icalendar import Calendar, Component

from roadmap.ical import FeedEvent


def make_feed_event(**overrides: Any) -> FeedEvent:
    """A typical task record; ``overrides`` replace any field."""
    values: dict[str, Any] = {
        "uid": "task-1@roadmap.example",
        "summary": "○ 3.4 Экскурсии на предприятия",
        "description": "Мероприятие: экскурсии на предприятия\nОтветственный: Иванова И. И.",
        "start": date(2023, 9, 1),
        "due": date(2023, 9, 30),
        "due_effective": date(2023, 10, 2),
        "url": "https://roadmap.example/tasks/1",
        "categories": ["3. Профориентация"],
        "status": "CONFIRMED",
        "completed": False,
        "sequence": 0,
        "last_modified": datetime(2023, 8, 1, 9, 30, tzinfo=UTC),
        "created": datetime(2023, 7, 1, 8, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return FeedEvent(**values)


def normalised(text: str) -> str:
    """What the builder promises for any TEXT: LF line breaks, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127))


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")


def content_lines(body: bytes) -> list[str]:
    """Unfolded content lines, as a parser sees them."""
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def items(body: bytes) -> list[Component]:
    """VEVENT and VTODO components parsed back by icalendar."""
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk() if c.name in ("VEVENT", "VTODO")]


def blocks(body: bytes, name: str) -> list[list[str]]:
    """Content lines of each top-level ``name`` component, nested ones included."""
    result: list[list[str]] = []
    current: list[str] | None = None
    for line in content_lines(body):
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}":
            assert current is not None
            result.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return result
