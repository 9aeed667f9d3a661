"""The one clock: the current instant, today's date and the time zone they are read in.

Nothing else in the package reads the system clock (tests/foundation/test_one_definition.py
fails if a module calls ``date.today()`` or ``datetime.now()``): every "today" is the date in
a roadmap's zone — Europe/Moscow unless the roadmap says otherwise — never the server's.

- ``DEFAULT_TIMEZONE`` is the one literal of the default zone;
- ``app_zone()`` is the app-wide zone (the ``TIMEZONE`` setting, env ``ROADMAP_TIMEZONE``);
- ``zone_of(roadmap)`` / ``today_for(roadmap)`` are a roadmap's zone and today there;
- ``local_time(moment)`` / ``zone_label(zone)`` show a stored UTC instant to people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Moscow"

# People know Moscow time as «МСК»; other zones are shown by their tz name.
_ZONE_LABELS = {"Europe/Moscow": "МСК"}


class _Zoned(Protocol):
    timezone: str | None


def now() -> datetime:
    """The current instant, aware, in UTC: the only read of the system clock."""
    return datetime.now(UTC)


def app_zone() -> str:
    """The app-wide zone: the ``TIMEZONE`` setting inside an app, else ``DEFAULT_TIMEZONE``."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def zone_of(roadmap: _Zoned | None) -> str:
    """The zone a roadmap's dates are in: its own setting, else the app-wide zone."""
    return (getattr(roadmap, "timezone", None) if roadmap is not None else None) or app_zone()


def today_in(timezone: str | None = None) -> date:
    """Today's date in `timezone` (the app-wide zone if None)."""
    return now().astimezone(ZoneInfo(timezone or app_zone())).date()


def today_for(roadmap: _Zoned | None) -> date:
    """Today's date where `roadmap` lives."""
    return today_in(zone_of(roadmap))


def local_time(moment: datetime, timezone: str | None = None) -> datetime:
    """A stored instant in `timezone` (the app-wide zone if None); a naive value is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone or app_zone()))


def local_now(timezone: str | None = None) -> datetime:
    """The current instant in `timezone` (the app-wide zone if None)."""
    return local_time(now(), timezone)


def zone_label(timezone: str | None = None) -> str:
    """How a zone is named next to a time: «МСК» for Moscow, else the tz name."""
    zone = timezone or app_zone()
    return _ZONE_LABELS.get(zone, zone)
