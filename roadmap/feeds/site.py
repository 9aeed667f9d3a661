"""Where feeds say they live: the base URL of their links and the host of their UIDs.

Read from the configuration (FEED_BASE_URL, else the site's BASE_URL or SERVER_NAME, as e-mail
reminders use; FEED_UID_HOST, else the base URL's host), never from a request's Host header for
UIDs: a client that reaches the site under another name must not see every event duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = [
    "DEVELOPMENT_BASE_URL",
    "FALLBACK_UID_HOST",
    "configured_base_url",
    "feed_max_bytes",
    "feed_today",
    "feed_url",
    "uid_host",
]

# What `make run` serves: `flask feeds url` works right after it without any setting.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# UIDs of a site that configured no name at all: stable, and never a real host.
FALLBACK_UID_HOST = "roadmap.localhost"


def configured_base_url(config: Mapping) -> str | None:
    """FEED_BASE_URL, else the site's base URL (roadmap.reminders.service.base_url); no slash at the end."""
    value = config.get("FEED_BASE_URL")
    if not value:
        from roadmap.reminders.service import base_url

        value = base_url()
    return value.rstrip("/") if value else None


def uid_host(config: Mapping) -> str:
    """The host part of every UID: FEED_UID_HOST, else the configured base URL's host."""
    host = config.get("FEED_UID_HOST")
    if not host:
        base = configured_base_url(config)
        host = urlsplit(base).hostname if base else None
    return (host or FALLBACK_UID_HOST).split(":")[0]


def feed_today(config: Mapping, zone: str):
    """The feeds' "today": FEED_TODAY when it pins the date (tests), else the clock in ``zone``."""
    pinned = config.get("FEED_TODAY")
    if pinned is not None:
        return pinned
    from roadmap.clock import today_in

    return today_in(zone)


def feed_max_bytes(config: Mapping) -> int:
    """The size bound of a feed body: FEED_MAX_BYTES, else roadmap.feeds.render.DEFAULT_MAX_BYTES."""
    from roadmap.feeds.render import DEFAULT_MAX_BYTES

    return int(config.get("FEED_MAX_BYTES", DEFAULT_MAX_BYTES))


def feed_url(app, token: str, base: str) -> str:
    """The https (or http) URL of a feed under ``base``, built outside any request."""
    from flask import url_for

    with app.test_request_context(base_url=base):
        return url_for("feeds.feed", token=token, _external=True)
