"""The scenarios, each timed next to its floor in the same run.

Every figure is a median over `repeat` runs; a run of a fast request is the mean over enough
calls to last a fraction of a second, so timer resolution and one-off hiccups do not decide it.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from time import perf_counter

from sqlalchemy import delete, event, func, select, update

from bench.region import COORDINATOR_TOKEN, PASSWORD, PROJECT_ROOT, SCHOOL_TOKEN, Region
from roadmap.tasks.service import INSERT_COLUMNS

# Targets of the issue, as the highest acceptable ratio to the floor.
TARGETS = {
    "generate": 3.0,
    "publish": 3.0,
    "regenerate_noop": 0.2,
    "feed_school": 1.5,
    "feed_school_warm": 0.15,
    "feed_school_304": 0.05,
    # Issue 18: a cold render (nothing cached: no body, no event chunk) at most a quarter of
    # icalendar's to_ical() of the same events; per event and fixed costs against absolute budgets.
    # An aggregated feed is rendered anew whenever any school of its roadmaps reports: that render
    # (`_changed`) is held to the quarter too. `feed_coordinator` renders from nothing cached at all
    # (a process that did not warm up, the first render after the default window moved into a new
    # month): it counts the tallies of every roadmap of the feed and reads the 663 near today.
    "feed_coordinator": 0.25,
    "feed_coordinator_warm": 0.15,
    "feed_coordinator_changed": 0.25,
    "feed_cold_200": 0.25,
    "feed_cold_2000": 0.25,
    "feed_cold_marginal": 1.0,
    "feed_cold_fixed": 1.0,
    # Issue 18, four gunicorn workers and Redis (bench/sharedfeeds.py): one render per change for
    # all of them; the workers asked at once answer within about one render's time, the issue's
    # yardstick for a render being icalendar's to_ical() of the same events (as for every feed
    # above; against this project's own lone render, the floor fell with every speed-up of it
    # until the HTTP and the eight clients' queue on two cores were all that was measured).
    "feed_shared_renders": 1.0,
    "feed_shared_change": 1.5,
    "feed_shared_change_max": 2.5,
    "feed_shared_warm": 0.15,
    "dashboard": 4.0,
    "matrix": 4.0,
    "dashboard_municipal": 4.0,
    "region_dashboard": 4.0,
    # http: seconds per request against the health endpoint's; rps shares of 40% and 60%.
    "http_feed_warm": 1 / 0.40,
    "http_feed_304": 1 / 0.60,
    # import: the whole reading (header by meaning, every deadline parsed for the period, merges)
    # against a bare read; set from the first measurement (30 and 2.6) as a bound on regressions.
    "import_csv": 40.0,
    "import_docx": 5.0,
    # end to end under gunicorn: shares of its default 30 s timeout, and of the review page's 1 s.
    "http_import_upload": 0.5,
    "http_import_review": 1.0,
    "http_import_publish": 0.5,
}
# Targets in seconds, whatever the floor: the grammar's batch (issue 19).
ABSOLUTE_TARGETS = {
    "schedule_batch": 2.0,
    # Issue 21: every export under 1 s at demo scale, under 10 s for a region of 1,000 schools.
    # Each right after a change of the figures; docx_redrawn with every picture drawn anew.
    **{f"export_{fmt}_demo": 1.0 for fmt in ("docx", "xlsx", "csv", "docx_redrawn")},
    **{f"export_{fmt}_region": 10.0 for fmt in ("docx", "xlsx", "csv", "docx_redrawn")},
}
# Peak memory allowed while reading a 10 MB document (issue 15), checked by `imports`.
IMPORT_MAX_RSS_MB = 250
FLOORS = {
    "generate": "one executemany of the same rows through the same driver",
    "publish": "as `generate`",
    "regenerate_noop": "`generate` of the same run",
    "feed_school": "icalendar `to_ical()` of the same events, built beforehand",
    "feed_school_warm": "as `feed_school`",
    "feed_school_304": "as `feed_school`",
    "feed_coordinator": "icalendar `to_ical()` of the same events, built beforehand",
    "feed_coordinator_warm": "as `feed_coordinator`",
    "feed_coordinator_changed": "as `feed_coordinator` (the feed after the change)",
    "feed_cold_200": "icalendar `to_ical()` of the same events, built beforehand",
    "feed_cold_2000": "as `feed_cold_200`",
    "feed_cold_marginal": "budget: 25 µs per event ((cold 2,000 − cold 200) / 1,800)",
    "feed_cold_fixed": "budget: 3 ms (cold 200 − 200 × marginal)",
    "feed_cold_request": "— (`/healthz` through the same test client: the Flask request's part of the fixed cost;"
    " ratio: its share of the 3 ms budget)",
    "feed_shared_renders": "— (ratio: renders by 4 gunicorn workers per change of the coordinator's feed, asked by"
    " 8 clients at once; n: changes)",
    "feed_shared_alone": "icalendar `to_ical()` of the same events (one worker's render over HTTP after a change"
    " nobody else asks for; a reading, no target)",
    "feed_shared_change": "as `feed_shared_alone` (median latency of the 8 requests after a change)",
    "feed_shared_change_max": "as `feed_shared_alone` (the slowest of the 8)",
    "feed_shared_warm": "as `feed_shared_alone` (8 more requests: each worker's own copy or Redis's)",
    "dashboard": "the page's aggregate SQL queries alone, through the driver",
    "matrix": "the page's aggregate SQL queries alone, through the driver",
    "dashboard_municipal": "as `dashboard` (a municipal coordinator's own roadmap)",
    "region_dashboard": "as `dashboard` (the regional roadmap's municipalities ranked and the measures ×"
    " municipalities matrix)",
    "http_health": "—",
    "http_feed_warm": "`/healthz` requests/second in the same run",
    "http_feed_304": "`/healthz` requests/second in the same run",
    "import_csv": "`csv.reader` over the decoded file, in a fresh process like the import",
    "import_docx": "lxml `iterparse` of `word/document.xml` (text runs, rows cleared), in a fresh process",
    "http_import_upload": "gunicorn's default worker timeout (30 s): a 3,000-measure CSV uploaded by the coordinator",
    "http_import_review": "the issue's budget of 1 s for the review page (n: its size in bytes, under 2 MB)",
    "http_import_publish": "gunicorn's default worker timeout (30 s); n: the tasks created",
    "schedule_batch": "the same `python -m roadmap.cli.schedule --batch` on an empty file (starting Python and the"
    " grammar); target: the whole run of 10,000 phrases under 2 s",
    **{
        f"export_{fmt}_demo": f"budget: 1 s for the demo roadmap's {fmt.upper()} (n: its size in bytes), right after"
        " a school hands in a report (the charts it changes drawn again)"
        for fmt in ("docx", "xlsx", "csv")
    },
    **{
        f"export_{fmt}_region": f"budget: 10 s for the region's {fmt.upper()} (n: bytes), right after a school hands"
        " in a report"
        for fmt in ("docx", "xlsx", "csv")
    },
    "export_docx_redrawn_demo": "budget: 1 s, as `export_docx_demo` with every chart drawn anew (cache cleared)",
    "export_docx_redrawn_region": "budget: 10 s, as `export_docx_region` with every chart drawn anew",
    "export_docx_cold": "— (the first DOCX of a fresh process that did not warm the renderer, right after a"
    " change: what gunicorn's warm-up spares the first request)",
}
MIN_RUN_SECONDS = 0.25


@dataclass
class Result:
    scenario: str
    backend: str
    n: int
    seconds: float
    floor_seconds: float | None
    ratio: float | None
    peak_rss_mb: float | None

    def line(self) -> str:
        values = asdict(self)
        for key in ("seconds", "floor_seconds"):
            if values[key] is not None:
                values[key] = float(f"{values[key]:.6g}")
        for key in ("ratio", "peak_rss_mb"):
            if values[key] is not None:
                values[key] = round(values[key], 3)
        return json.dumps(values, ensure_ascii=False)


def result(scenario: str, backend: str, n: int, seconds: float, floor: float | None, rss: float | None = None):
    return Result(scenario, backend, n, seconds, floor, seconds / floor if floor else None, rss)


def per_call(fn: Callable[[], object], min_seconds: float | None = None) -> float:
    """Mean seconds per call over a batch lasting at least `min_seconds` (MIN_RUN_SECONDS)."""
    min_seconds = MIN_RUN_SECONDS if min_seconds is None else min_seconds
    calls, started = 0, perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = perf_counter() - started
        if elapsed >= min_seconds:
            return elapsed / calls


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- 1, 2: generation ------------------------------------------------------------------------


def _child(region: Region, mode: str) -> dict:
    args = {"mode": mode, "url": region.url, "instance": str(region.instance), "roadmap_id": region.roadmap_id}
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", json.dumps(args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench.child {mode} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _unpublish(app, roadmap_id: int) -> None:
    from roadmap.extensions import db
    from roadmap.models import Notice, Roadmap, Task
    from roadmap.models.task import refresh_tallies

    with app.app_context():
        db.session.execute(delete(Task).where(Task.roadmap_id == roadmap_id))
        refresh_tallies(db.session.connection(), {roadmap_id: None})
        db.session.execute(delete(Notice))
        db.session.execute(update(Roadmap).where(Roadmap.id == roadmap_id).values(status="draft", published_at=None))
        db.session.commit()


# The floor inserts exactly the columns generation inserts.
TASK_COLUMNS = INSERT_COLUMNS


def _insert_floor(app, roadmap_id: int) -> tuple[float, int]:
    """Copy the generated rows as the driver returns them, delete them, time one executemany."""
    from roadmap.extensions import db

    columns = ", ".join(TASK_COLUMNS)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            marker = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
            cursor = raw.cursor()
            cursor.execute(f"SELECT {columns} FROM task WHERE roadmap_id = {int(roadmap_id)} ORDER BY id")
            rows = cursor.fetchall()
            cursor.execute(f"DELETE FROM task WHERE roadmap_id = {int(roadmap_id)}")
            raw.commit()
            placeholders = ", ".join([marker] * len(TASK_COLUMNS))
            started = perf_counter()
            cursor = raw.cursor()
            cursor.executemany(f"INSERT INTO task ({columns}) VALUES ({placeholders})", rows)
            raw.commit()
            return perf_counter() - started, len(rows)
        finally:
            raw.close()


def generation(app, region: Region, repeat: int) -> tuple[Result, Result, Result]:
    """`generate` and `publish` of the draft (each in a child process) against one executemany of
    their rows, then `regenerate_noop`."""
    runs: dict[str, dict[str, list[float]]] = {mode: {"seconds": [], "memory": []} for mode in ("generate", "publish")}
    floors: list[float] = []
    added = 0
    for _ in range(repeat):
        for mode in ("generate", "publish"):
            _unpublish(app, region.roadmap_id)
            run = _child(region, mode)
            runs[mode]["seconds"].append(run["seconds"])
            runs[mode]["memory"].append(run["peak_rss_mb"])
            added = run["added"]
            if run["task_rows_written"] != added:
                raise AssertionError(f"{mode}: {added} tasks added but {run['task_rows_written']} rows inserted")
            floor, rows = _insert_floor(app, region.roadmap_id)
            if rows != added:
                raise AssertionError(f"{mode} floor: {rows} rows copied, {added} generated")
            floors.append(floor)
    floor = median(floors)
    generate, publish = (
        result(mode, region.backend, added, median(runs[mode]["seconds"]), floor, max(runs[mode]["memory"]))
        for mode in ("generate", "publish")
    )

    noop_seconds, noop_memory = [], []
    before = _task_checksum(app, region.roadmap_id)
    for _ in range(repeat):
        run = _child(region, "regenerate")
        if run["written"] != 0 or run["rows_written"] != 0 or run["write_statements"] != 0:
            raise AssertionError(f"regenerate_noop wrote: {run}")
        noop_seconds.append(run["seconds"])
        noop_memory.append(run["peak_rss_mb"])
    if _task_checksum(app, region.roadmap_id) != before:
        raise AssertionError("regenerate_noop changed the tasks")
    noop = result(
        "regenerate_noop", region.backend, before[0], median(noop_seconds), generate.seconds, max(noop_memory)
    )
    return generate, publish, noop


def _task_checksum(app, roadmap_id: int) -> tuple:
    from roadmap.extensions import db
    from roadmap.models import Task

    with app.app_context():
        return tuple(
            db.session.execute(
                select(
                    func.count(Task.id), func.sum(Task.version), func.sum(Task.sequence), func.max(Task.updated_at)
                ).where(Task.roadmap_id == roadmap_id)
            ).one()
        )


# --- 3, 4: feeds -----------------------------------------------------------------------------


def to_ical_floor(body: bytes) -> tuple[float, int]:
    """icalendar's own to_ical() of the same events, the Calendar built beforehand."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(body)
    events = len(calendar.walk("VEVENT"))
    return per_call(calendar.to_ical), events


