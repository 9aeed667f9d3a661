"""Load run: many executors submitting reports at once while calendar clients poll their feeds.

    python -m bench.load [--duration 60] [--feeds 12] [--workers 4] [--keep-db]   (or: make load)

Starts gunicorn on 127.0.0.1 (a free port) against a fresh PostgreSQL database
(LOAD_DATABASE_URL, else BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/roadmap_load;
created through an autocommit connection to the database `test` of the same server), loads the
demo, then for a bounded time:

- every demo executor (school1..32, college1..3, university1..2, knmc, department) logs in with
  a session of its own, opens its tasks and submits a report on each, taking the CSRF token and
  the task version from the task page's form; every fifth task gets two submissions fired at the
  same moment with the same version, to exercise optimistic locking;
- calendar clients poll their subscription feeds (If-None-Match after the first answer).

Then it checks against the database: no 5xx answers, every submission the app confirmed has
exactly one Report row, refused ones have none, no report is stored twice, and of two
simultaneous submissions with the same version at most one succeeds. Each report carries a
unique marker in its comment, which is how rows are matched to requests.

Only loopback traffic, bounded in count and time; the server and the database are removed at
the end (--keep-db keeps the database). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/roadmap_load"
EXECUTORS = (
    [f"school{n}" for n in range(1, 33)]
    + [f"college{n}" for n in range(1, 4)]
    + [f"university{n}" for n in range(1, 3)]
    + ["knmc", "department"]
)
PASSWORD = "demo2026"
SUCCESS_FLASH = "Отчёт отправлен координатору."
CONFLICT_FLASH = "Задачу уже изменил другой пользователь"


# ---------------------------------------------------------------- database and server


def database_url() -> str:
    return os.environ.get("LOAD_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def recreate_database(url: str) -> None:
    """Drop and create the load database through the server's `test` database."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or name in {"test", "postgres"}:
        raise SystemExit(f"refusing to recreate database {name!r}: give a dedicated name")
    admin = parts._replace(path="/test").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/test").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def prepare(env: dict[str, str], feed_users: list[str]) -> list[str]:
    """Migrate, load the demo and create one calendar subscription per feed client; the tokens."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from flask_migrate import upgrade

        from roadmap import create_app
        from roadmap.demo import load_demo
        from roadmap.extensions import db

        app = create_app()
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            tokens = subscribe(feed_users)
            db.session.commit()
            db.engine.dispose()
        return tokens
    finally:
        os.environ.clear()
        os.environ.update(saved)


def subscribe(logins: list[str]) -> list[str]:
    from sqlalchemy import select

    from roadmap.extensions import db
    from roadmap.models import User

    try:
        from roadmap.feeds.service import create_subscription
    except ImportError:
        print("note: roadmap.feeds is not there: no calendar clients in this run", flush=True)
        return []
    tokens = []
    for login in logins:
        user = db.session.scalar(select(User).where(User.login == login))
        _subscription, token = create_subscription(user, name=f"Нагрузочный тест {login}")
        tokens.append(token)
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- the HTTP side


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    succeeded: list[tuple[int, str]] = field(default_factory=list)  # (task id, marker)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (task id, marker, why)
    pairs: list[tuple[int, list[str]]] = field(default_factory=list)  # task, markers sent at once
    feed_statuses: Counter = field(default_factory=Counter)
    logins: int = 0

    def record(self, kind: str, method: str, path: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies[kind].append(seconds)
            if status >= 500:
                self.server_errors.append(f"{status} {method} {path}")


class Browserish:
    """One user's HTTP session: a keep-alive connection and the session cookie."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, kind: str, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                # gunicorn's sync workers close idle keep-alive connections; retry a GET once.
                self.conn.close()
                if attempt == 2 or method != "GET":
                    with self.stats.lock:
                        self.stats.transport_errors.append(f"{method} {path}: {exc!r}")
                    raise
        self.stats.record(kind, method, path, response.status, time.perf_counter() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data.decode("utf-8", "replace")

    def form_post(self, kind: str, path: str, fields: dict[str, str]):
        body = urlencode(fields).encode()
        return self.request(kind, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, login: str, password: str = PASSWORD) -> None:
        _status, _headers, page = self.request("page", "GET", "/login")
        status, headers, _ = self.form_post(
            "login", "/login", {"csrf_token": csrf(page), "login": login, "password": password}
        )
        if status != 302 or "/login" in headers.get("location", ""):
            raise RuntimeError(f"{login}: login failed with {status}")
        with self.stats.lock:
            self.stats.logins += 1


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def report_form(page: str, task_id: int) -> dict[str, str] | None:
    """The hidden fields of the task's report form, or None when the task takes no report now."""
    start = page.find(f'action="/tasks/{task_id}/submit"')
    if start < 0:
        return None
    form = page[start : page.find("</form>", start)]
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form)
    return {"csrf_token": csrf(form), "version": version.group(1) if version else ""}


