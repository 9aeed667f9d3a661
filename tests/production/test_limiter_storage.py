"""Without Redis the rate limits count in limits' memory storage, whose expiry Timer is restarted
under a lock (extensions.LockedMemoryStorage): two request threads can no longer start it twice."""

from __future__ import annotations

import threading
import time

from roadmap.extensions import LockedMemoryStorage, limiter


def test_the_app_counts_in_the_locked_memory_storage_without_redis(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "locked-memory://"
    assert isinstance(limiter.storage, LockedMemoryStorage)


def test_the_expiry_timer_is_restarted_only_under_the_lock():
    storage = LockedMemoryStorage("locked-memory://")
    storage.timer.join()  # the first expiry pass is over: the next count restarts the timer
    first = storage.timer
    with storage._timer_lock:
        counting = threading.Thread(target=storage.incr, args=("key", 60))
        counting.start()
        time.sleep(0.2)
        # The count waits for the lock: the Timer is not replaced while another thread holds it.
        assert storage.timer is first and counting.is_alive()
    counting.join(timeout=5)
    assert not counting.is_alive() and storage.timer is not first
    assert storage.get("key") == 1