def feeds(app, region: Region, repeat: int) -> list[Result]:
    return [
        *_feed(app, region, "feed_school", SCHOOL_TOKEN, repeat, with_304=True),
        *_feed(app, region, "feed_coordinator", COORDINATOR_TOKEN, repeat, with_304=False),
        _feed_after_report(app, region, "feed_coordinator_changed", COORDINATOR_TOKEN, repeat),
    ]


def _school_reports(region: Region, students: int) -> None:
    """The bench's school hands in a report on one of its tasks not yet handed in, through the
    workflow service (in an application context)."""
    from roadmap.extensions import db
    from roadmap.models import Task, TaskStatus, User
    from roadmap.tasks.workflow import ReportInput, submit_report

    author = db.session.scalars(select(User).where(User.login == "school")).one()
    task = db.session.scalars(
        select(Task)
        .where(
            Task.organization_id == region.school_id,
            Task.status.in_([TaskStatus.PLANNED, TaskStatus.RETURNED]),
            Task.is_cancelled.is_(False),
        )
        .order_by(Task.due_effective_on, Task.id)
        .limit(1)
    ).one()
    submit_report(task, author, ReportInput(coverage_total=students, coverage_students=students, comment="бенчмарк"))
    db.session.commit()


# Single renders, each right after its own change: more of them than of the batched timings.
CHANGED_SAMPLES = 5


