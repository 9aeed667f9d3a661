"""Feed options and the body cache: plain values, no database."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.feeds.cache import BuiltFeed, FeedCache
from roadmap.feeds.options import (
    DEFAULT_STATUSES,
    FeedOptions,
    OptionsError,
    default_window,
    parse_options,
    stored_options,
)


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (date(2023, 9, 15), (date(2023, 6, 1), date(2025, 3, 31))),
        (date(2023, 1, 1), (date(2022, 10, 1), date(2024, 7, 31))),
        (date(2023, 12, 31), (date(2023, 9, 1), date(2025, 6, 30))),
    ],
)
def test_default_window_is_whole_months(today, window):
    assert default_window(today) == window
    assert FeedOptions().window(today) == window


def test_defaults():
    options = parse_options({})
    assert options.statuses == DEFAULT_STATUSES == {"planned", "returned", "submitted"}
    assert (options.view, options.alarms, options.alarm_days, options.component) == ("due", True, (3, 1), "VEVENT")
    assert options.to_params() == {}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open,done"}, {"statuses": frozenset({"planned", "accepted"})}),
        ({"status": "all"}, {"statuses": frozenset({"planned", "returned", "submitted", "accepted"})}),
        ({"status": "Review"}, {"statuses": frozenset({"submitted"})}),
        ({"section": "1., 3,3"}, {"sections": ("1", "3")}),
        ({"year": "2024"}, {"plan_year": 2024}),
        ({"view": "SPANS"}, {"view": "spans"}),
        ({"alarms": "0"}, {"alarms": False}),
        ({"remind": "1,7,1"}, {"alarm_days": (7, 1)}),
        ({"format": "vtodo"}, {"component": "VTODO"}),
        ({"from": "2023-01-01", "to": "2023-12-31"}, {"date_from": date(2023, 1, 1), "date_to": date(2023, 12, 31)}),
    ],
)
def test_parse(params, expected):
    options = parse_options(params)
    for name, value in expected.items():
        assert getattr(options, name) == value
    # What is stored reads back to the same options.
    assert parse_options(options.to_params()) == options


def test_query_overrides_stored_options():
    base = parse_options({"section": "2", "alarms": "0"})
    options = parse_options({"alarms": "1"}, base=base)
    assert options.sections == ("2",) and options.alarms is True


def test_stored_garbage_falls_back_to_defaults():
    assert stored_options({"status": "nonsense", "_narrowed": "x"}) == FeedOptions()
    assert stored_options(None) == FeedOptions()


@pytest.mark.parametrize("params", [{"status": "x"}, {"year": "20x4"}, {"from": "01.09.2023"}, {"alarms": "maybe"}])
def test_errors_are_one_russian_line(params):
    with pytest.raises(OptionsError) as error:
        parse_options(params)
    message = str(error.value)
    assert "\n" not in message and any("а" <= c <= "я" for c in message.lower())


def test_summary():
    text = parse_options({"section": "3", "year": "2023", "remind": "3,1", "format": "vtodo"}).summary()
    assert text.startswith("раздел 3; 2023 год плана; не выполнено, возвращено на доработку, на проверке")
    assert "напоминания за 3 и 1 день" in text and "задачи (VTODO)" in text


def test_cache_is_bounded_by_entries_and_bytes():
    cache = FeedCache(max_entries=2, max_bytes=10_000)
    feeds = {key: BuiltFeed.make(key.encode() * 100, 1, None) for key in ("a", "b", "c")}
    for key, feed in feeds.items():
        cache.put(key, feed)
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is feeds["c"]
    big = BuiltFeed.make(bytes(range(256)) * 40, 1, None)  # incompressible-ish, over the byte bound
    cache.put("big", big)
    assert cache.get("big") is None
    assert cache.bytes_held <= 10_000


def test_cache_keeps_recently_used():
    cache = FeedCache(max_entries=2)
    cache.put("a", BuiltFeed.make(b"A", 1, None))
    cache.put("b", BuiltFeed.make(b"B", 1, None))
    cache.get("a")
    cache.put("c", BuiltFeed.make(b"C", 1, None))
    assert cache.get("a") is not None and cache.get("b") is None


def test_gzip_is_deterministic():
    assert (
        BuiltFeed.make(b"BEGIN:VCALENDAR" * 50, 0, None).gzipped
        == BuiltFeed.make(b"BEGIN:VCALENDAR" * 50, 0, None).gzipped
    )


def test_reminder_hour_is_configured_from_the_environment(monkeypatch, tmp_path):
    from datetime import time

    import pytest

    from roadmap.config import Config, ConfigError
    from roadmap.feeds.options import parse_options

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("FEED_ALARM_TIME", "8:30")
    monkeypatch.setenv("FEED_UID_HOST", "roadmap.example.ru")
    config = Config(tmp_path)
    assert time(8, 30) == config.FEED_ALARM_TIME and config.FEED_UID_HOST == "roadmap.example.ru"
    monkeypatch.setenv("FEED_ALARM_TIME", "25:00")
    with pytest.raises(ConfigError, match="FEED_ALARM_TIME"):
        Config(tmp_path)
    options = parse_options({"remind_at": "14:30"})
    assert options.alarm_time == time(14, 30) and options.to_params() == {"remind_at": "14:30"}
    assert "в 14:30" in options.summary()
