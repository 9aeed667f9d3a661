"""Rendered feed bodies shared by every worker and machine through Redis, keyed by version.

Each process keeps its own LRU in front (roadmap.feeds.cache). A version new to a process is
looked up here before it is built; the first process to build it takes a short lock, so four
workers asked for a changed feed at once render it once and the others wait for its body.
Redis being down never breaks a feed: it is logged and the process builds on its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable

from roadmap.feeds.cache import BuiltFeed

__all__ = ["SharedFeeds"]

log = logging.getLogger(__name__)

# FEED_CACHE_PREFIX: installations (or test and bench runs) sharing one Redis keep apart by it.
DEFAULT_PREFIX = "roadmap:feed:"
RENDERS_KEY = "renders"
# A body outlives its version by a day at most: clients poll hourly, new versions get new keys.
TTL_SECONDS = 24 * 3600
# How long a process may hold the right to render a version, and how long others wait for it.
LOCK_SECONDS = 30
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02


class SharedFeeds:
    """Feed bodies in Redis: ``header JSON`` + newline + body bytes under ``<prefix><key>``
    (``roadmap:feed:<key>`` by default), the render lock under ``<prefix>lock:<key>``, and
    under ``<prefix>renders`` how many bodies all processes rendered (what "one render per
    change, not per worker" is checked by: the bench, an operator)."""

    def __init__(self, client, ttl: int = TTL_SECONDS, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.ttl = ttl
        self.prefix = prefix
        self.renders = 0  # bodies this process rendered and shared
        self.shared_hits = 0  # bodies this process took from Redis

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> SharedFeeds:
        from roadmap.extensions import cache_client

        return cls(cache_client(url), prefix=prefix)

    def get(self, key: str) -> BuiltFeed | None:
        try:
            raw = self.client.get(self.prefix + key)
        except Exception as exc:  # noqa: BLE001 - any Redis failure means "not shared"
            log.warning("feed cache: Redis unavailable (%s): building locally", exc)
            return None
        if raw is None:
            return None
        header, _sep, body = raw.partition(b"\n")
        try:
            meta = json.loads(header)
        except ValueError:
            return None
        return BuiltFeed(body, int(meta["events"]), meta.get("narrowed"))

    def put(self, key: str, feed: BuiltFeed) -> None:
        header = json.dumps({"events": feed.event_count, "narrowed": feed.narrowed}, ensure_ascii=False)
        try:
            self.client.set(self.prefix + key, header.encode("utf-8") + b"\n" + feed.body, ex=self.ttl)
        except Exception as exc:  # noqa: BLE001
            log.warning("feed cache: Redis unavailable (%s): body not shared", exc)

    def get_or_build(self, key: str, build: Callable[[], BuiltFeed]) -> BuiltFeed:
        """The shared body of ``key``, building it here only when no other process is."""
        feed = self.get(key)
        if feed is not None:
            self.shared_hits += 1
            return feed
        lock = self.prefix + "lock:" + key
        try:
            mine = bool(self.client.set(lock, b"1", nx=True, ex=LOCK_SECONDS))
        except Exception:  # noqa: BLE001
            mine = True  # no Redis: nobody else can share it either
        if mine:
            # Another process may have rendered, shared and unlocked between our look and our lock.
            feed = self.get(key)
            if feed is not None:
                self.shared_hits += 1
                with contextlib.suppress(Exception):
                    self.client.delete(lock)
                return feed
        else:
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                feed = self.get(key)
                if feed is not None:
                    self.shared_hits += 1
                    return feed
            # The other process died or is very slow: render rather than keep the client waiting.
        try:
            feed = build()
            self.renders += 1
            self.put(key, feed)
            with contextlib.suppress(Exception):
                self.client.incr(self.prefix + RENDERS_KEY)
            return feed
        finally:
            if mine:
                with contextlib.suppress(Exception):
                    self.client.delete(lock)