def _feed_after_report(app, region: Region, name: str, token: str, repeat: int) -> Result:
    """The aggregated feed rendered right after a school hands in a report (through the workflow
    service, untimed): the feed's version changed, as it does on every submission in the region.
    Nothing is cleared: what the change left valid (the other roadmaps' rows, the unchanged
    events) is reused, as a serving worker would; the changed roadmap is grouped again."""
    url = f"/feeds/{token}.ics"
    client = app.test_client()
    previous = client.get(url)
    assert previous.status_code == 200, previous.status_code
    timings, floors, events = [], [], 0
    for run in range(max(repeat, 1) * CHANGED_SAMPLES):
        with app.app_context():
            _school_reports(region, 40 + run)
        started = perf_counter()
        response = client.get(url)
        timings.append(perf_counter() - started)
        assert response.status_code == 200 and response.headers["ETag"] != previous.headers["ETag"]
        previous = response
        if run < repeat:
            floor, events = to_ical_floor(response.data)
            floors.append(floor)
    return result(name, region.backend, events, median(timings), median(floors))


def _feed(app, region: Region, name: str, token: str, repeat: int, *, with_304: bool) -> list[Result]:

    url = f"/feeds/{token}.ics"
    first = app.test_client().get(url)
    if first.status_code != 200:
        raise AssertionError(f"{name}: {first.status_code} {first.data[:300]!r}")
    etag = first.headers["ETag"]

    def cold():
        _clear_feed_caches(app)
        response = app.test_client().get(url)
        assert response.status_code == 200 and response.data == first.data

    def warm():
        response = app.test_client().get(url)
        assert response.status_code == 200 and len(response.data) == len(first.data)

    def not_modified():
        response = app.test_client().get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304

    timings: dict[str, list[float]] = {"cold": [], "warm": [], "304": [], "floor": []}
    events = 0
    for _ in range(repeat):
        floor, events = to_ical_floor(first.data)
        timings["floor"].append(floor)
        timings["cold"].append(per_call(cold))
        cold()
        timings["warm"].append(per_call(warm))
        if with_304:
            timings["304"].append(per_call(not_modified))
    floor = median(timings["floor"])
    results = [
        result(name, region.backend, events, median(timings["cold"]), floor),
        result(f"{name}_warm", region.backend, events, median(timings["warm"]), floor),
    ]
    if with_304:
        results.append(result(f"{name}_304", region.backend, events, median(timings["304"]), floor))
    return results


