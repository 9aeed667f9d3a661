"""`python -m bench`: build the region per backend, run the scenarios, print JSON lines, write the doc."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from time import perf_counter

from bench import scenarios
from bench.region import (
    Region,
    age_tasks,
    bench_database_url,
    build_region,
    build_sized_feeds,
    make_app,
    profile_of,
)
from bench.report import machine, write_report
from bench.scenarios import Result, feeds, generation, pages


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        default="1",
        help="1.0 = 1,000 schools, about 110,000 tasks; region = the issue's region (44 municipalities, 1,700"
        " schools, 300 other organizations, about 250,000 tasks); region:K = that region K times over",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "all"),
        default=None,
        help="default: all when BENCH_DATABASE_URL is set, else sqlite",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="write the Markdown table here (e.g. docs/performance.md)"
    )
    parser.add_argument("--http-seconds", type=float, default=None, help="load per endpoint and run (default by scale)")
    parser.add_argument(
        "--only",
        default="generate,feeds,pages,http,shared_feeds,import,http_import,grammar,exports",
        help="comma-separated groups to run: generate, feeds, pages, http, shared_feeds (4 gunicorn workers and"
        " Redis), import, http_import, grammar, exports (default: all)",
    )
    parser.add_argument(
        "--min-run",
        type=float,
        default=scenarios.MIN_RUN_SECONDS,
        help="a run of a fast request lasts at least this many seconds (mean per call)",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where the SQLite file and logs go")
    args = parser.parse_args(argv)
    if args.backend is None:
        args.backend = "all" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        args.profile = profile_of(args.scale)
    except ValueError:
        parser.error(f"--scale: a positive number, region or region:K, not {args.scale!r}")
    # The size-dependent groups (http time, import documents, grammar) read a number: the
    # profile's schools per thousand.
    args.scale = args.profile.schools / 1000
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_backend(backend: str, args: argparse.Namespace, root: Path, today: date) -> tuple[list[Result], dict]:
    instance = root / backend
    instance.mkdir(parents=True, exist_ok=True)
    url = bench_database_url(backend, root)
    app = make_app(url, instance)
    started = perf_counter()
    ids = build_region(app, args.profile.label, today)
    built = perf_counter() - started
    log(
        f"[{backend}] region {args.profile.label} built in {built:.2f}s ({ids['municipalities']} municipalities,"
        f" {ids['executors']} organizations, {ids['measures']} measures)"
    )
    region = Region(
        url=url,
        backend=backend,
        instance=instance,
        roadmap_id=ids["roadmap_id"],
        school_id=ids["school_id"],
        coordinator_login="coordinator",
        executors=ids["executors"],
        measures=ids["measures"],
        municipal=ids["municipal"],
        municipalities=ids["municipalities"],
    )
    results: list[Result] = []

    def emit(items: list[Result]) -> None:
        for item in items:
            print(item.line(), flush=True)
        results.extend(items)

    only = set(args.only.split(","))
    if "generate" in only:
        emit(list(generation(app, region, args.repeat)))
    else:
        _publish(app, region)
    age_tasks(app, [region.roadmap_id, *(roadmap_id for _login, roadmap_id, _n in region.municipal)], today)
    if "feeds" in only:
        emit(feeds(app, region, args.repeat))
        emit(scenarios.cold_feeds(app, backend, build_sized_feeds(app, today), args.repeat))
    if "pages" in only:
        emit(pages(app, region, args.repeat, today))
    if "http" in only:
        from bench.httpload import http_load

        seconds = args.http_seconds if args.http_seconds is not None else max(0.5, min(3.0, 3.0 * args.scale))
        emit(http_load(region, args.repeat, seconds))
    if "shared_feeds" in only:
        from bench.sharedfeeds import shared_feeds

        emit(shared_feeds(app, region, args.repeat))
    if "http_import" in only:
        from bench.http_import import http_import

        emit(http_import(region, args.repeat, args.scale))
    if "exports" in only:
        from bench.exports import exports
        from bench.region import PROJECT_ROOT

        with_demo = backend == "sqlite" or args.backend == "postgresql"  # the demo once per run
        emit(exports(app, region, root, PROJECT_ROOT, args.repeat, with_demo=with_demo))
    info = {"region_seconds": built, **_server_version(app)}
    with app.app_context():
        from roadmap.extensions import db

        db.engine.dispose()
    return results, info


def _publish(app, region: Region) -> None:
    from roadmap.extensions import db
    from roadmap.models import Roadmap
    from roadmap.plans.service import publish_roadmap

    with app.app_context():
        publish_roadmap(db.session.get(Roadmap, region.roadmap_id), None)
        db.session.commit()


def _server_version(app) -> dict:
    from sqlalchemy import text

    from roadmap.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            return {"postgresql": db.session.execute(text("SHOW server_version")).scalar()}
        return {}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios.MIN_RUN_SECONDS = args.min_run
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    today = date.today()
    load_before = os.getloadavg()
    all_results: list[Result] = []
    infos: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="roadmap-bench-") as tmp:
        root = args.workdir or Path(tmp)
        for backend in backends:
            results, info = run_backend(backend, args, root, today)
            all_results += results
            infos[backend] = info
        if "import" in set(args.only.split(",")):
            # Reading files touches no database: once, whatever the backends.
            for item in scenarios.imports(root, args.scale, args.repeat):
                print(item.line(), flush=True)
                all_results.append(item)
        if "grammar" in set(args.only.split(",")):
            for item in scenarios.grammar(root, args.scale, args.repeat):
                print(item.line(), flush=True)
                all_results.append(item)
    if args.out:
        write_report(args.out, all_results, machine(infos, load_before, os.getloadavg()), args)
        log(f"wrote {args.out}")
    return 0
