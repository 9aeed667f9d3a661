"""Small readers for the raw feed bytes, shared by the ical tests."""

from icalendar import Calendar, Component


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