COLD_MARGINAL_BUDGET = 25e-6
COLD_FIXED_BUDGET = 3e-3


def _clear_feed_caches(app) -> None:
    from roadmap.feeds import feed_cache
    from roadmap.feeds.query import occurrence_cache
    from roadmap.feeds.render import event_cache
    from roadmap.ical.builder import chunk_cache

    feed_cache(app).clear()
    occurrence_cache(app).clear()
    event_cache.clear()
    chunk_cache.clear()


def cold_feeds(app, backend: str, paths: dict[int, str], repeat: int) -> list[Result]:
    """An executor's feed of exactly N tasks, rendered cold (no cached body, no cached event
    chunk) through the app's handler, against icalendar's to_ical() of the same events; the
    marginal cost per event and the fixed cost from the two sizes.

    The sizes are timed in turn within each run, and the marginal and fixed costs computed per
    run (then their median): a pair measured moments apart shares the machine's state, where
    medians of separate series would let a slow spell of one size pass for a cost per event.
    """
    results = []
    # The whole feed, as in the comparison with Kanboard: no size bound narrows 2,000 events.
    bound, app.config["FEED_MAX_BYTES"] = app.config.get("FEED_MAX_BYTES"), 64 * 1024 * 1024
    try:
        sizes = sorted(paths)
        timers = {size: _cold_feed(app, size, paths[size]) for size in sizes}
        timings: dict[int, list[float]] = {size: [] for size in sizes}
        floors: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(repeat):
            for size in sizes:
                seconds, floor = timers[size]()
                timings[size].append(seconds)
                floors[size].append(floor)
    finally:
        app.config.pop("FEED_MAX_BYTES")
        if bound is not None:
            app.config["FEED_MAX_BYTES"] = bound
    for size in sizes:
        results.append(result(f"feed_cold_{size}", backend, size, median(timings[size]), median(floors[size])))
    small, big = sizes[0], sizes[-1]
    if big > small:
        marginals = [(b - s) / (big - small) for s, b in zip(timings[small], timings[big], strict=True)]
        fixed = [s - small * m for s, m in zip(timings[small], marginals, strict=True)]
        results.append(result("feed_cold_marginal", backend, big - small, median(marginals), COLD_MARGINAL_BUDGET))
        results.append(result("feed_cold_fixed", backend, small, median(fixed), COLD_FIXED_BUDGET))
    results.append(_cold_request(app, backend, repeat))
    return results


