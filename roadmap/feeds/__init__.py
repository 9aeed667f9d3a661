"""Calendar subscriptions: tokens, feed scopes and options, version keys, cached bodies.

`web/feeds.py` serves `/feeds/<token>.ics` through :func:`roadmap.feeds.render.prepare` (one
aggregate query → ETag) and :func:`roadmap.feeds.render.build` (only for a version neither this
process nor, with Redis, any other has built yet); `cli/feeds.py` prints a subscription's URL.
"""

from __future__ import annotations

from flask import Flask

from roadmap.extensions import shared_store
from roadmap.feeds.cache import BuiltFeed, FeedCache
from roadmap.feeds.shared import DEFAULT_PREFIX, SharedFeeds

__all__ = ["BuiltFeed", "FeedCache", "feed_cache", "shared_feeds"]

_EXTENSION = "roadmap.feeds.cache"
_SHARED = "roadmap.feeds.shared"


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


def shared_feeds(app: Flask):
    """The feed bodies shared through Redis (roadmap.feeds.shared) under FEED_CACHE_PREFIX, or
    None without REDIS_URL (or with FEED_SHARED_CACHE off)."""
    return shared_store(
        app,
        _SHARED,
        switch="FEED_SHARED_CACHE",
        prefix_setting="FEED_CACHE_PREFIX",
        default_prefix=DEFAULT_PREFIX,
        make=SharedFeeds.from_url,
    )
