"""One render per change, not per worker: bodies shared through real Redis by two app processes."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from roadmap.extensions import db
from roadmap.feeds.cache import BuiltFeed
from roadmap.feeds.shared import SharedFeeds
from roadmap.models import Task, User, utcnow
from roadmap.models.task import bump_feed_versions
from tests.production.conftest import REDIS_URL, fresh_database, migrated_app, redis_or_skip, subprocess_env

CHILD = Path(__file__).with_name("shared_child.py")


@pytest.fixture(autouse=True)
def feed_today():
    """Overrides the package's: these tests need committed data, not the rolled-back `app`."""
    return None


@pytest.fixture
def redis_client():
    client = redis_or_skip()
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of this test alone (FEED_CACHE_PREFIX): feed versions are keyed by database
    contents, which another run (another checkout, on the same Redis) may well repeat; its
    bodies would then be found here and no render counted. Its keys are gone afterwards."""
    value = f"test:{uuid.uuid4().hex}:feed:"
    yield value
    keys = list(redis_client.scan_iter(match=value + "*"))
    if keys:
        redis_client.delete(*keys)


TOKEN = "shared-cache-test-token-" + "t" * 19


class Worker:
    def __init__(self, env: dict, args: dict) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), json.dumps(args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert json.loads(self.read())["ready"]

    def read(self) -> str:
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()[-3000:]
        return line

    def ask(self) -> None:
        self.process.stdin.write("get\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        return json.loads(self.read())

    def get(self) -> dict:
        self.ask()
        return self.answer()

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def shared_world(tmp_path, prefix):
    with fresh_database(tmp_path, "feeds_shared") as url:
        app = migrated_app(tmp_path, url, REDIS_URL=REDIS_URL, FEED_CACHE_PREFIX=prefix)
        with app.app_context():
            from roadmap.demo import load_demo
            from roadmap.feeds.options import parse_options
            from roadmap.feeds.service import create_subscription

            load_demo()
            db.session.commit()
            user = db.session.scalar(select(User).where(User.login == "school1"))
            options = parse_options({"status": "all"})
            create_subscription(user, name="Телефон", options=options, token=TOKEN)
            db.session.commit()
            organization_id = user.organization_id  # (read after the commit: a new connection)
            # Back to the pool before the pool is closed: a connection the session still held
            # outlived dispose() and was garbage-collected open during a later test.
            db.session.remove()
            db.engine.dispose()
        yield app, url, organization_id, prefix


def _touch_a_task(app, organization_id: int) -> None:
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.organization_id == organization_id).order_by(Task.id))
        db.session.execute(
            update(Task).where(Task.id == task.id).values(updated_at=utcnow(), sequence=Task.sequence + 1)
        )
        bump_feed_versions(db.session.connection(), [task.roadmap_id])
        db.session.commit()
        db.engine.dispose()


def test_two_processes_render_each_version_once(shared_world, tmp_path):
    app, url, organization_id, prefix = shared_world
    env = subprocess_env(url, tmp_path / "child")
    args = {
        "url": url,
        "redis": REDIS_URL,
        "prefix": prefix,
        "instance": str(tmp_path / "child"),
        "path": f"/feeds/{TOKEN}.ics",
    }
    a, b = Worker(env, args), Worker(env, args)
    try:
        first = a.get()
        assert first["status"] == 200 and first["events"] > 0, first["head"]
        assert (first["renders"], first["shared_hits"]) == (1, 0)
        # The other process takes the body from Redis: no render of its own, the same bytes.
        other = b.get()
        assert (other["renders"], other["shared_hits"]) == (0, 1)
        assert (other["sha"], other["etag"]) == (first["sha"], first["etag"])

        # A change: whichever process is asked first renders it, the other reuses it.
        _touch_a_task(app, organization_id)
        changed = b.get()
        assert changed["etag"] != first["etag"] and changed["renders"] == 1
        again = a.get()
        assert (again["renders"], again["shared_hits"]) == (1, 1)
        assert again["sha"] == changed["sha"]

        # Asked at the same moment after the next change: one render between the two.
        _touch_a_task(app, organization_id)
        a.ask()
        b.ask()
        both = [a.answer(), b.answer()]
        assert sum(x["renders"] for x in both) == 3  # 1 + 1 before, one more now
        assert both[0]["sha"] == both[1]["sha"] and both[0]["etag"] != changed["etag"]
    finally:
        a.stop()
        b.stop()


def test_redis_down_means_building_locally(caplog):
    shared = SharedFeeds.from_url("redis://127.0.0.1:1/0")
    built = shared.get_or_build("key", lambda: BuiltFeed(b"BEGIN:VCALENDAR\r\n", 0, None))
    assert built.body == b"BEGIN:VCALENDAR\r\n" and shared.renders == 1
    assert "Redis unavailable" in caplog.text


def test_shared_body_round_trips_through_redis(redis_client, prefix):
    shared = SharedFeeds(redis_client, ttl=60, prefix=prefix)
    key = "round-trip"
    feed = BuiltFeed("BEGIN:VCALENDAR\r\nSUMMARY:Школа\r\n".encode(), 3, "Календарь сокращён")
    shared.put(key, feed)
    assert shared.get(key) == feed
    assert redis_client.ttl(prefix + key) > 0
    # Another prefix (another installation, or another run) does not see it.
    assert SharedFeeds(redis_client, ttl=60, prefix=prefix + "other:").get(key) is None


def test_the_prefix_comes_from_the_configuration(app, monkeypatch):
    from roadmap.config import Config
    from roadmap.feeds import shared_feeds
    from roadmap.feeds.shared import DEFAULT_PREFIX

    monkeypatch.setenv("FEED_CACHE_PREFIX", "school42:feed:")
    assert Config().FEED_CACHE_PREFIX == "school42:feed:"
    monkeypatch.delenv("FEED_CACHE_PREFIX")
    assert Config().FEED_CACHE_PREFIX == DEFAULT_PREFIX
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "FEED_CACHE_PREFIX", "school42:feed:")
    app.extensions.pop("roadmap.feeds.shared", None)
    try:
        assert shared_feeds(app).prefix == "school42:feed:"
    finally:
        app.extensions.pop("roadmap.feeds.shared", None)


class _FinishedByAnotherProcess(SharedFeeds):
    """Between this process's first look and its lock, another process renders, shares and unlocks."""

    def __init__(self, client, other: SharedFeeds) -> None:
        super().__init__(client, ttl=60, prefix=other.prefix)
        self.other = other
        self.looks = 0

    def get(self, key):
        self.looks += 1
        if self.looks == 1:
            missed = super().get(key)
            self.other.get_or_build(key, lambda: BuiltFeed(b"BEGIN:VCALENDAR\r\nX-OTHER:1\r\n", 1, None))
            return missed
        return super().get(key)


def test_a_body_shared_just_before_the_lock_is_not_rendered_again(redis_client, prefix):
    key = "race"
    other = SharedFeeds(redis_client, ttl=60, prefix=prefix)
    late = _FinishedByAnotherProcess(redis_client, other)
    built = late.get_or_build(key, lambda: BuiltFeed(b"BEGIN:VCALENDAR\r\nX-LATE:1\r\n", 1, None))
    assert built.body.endswith(b"X-OTHER:1\r\n")
    assert (other.renders, late.renders, late.shared_hits) == (1, 0, 1)
    assert redis_client.get(prefix + "lock:" + key) is None