def _cold_request(app, backend: str, repeat: int) -> Result:
    """What of the fixed cost is the Flask request itself: `/healthz` through the same test
    client, timed the same way, as a share of the fixed budget (a reading, no target)."""

    def health():
        assert app.test_client().get("/healthz").status_code == 200

    seconds = median([per_call(health) for _ in range(repeat)])
    return result("feed_cold_request", backend, 1, seconds, COLD_FIXED_BUDGET)


def _cold_feed(app, size: int, path: str) -> Callable[[], tuple[float, float]]:
    """A timer of the feed's cold render: each call gives (seconds per render, to_ical floor)."""
    _clear_feed_caches(app)
    first = app.test_client().get(path)
    if first.status_code != 200 or first.data.count(b"BEGIN:VEVENT") != size:
        raise AssertionError(f"feed_cold_{size}: {first.status_code}, {first.data.count(b'BEGIN:VEVENT')} events")

    def cold():
        _clear_feed_caches(app)
        response = app.test_client().get(path)
        assert response.status_code == 200 and response.data == first.data

    def timed() -> tuple[float, float]:
        floor = to_ical_floor(first.data)[0]
        return per_call(cold), floor

    return timed


# --- 5: pages --------------------------------------------------------------------------------


class StatementLog:
    """Every statement sent to the driver while active, with its parameters."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, object]] = []
        self.active = False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.active:
            self.statements.append((statement, parameters))

    def aggregates(self) -> list[tuple[str, object]]:
        words = ("count(", "sum(", "group by")
        return [(s, p) for s, p in self.statements if any(w in s.lower() for w in words)]


def _replay(app, statements: list[tuple[str, object]]) -> Callable[[], None]:
    from roadmap.extensions import db

    def run() -> None:
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                raw.rollback()
            finally:
                raw.close()

    return run


@dataclass(frozen=True)
class Page:
    """A page scenario: who opens what. `measures` (of the roadmap shown) turns the dashboard's
    executor rows into the figure `n`; `refused` are paths the same user must not open (the scope
    of roadmap.tasks.access, checked once before timing)."""

    name: str
    login: str
    path: str
    measures: int
    refused: tuple[str, ...] = ()
    # Who is refused `refused` when it is not `login` itself (a page regional staff alone may open).
    refused_login: str | None = None


# The page scenarios, in order: one small function each, returning its Page (or None when the
# region has no such page, e.g. no municipal coordinator). Add one with @page and a TARGETS and
# FLOORS entry of the same name.
PAGES: list[Callable[[Region, date], Page | None]] = []


def page(fn: Callable[[Region, date], Page | None]) -> Callable[[Region, date], Page | None]:
    PAGES.append(fn)
    return fn


@page
def regional_dashboard(region: Region, today: date) -> Page:
    """The regional coordinator's dashboard of the regional roadmap."""
    return Page(
        "dashboard", region.coordinator_login, f"/roadmaps/{region.roadmap_id}?year={today.year}", region.measures
    )