def submission(fields: dict[str, str], marker: str) -> dict[str, str]:
    return {**fields, "coverage_total": "12", "comment": f"Проведено. {marker}", "links": ""}


def outcome(client: Browserish, task_id: int, status: int, headers: dict[str, str]) -> str:
    """What the app said about a submission: read from the flash on the page it redirects to."""
    if status == 409:
        return "confirm coverage"
    if status not in (302, 303):
        return f"status {status}"
    location = urlsplit(headers.get("location", "")).path
    _status, _headers, page = client.request("page", "GET", location or f"/tasks/{task_id}")
    if SUCCESS_FLASH in page:
        return "ok"
    if CONFLICT_FLASH in page:
        return "conflict"
    flash = re.search(r"alert-danger[^>]*>\s*([^<]+)", page)
    return f"refused: {flash.group(1).strip()[:80] if flash else 'no message'}"


def executor(login: str, port: int, stats: Stats, deadline: float, max_reports: int, errors: list[str]) -> None:
    try:
        client = Browserish(port, stats)
        client.login(login)
        _status, _headers, page = client.request("page", "GET", "/tasks")
        task_ids = list(dict.fromkeys(int(n) for n in re.findall(r'href="/tasks/(\d+)"', page)))
        sent = 0
        for position, task_id in enumerate(task_ids):
            if time.monotonic() > deadline or sent >= max_reports:
                break
            _status, _headers, page = client.request("page", "GET", f"/tasks/{task_id}")
            fields = report_form(page, task_id)
            if fields is None:
                continue
            if position % 5 == 0:
                sent += double_submit(client, login, task_id, fields, port, stats)
                continue
            marker = f"load-{uuid.uuid4().hex}"
            status, headers, _ = client.form_post("submit", f"/tasks/{task_id}/submit", submission(fields, marker))
            result = outcome(client, task_id, status, headers)
            with stats.lock:
                if result == "ok":
                    stats.succeeded.append((task_id, marker))
                else:
                    stats.refused.append((task_id, marker, result))
            sent += 1
    except Exception as exc:  # one executor's failure is reported, the run goes on
        errors.append(f"{login}: {exc!r}")


