"""Calendar subscriptions: tokens, feed scopes and options, version keys, cached bodies.

`web/feeds.py` serves `/feeds/<token>.ics` through :func:`roadmap.feeds.render.prepare` (one
aggregate query → ETag) and :func:`roadmap.feeds.render.build` (only for a version this process
has not built yet); `cli/feeds.py` prints a subscription's URL.
"""

from __future__ import annotations

from flask import Flask

from roadmap.feeds.cache import BuiltFeed, FeedCache

__all__ = ["BuiltFeed", "FeedCache", "feed_cache"]

_EXTENSION = "roadmap.feeds.cache"


def feed_cache(app: Flask) -> FeedCache:
    """The application's cache of built feeds (FEED_CACHE_ENTRIES, FEED_CACHE_BYTES)."""
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(
            _EXTENSION,
            FeedCache(
                max_entries=int(app.config.get("FEED_CACHE_ENTRIES", 256)),
                max_bytes=int(app.config.get("FEED_CACHE_BYTES", 64 * 1024 * 1024)),
            ),
        )
    return cache