@page
def regional_matrix(region: Region, today: date) -> Page:
    return Page(
        "matrix", region.coordinator_login, f"/roadmaps/{region.roadmap_id}/matrix?year={today.year}", region.measures
    )


@page
def municipal_dashboard(region: Region, today: date) -> Page | None:
    """The largest municipality's coordinator on their own roadmap; the regional roadmap is
    outside their territory."""
    if not region.municipal:
        return None
    login, roadmap_id, measures = region.municipal[0]
    regional = f"/roadmaps/{region.roadmap_id}?year={today.year}"
    return Page("dashboard_municipal", login, f"/roadmaps/{roadmap_id}?year={today.year}", measures, (regional,))


@page
def region_dashboard(region: Region, today: date) -> Page:
    """The regional coordinator's summary by municipality; a municipal coordinator is refused it."""
    path = f"/roadmaps/{region.roadmap_id}/municipalities?year={today.year}"
    if not region.municipal:
        return Page("region_dashboard", region.coordinator_login, path, region.measures)
    return Page("region_dashboard", region.coordinator_login, path, region.measures, (path,), region.municipal[0][0])


def pages(app, region: Region, repeat: int, today: date) -> list[Result]:
    from roadmap.extensions import db

    clients: dict[str, object] = {}
    results = []
    with app.app_context():
        log = StatementLog(db.engine)
    for make in PAGES:
        scenario = make(region, today)
        if scenario is None:
            continue
        client = _client(app, clients, scenario.login)
        refused_login = scenario.refused_login or scenario.login
        for path in scenario.refused:
            status = _client(app, clients, refused_login).get(path).status_code
            if status not in (403, 404):
                raise AssertionError(f"{scenario.name}: {refused_login} opened {path} ({status})")
        results.append(_time_page(app, client, log, region, scenario, repeat))
    return results


