"""Today's date where a roadmap lives (Europe/Moscow by default), not where the server runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Moscow"


def today_in(timezone: str | None = None) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone or DEFAULT_TIMEZONE)).date()
