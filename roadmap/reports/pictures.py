"""Chart pictures shared by every worker and machine through Redis, keyed by what is drawn.

`roadmap.reports.charts.to_png` keeps its own LRU per process in front. A picture new to a
process is looked up here before matplotlib draws it, and shared once drawn, so a worker that
has just started (or another worker behind the same load balancer) does not draw a report's
charts again. The key is a hash of the chart description (its data, not its object), the size,
resolution and title flag, and the renderer's version: a chart whose figures changed has a new
key, so nothing is ever invalidated by hand.

Without REDIS_URL (or with CHART_SHARED_CACHE off) there is no store and each process draws
its own pictures; Redis being down is logged and the picture drawn locally.
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import Flask, current_app, has_app_context

from roadmap.extensions import shared_store

__all__ = ["SharedPictures", "picture_key", "shared_pictures"]

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "roadmap:chart:"
DRAWN_KEY = "drawn"
# A report's pictures change with every report handed in; a week covers a quiet period.
TTL_SECONDS = 7 * 24 * 3600
# Raised whenever the drawing changes (charts.py's layout, colours, fonts): old pictures then
# miss instead of being served.
DRAWING_VERSION = 3
# After a failure Redis is left alone this long: a report's eight charts must not wait a
# connection timeout each.
RETRY_SECONDS = 30.0
_EXTENSION = "roadmap.reports.pictures"


def picture_key(description: str) -> str:
    """The store key of a picture: a hash of its description (repr of the chart and how it is drawn)."""
    return hashlib.sha256(f"{DRAWING_VERSION}\n{description}".encode()).hexdigest()


class SharedPictures:
    """PNG bytes in Redis under ``<prefix><key>``; ``<prefix>drawn`` counts the pictures every
    process drew and shared (what "drawn once, not per worker" is checked by)."""

    def __init__(self, client, ttl: int = TTL_SECONDS, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.ttl = ttl
        self.prefix = prefix
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception, what: str) -> None:
        self._down_until = time.monotonic() + RETRY_SECONDS
        log.warning("chart pictures: Redis unavailable (%s): %s for %.0f s", exc, what, RETRY_SECONDS)

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> SharedPictures:
        from roadmap.extensions import cache_client

        return cls(cache_client(url), prefix=prefix)

    def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            return self.client.get(self.prefix + key)
        except Exception as exc:  # noqa: BLE001 - any Redis failure means "not shared"
            self._failed(exc, "drawing locally")
            return None

    def put(self, key: str, picture: bytes) -> None:
        if not self._available():
            return
        try:
            self.client.set(self.prefix + key, picture, ex=self.ttl)
            self.client.incr(self.prefix + DRAWN_KEY)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc, "pictures not shared")


def shared_pictures(app: Flask | None = None) -> SharedPictures | None:
    """The application's store (CHART_CACHE_PREFIX in the Redis of REDIS_URL), or None: no
    REDIS_URL, CHART_SHARED_CACHE off, or no application (a script drawing charts)."""
    if app is None:
        if not has_app_context():
            return None
        app = current_app._get_current_object()  # noqa: SLF001 (the app itself, to keep the store on)
    return shared_store(
        app,
        _EXTENSION,
        switch="CHART_SHARED_CACHE",
        prefix_setting="CHART_CACHE_PREFIX",
        default_prefix=DEFAULT_PREFIX,
        make=SharedPictures.from_url,
    )
