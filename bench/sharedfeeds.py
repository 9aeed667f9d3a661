"""Issue 18, "one render per change, not per worker": gunicorn with four workers and Redis.

The coordinator's aggregated feed changes (a school's task changes, as when it submits), then
eight clients ask for it at the same moment, each on its own connection, so every worker gets
some of them. Redis counts the renders of all workers (roadmap.feeds.shared, under a prefix of
this run alone, removed afterwards): one per change, or the scenario fails. Reported: the
latencies after a change (the render, and the workers waiting for its body), one worker's
render alone after a change, and the warm latency once each worker holds the body, all against
icalendar's to_ical() of the same events.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import uuid
from pathlib import Path

from bench.httpload import Server
from bench.region import COORDINATOR_TOKEN, Region
from bench.scenarios import Result, result, to_ical_floor

WORKERS = 4
CLIENTS = 2 * WORKERS
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis():
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        raise RuntimeError(f"Redis is not reachable at {REDIS_URL} ({exc}): the shared-feed scenario needs it") from exc
    return client


def _change_the_feed(app, roadmap_id: int, step: int) -> None:
    """One task of the roadmap changes, through Core as the workflow's writes end up."""
    from sqlalchemy import select, update

    from roadmap.extensions import db
    from roadmap.models import Task, utcnow
    from roadmap.models.task import bump_feed_versions

    with app.app_context():
        ids = db.session.scalars(select(Task.id).where(Task.roadmap_id == roadmap_id).order_by(Task.id).limit(50)).all()
        task_id = ids[step % len(ids)]
        db.session.execute(
            update(Task).where(Task.id == task_id).values(updated_at=utcnow(), sequence=Task.sequence + 1)
        )
        bump_feed_versions(db.session.connection(), [roadmap_id])
        db.session.commit()


def _burst(port: int, path: str | list[str], clients: int) -> list[tuple[int, float, bytes]]:
    """(status, seconds, body) of `clients` requests started together, one connection each
    (of `path`, or of each path of a list)."""
    paths = path if isinstance(path, list) else [path] * clients
    barrier = threading.Barrier(clients)
    answers: list[tuple[int, float, bytes]] = [(0, 0.0, b"")] * clients

    def ask(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.connect()
        barrier.wait()
        started = time.perf_counter()
        connection.request("GET", paths[index])
        response = connection.getresponse()
        body = response.read()
        answers[index] = (response.status, time.perf_counter() - started, body)
        connection.close()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _renders(client, prefix: str) -> int:
    return int(client.get(prefix + "renders") or 0)


def _serving_workers(access_log: Path, path: str, skip: int) -> tuple[set[str], int]:
    """Worker pids that answered `path` in the access log past its first `skip` lines, and the lines."""
    lines = access_log.read_text().splitlines()
    pids = {line.split()[0] for line in lines[skip:] if line.endswith(path)}
    return pids, len(lines)


def shared_feeds(app, region: Region, repeat: int) -> list[Result]:
    redis = _redis()
    prefix = f"bench:{uuid.uuid4().hex}:feed:"
    access_log = region.instance / f"gunicorn-shared-{region.backend}-access.log"
    access_log.unlink(missing_ok=True)
    server = Server(
        region,
        region.instance / f"gunicorn-shared-{region.backend}.log",
        workers=WORKERS,
        env={"REDIS_URL": REDIS_URL, "FEED_CACHE_PREFIX": prefix, "JOBS_INLINE": "1"},
        access_log=access_log,
    )
    path = f"/feeds/{COORDINATOR_TOKEN}.ics"
    changes = max(3, repeat)
    after_change: list[float] = []
    warm: list[float] = []
    alone: list[float] = []
    floors: list[float] = []
    workers_seen: set[str] = set()
    measured_renders = 0
    try:
        server.wait()
        # Every worker up and warm before anything is timed: each renders some variants of the
        # feed of its own (a process's first render builds its VTIMEZONE, compiles statements).
        _burst(server.port, "/healthz", CLIENTS)
        for _ in range(2):
            _burst(server.port, [f"{path}?remind={days}" for days in range(1, CLIENTS + 1)], CLIENTS)
        for step in range(changes):
            # One worker's render alone after a change nobody else asks for; its body gives the floor.
            _change_the_feed(app, region.roadmap_id, 2 * step)
            [(status, seconds, body)] = _burst(server.port, path, 1)
            if status != 200:
                raise RuntimeError(f"feed answered {status}")
            alone.append(seconds)
            floors.append(to_ical_floor(body)[0])
            # The measured change: all workers asked at once.
            _change_the_feed(app, region.roadmap_id, 2 * step + 1)
            before, (_pids, skip) = _renders(redis, prefix), _serving_workers(access_log, path, 0)
            answers = _burst(server.port, path, CLIENTS)
            rendered = _renders(redis, prefix) - before
            if any(status != 200 for status, _s, _b in answers) or len({body for *_x, body in answers}) != 1:
                raise RuntimeError(f"after change {step}: statuses {[a[0] for a in answers]}, bodies differ")
            if rendered != 1:
                raise RuntimeError(f"after change {step}: {rendered} renders by {WORKERS} workers, not 1")
            measured_renders += rendered
            after_change += [seconds for _status, seconds, _body in answers]
            # Every worker holds the body now, or takes it from Redis once.
            warm += [seconds for _status, seconds, _body in _burst(server.port, path, CLIENTS)]
            time.sleep(0.2)  # the access log is written after the response
            pids, _lines = _serving_workers(access_log, path, skip)
            workers_seen |= pids
    finally:
        server.stop()
        keys = list(redis.scan_iter(match=prefix + "*"))
        if keys:
            redis.delete(*keys)
        redis.close()
    if len(workers_seen) < WORKERS:
        raise RuntimeError(f"only {len(workers_seen)} of {WORKERS} workers answered the feed")
    floor = statistics.median(floors)
    return [
        # n: the changes; ratio: renders per change of all workers together, which must be 1.
        Result("feed_shared_renders", region.backend, changes, 0.0, None, measured_renders / changes, None),
        result("feed_shared_alone", region.backend, len(alone), statistics.median(alone), floor),
        result("feed_shared_change", region.backend, len(after_change), statistics.median(after_change), floor),
        result("feed_shared_change_max", region.backend, len(after_change), max(after_change), floor),
        result("feed_shared_warm", region.backend, len(warm), statistics.median(warm), floor),
    ]
