"""Scenario 6: gunicorn with two workers on 127.0.0.1 under a bounded load generator.

The generator is plain Python: a few client processes, each with a few threads holding an
http.client connection (reopened whenever the sync worker closes it). It runs for a fixed time
per endpoint, in rotation, so the health endpoint and the feed share the machine's state.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.region import PROJECT_ROOT, SCHOOL_TOKEN, Region, bench_config
from bench.scenarios import Result, result

CLIENT_PROCESSES = 2
THREADS_PER_PROCESS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hammer(port: int, path: str, headers: dict[str, str], seconds: float, threads: int) -> tuple[int, int]:
    """Requests completed and failed by `threads` connections in `seconds`."""
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status in (200, 304):
                    counts[index] += 1
                else:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
        connection.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts), sum(errors)


def measure_rps(pool: ProcessPoolExecutor, port: int, path: str, headers: dict[str, str], seconds: float) -> float:
    started = time.perf_counter()
    futures = [pool.submit(_hammer, port, path, headers, seconds, THREADS_PER_PROCESS) for _ in range(CLIENT_PROCESSES)]
    done = [f.result() for f in futures]
    elapsed = time.perf_counter() - started
    ok, failed = sum(d[0] for d in done), sum(d[1] for d in done)
    if failed:
        raise RuntimeError(f"{path}: {failed} failed requests")
    return ok / elapsed


class Server:
    """gunicorn serving wsgi:app on the bench database, stopped by its own process id."""

    def __init__(
        self,
        region: Region,
        log: Path,
        *,
        workers: int = 2,
        env: dict[str, str] | None = None,
        access_log: Path | None = None,
    ) -> None:
        self.port = free_port()
        environment = dict(os.environ)
        config = bench_config(region.url, region.instance)
        environment.update(
            DATABASE_URL=region.url,
            SECRET_KEY=config["SECRET_KEY"],
            ROADMAP_INSTANCE=str(region.instance),
            RATELIMIT_STORAGE_URI="memory://",
            **(env or {}),
        )
        # Which worker (%(p)s) answered what, in how many microseconds (%(D)s).
        logging = (
            ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(D)s %(U)s"] if access_log else []
        )
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                *logging,
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 120) -> None:
        # A wait for the server to come up, not a timing: on a loaded machine it starts slowly.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def http_load(region: Region, repeat: int, seconds: float) -> list[Result]:
    server = Server(region, region.instance / f"gunicorn-{region.backend}.log")
    try:
        server.wait()
        feed = f"/feeds/{SCHOOL_TOKEN}.ics"
        # Both workers build the feed once: warm requests are served from each one's cache.
        for _ in range(8):
            first = _get(server.port, feed)
            if first.status != 200:
                raise RuntimeError(f"feed answered {first.status}")
        etag = first.headers["ETag"]
        endpoints = {
            "http_health": ("/healthz", {}),
            "http_feed_warm": (feed, {}),
            "http_feed_304": (feed, {"If-None-Match": etag}),
        }
        rates: dict[str, list[float]] = {name: [] for name in endpoints}
        with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
            measure_rps(pool, server.port, "/healthz", {}, 0.5)  # start the client processes
            for _ in range(repeat):
                for name, (path, headers) in endpoints.items():
                    rates[name].append(measure_rps(pool, server.port, path, headers, seconds))
    finally:
        server.stop()
    rps = {name: statistics.median(values) for name, values in rates.items()}
    health = 1 / rps["http_health"]
    return [
        result(
            name, region.backend, round(rps[name] * seconds), 1 / rps[name], None if name == "http_health" else health
        )
        for name in endpoints
    ]