def double_submit(client: Browserish, login: str, task_id: int, fields: dict[str, str], port: int, stats: Stats) -> int:
    """Two submissions with the same version at the same moment, on two connections."""
    twin = Browserish(port, stats)
    twin.cookies = dict(client.cookies)
    markers = [f"load-{uuid.uuid4().hex}", f"load-{uuid.uuid4().hex}"]
    barrier = threading.Barrier(2)
    answers: list[tuple[Browserish, int, dict]] = [None, None]  # type: ignore[list-item]

    def fire(index: int, who: Browserish) -> None:
        barrier.wait()
        status, headers, _ = who.form_post("submit", f"/tasks/{task_id}/submit", submission(fields, markers[index]))
        answers[index] = (who, status, headers)

    threads = [threading.Thread(target=fire, args=(i, who)) for i, who in enumerate((client, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with stats.lock:
        stats.pairs.append((task_id, markers))
    for index, (who, status, headers) in enumerate(answers):
        result = outcome(who, task_id, status, headers)
        with stats.lock:
            if result == "ok":
                stats.succeeded.append((task_id, markers[index]))
            else:
                stats.refused.append((task_id, markers[index], result))
    return 2


def feed_client(token: str, port: int, stats: Stats, deadline: float, interval: float, done: threading.Event) -> None:
    client = Browserish(port, stats)
    etag = None
    while time.monotonic() < deadline and not done.is_set():
        headers = {"If-None-Match": etag} if etag else {}
        try:
            status, answer, body = client.request("feed", "GET", f"/feeds/{token}.ics", headers=headers)
        except OSError:
            continue
        with stats.lock:
            stats.feed_statuses[status] += 1
        if status == 200:
            etag = answer.get("etag")
            if "BEGIN:VCALENDAR" not in body:
                with stats.lock:
                    stats.server_errors.append("feed without VCALENDAR")
        time.sleep(interval)


# ---------------------------------------------------------------- checks


def verify(url: str, stats: Stats) -> dict[str, object]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT task_id, comment FROM report WHERE comment LIKE %s", ("%load-%",)).fetchall()
    stored: dict[str, list[int]] = defaultdict(list)
    for task_id, comment in rows:
        marker = re.search(r"load-[0-9a-f]{32}", comment).group(0)
        stored[marker].append(task_id)
    lost = [m for _task, m in stats.succeeded if len(stored.get(m, [])) == 0]
    duplicated = [m for m, tasks in stored.items() if len(tasks) > 1]
    wrong_task = [m for task, m in stats.succeeded if stored.get(m) and stored[m][0] != task]
    refused_but_stored = [m for _task, m, _why in stats.refused if stored.get(m)]
    succeeded = {m for _task, m in stats.succeeded}
    unconfirmed = [m for m in stored if m not in succeeded]
    both_won = [task for task, markers in stats.pairs if all(m in succeeded for m in markers)]
    return {
        "reports_stored": len(rows),
        "lost": lost,
        "duplicated": duplicated,
        "wrong_task": wrong_task,
        "refused_but_stored": refused_but_stored,
        "stored_without_confirmation": unconfirmed,
        "pairs_where_both_succeeded": both_won,
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(stats: Stats, checks: dict, seconds: float, args, feeds: int, errors: list[str]) -> dict:
    latency = {
        kind: {
            "count": len(values),
            "median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        for kind, values in sorted(stats.latencies.items())
        if values
    }
    refusals = Counter(why for _task, _marker, why in stats.refused)
    result = {
        "duration_s": round(seconds, 1),
        "workers": args.workers,
        "executors": len(EXECUTORS),
        "feed_clients": feeds,
        "logins": stats.logins,
        "requests": sum(stats.statuses.values()),
        "requests_per_s": round(sum(stats.statuses.values()) / seconds, 1),
        "statuses": dict(sorted(stats.statuses.items())),
        "server_errors": stats.server_errors[:20],
        "server_error_count": len(stats.server_errors),
        "transport_errors": stats.transport_errors[:20],
        "executor_errors": errors[:20],
        "submissions": len(stats.succeeded) + len(stats.refused),
        "succeeded": len(stats.succeeded),
        "refused": dict(refusals),
        "simultaneous_pairs": len(stats.pairs),
        "feed_statuses": dict(sorted(stats.feed_statuses.items())),
        "latency": latency,
        "checks": {key: (value if isinstance(value, int) else len(value)) for key, value in checks.items()},
    }
    result["ok"] = (
        result["server_error_count"] == 0
        and not stats.transport_errors
        and not errors
        and len(stats.succeeded) > 0
        and all(len(value) == 0 for key, value in checks.items() if key != "reports_stored")
    )
    return result


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--feeds", type=int, default=12, help="calendar clients polling feeds (default 12)")
    parser.add_argument("--feed-interval", type=float, default=0.5, help="seconds between polls of one client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--max-reports", type=int, default=40, help="submissions per executor at most")
    parser.add_argument("--keep-db", action="store_true", help="keep the load database afterwards")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench" / "out" / "load.json", help="where to write results"
    )
    args = parser.parse_args(argv)

    url = database_url()
    print(f"database: {url}", flush=True)
    recreate_database(url)
    instance = Path(tempfile.mkdtemp(prefix="roadmap-load-"))
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "ROADMAP_INSTANCE": str(instance),
        # Every executor logs in from 127.0.0.1: the per-address login limit would stop the run.
        "RATELIMIT_LOGIN": "100000 per minute",
        "ROADMAP_TIMEZONE": "Europe/Moscow",
    }
    feed_users = (["coordinator", "observer"] + EXECUTORS)[: args.feeds]
    started = time.monotonic()
    tokens = prepare(env, feed_users)
    print(f"prepared demo and {len(tokens)} subscriptions in {time.monotonic() - started:.1f} s", flush=True)

    port = free_port()
    log_path = instance / "gunicorn.log"
    server = start_gunicorn(env, port, args.workers, log_path)
    print(f"gunicorn -w {args.workers} on 127.0.0.1:{port}; load for at most {args.duration:.0f} s", flush=True)
    stats = Stats()
    errors: list[str] = []
    try:
        begin = time.monotonic()
        deadline = begin + args.duration
        threads = [
            threading.Thread(target=executor, args=(login, port, stats, deadline, args.max_reports, errors))
            for login in EXECUTORS
        ]
        done = threading.Event()
        feeders = [
            threading.Thread(
                target=feed_client, args=(token, port, stats, deadline, args.feed_interval, done), daemon=True
            )
            for token in tokens
        ]
        for thread in feeders + threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline + 120 - time.monotonic()))
        # Feeds keep polling while executors work; they stop with them (or at the deadline).
        done.set()
        for thread in feeders:
            thread.join(timeout=max(1.0, deadline + 5 - time.monotonic()))
        elapsed = time.monotonic() - begin
    finally:
        stop(server)
    server_log = log_path.read_text(errors="replace")
    tracebacks = server_log.count("Traceback (most recent call last)")
    checks = verify(url, stats)
    result = summary(stats, checks, elapsed, args, len(tokens), errors)
    result["server_tracebacks"] = tracebacks
    result["ok"] = result["ok"] and tracebacks == 0
    if not args.keep_db:
        drop_database(url)
    shutil.rmtree(instance, ignore_errors=True)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("PASS: no server errors, no lost or duplicated reports" if result["ok"] else "FAIL: see above", flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
