"""A small in-process LRU of built feed bodies, keyed by the feed's version key.

A warm request (a new client, nothing changed) costs the token lookup and one aggregate query;
the calendar is built only when the version key is new to this process.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

__all__ = ["BuiltFeed", "FeedCache"]


class BuiltFeed:
    """A built body, its event count and narrowing note; gzipped on first demand (once)."""

    __slots__ = ("_gzipped", "body", "event_count", "narrowed")

    def __init__(self, body: bytes, event_count: int, narrowed: str | None, gzipped: bytes | None = None) -> None:
        self.body = body
        self.event_count = event_count
        self.narrowed = narrowed
        self._gzipped = gzipped

    @classmethod
    def make(cls, body: bytes, event_count: int, narrowed: str | None) -> BuiltFeed:
        return cls(body, event_count, narrowed)

    @property
    def gzipped(self) -> bytes:
        # Most calendar clients do not ask for gzip: compress only for those that do. Two threads
        # may both compress once; they get the same bytes (mtime=0: one strong ETag each).
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped

    @property
    def size(self) -> int:
        # What it will hold once gzipped too (iCalendar text compresses to well under a quarter).
        return len(self.body) + len(self.body) // 4

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BuiltFeed):
            return NotImplemented
        return (self.body, self.event_count, self.narrowed) == (other.body, other.event_count, other.narrowed)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BuiltFeed({len(self.body)} bytes, {self.event_count} events, narrowed={self.narrowed!r})"


class FeedCache:
    """Thread-safe LRU bounded by entry count and by bytes held."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, BuiltFeed] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> BuiltFeed | None:
        with self._lock:
            feed = self._items.get(key)
            if feed is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return feed

    def put(self, key: str, feed: BuiltFeed) -> None:
        size = feed.size
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key).size
            if size > self.max_bytes:
                return
            self._items[key] = feed
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _key, old = self._items.popitem(last=False)
                self._bytes -= old.size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes_held(self) -> int:
        return self._bytes