def _client(app, clients: dict[str, object], login: str):
    """A test client signed in as `login`, one per login for the whole run."""
    client = clients.get(login)
    if client is None:
        client = clients[login] = app.test_client()
        answer = client.post("/login", data={"login": login, "password": PASSWORD})
        if answer.status_code not in (302, 303):
            raise AssertionError(f"login of {login} failed: {answer.status_code}")
    return client


def _time_page(app, client, log: StatementLog, region: Region, scenario: Page, repeat: int) -> Result:
    log.statements.clear()
    log.active = True
    response = client.get(scenario.path)
    log.active = False
    if response.status_code != 200:
        raise AssertionError(f"{scenario.name}: {response.status_code}")
    floor_run = _replay(app, log.aggregates())
    shown = _page_size(scenario, response.get_data(as_text=True))

    def request():
        assert client.get(scenario.path).status_code == 200

    seconds, floors = [], []
    for _ in range(repeat):
        floors.append(per_call(floor_run))
        seconds.append(per_call(request))
    return result(scenario.name, region.backend, shown, median(seconds), median(floors))


def _page_size(scenario: Page, body: str) -> int:
    """Executors × measures the page shows."""
    if "/matrix" in scenario.path or "/municipalities" in scenario.path:
        executors = body.count('<th scope="col" title=')
        measures = body.count('<tr><th scope="row"')
        return executors * measures
    return len(re.findall(r"<tr><td>\d+</td>", body)) * scenario.measures


# --- import of big documents (issue 15) -------------------------------------------------------


def imports(root, scale: float, repeat: int) -> list[Result]:
    """A 10 MB CSV and DOCX of 3,000 measures (scaled down with --scale below 1), each read by
    `read_document` and by its floor in fresh child processes: seconds and peak RSS."""
    from bench.documents import big_csv, big_docx

    share = min(scale, 1.0)
    measures, size = max(50, round(3000 * share)), max(100_000, int(10 * 1024 * 1024 * share))
    results = []
    for kind, build in (("csv", big_csv), ("docx", big_docx)):
        path = root / f"big.{kind}"
        path.write_bytes(build(measures, target_bytes=size))
        runs, floors, peaks = [], [], []
        for _ in range(repeat):
            done = _import_child({"mode": "import", "path": str(path), "kind": kind})
            if done["count"] != measures:
                raise RuntimeError(f"import of {path.name} read {done['count']} measures, not {measures}")
            runs.append(done["seconds"])
            peaks.append(done["peak_rss_mb"])
            floors.append(_import_child({"mode": "import_floor", "path": str(path), "kind": kind})["seconds"])
        peak = median(peaks)
        if peak > IMPORT_MAX_RSS_MB:
            raise RuntimeError(f"reading {path.name} took {peak:.0f} MB, over {IMPORT_MAX_RSS_MB} MB")
        results.append(result(f"import_{kind}", "files", measures, median(runs), median(floors), peak))
    return results


def _import_child(args: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", json.dumps(args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench.child {args['mode']} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the deadline grammar in bulk (issue 19) --------------------------------------------------


def grammar(root, scale: float, repeat: int) -> list[Result]:
    """`python -m roadmap.cli.schedule --batch` on 10,000 phrases in a fresh process (bench/grammar.py)."""
    from bench.grammar import schedule_batch

    count, seconds, floor = schedule_batch(root, PROJECT_ROOT, scale, repeat)
    return [result("schedule_batch", "files", count, seconds, floor)]
