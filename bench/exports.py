"""The report exports (issue 21): DOCX, XLSX and CSV of a whole roadmap, at demo scale and at the
region's (1,000 schools at --scale 1), each timed right after a change that alters the figures:
a school hands in a report with participants (`change_figures`), so the statuses, progress,
executors, coverage and year-comparison charts are drawn again, as a coordinator waits for them;
pictures whose figures did not change come from the renderer's cache, as they would.
`export_docx_redrawn_demo` (and `_region`) clears that cache too: every picture drawn.

Targets are absolute: under 1 s at demo scale, under 10 s at region scale. `export_docx_cold`
is the first DOCX of a fresh process that did not warm the renderer up (as `flask run` does),
also right after a change; under gunicorn the master warms it up before forking
(gunicorn.conf.py), so no request pays the imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from time import perf_counter

FORMATS = ("docx", "xlsx", "csv")
DEMO_DATABASE = "bench.sqlite3"  # the name bench.region.bench_database_url gives a SQLite file


def _clear_chart_caches() -> None:
    from roadmap.reports import charts

    charts.to_png.cache_clear()
    charts.to_svg.cache_clear()


def change_figures(roadmap_id: int, run: int) -> None:
    """A school hands in a report with participants for a task of the current plan year, through
    the workflow service: the month's coverage and the year comparison change, and for a task
    that was planned its status, the section's progress and the executors' ranking too (in an
    application context)."""
    from sqlalchemy import select

    from roadmap.extensions import db
    from roadmap.models import Organization, OrgKind, Roadmap, Role, Task, TaskStatus, User
    from roadmap.reports.service import build_scope
    from roadmap.tasks.workflow import ReportInput, submit_report

    roadmap = db.session.get(Roadmap, roadmap_id)
    scope = build_scope(roadmap)
    task, author = db.session.execute(
        select(Task, User)
        .join(Organization, Organization.id == Task.organization_id)
        .join(User, (User.organization_id == Task.organization_id) & (User.role == Role.EXECUTOR))
        .where(
            Task.roadmap_id == roadmap_id,
            Task.plan_year == scope.plan_year,
            Task.status != TaskStatus.ACCEPTED,
            Task.is_cancelled.is_(False),
            Organization.kind == OrgKind.SCHOOL,
        )
        .order_by(Task.status != TaskStatus.PLANNED, Task.id)  # a planned one first: its status changes too
        .limit(1)
    ).first()
    students = 40 + 7 * run
    submit_report(
        task,
        author,
        ReportInput(coverage_total=students + 10, coverage_students=students, coverage_parents=10, comment="бенчмарк"),
    )
    db.session.commit()


def time_exports(app, roadmap_id: int, repeat: int) -> dict[str, tuple[float, int]]:
    """fmt → (median seconds of `roadmap_export` right after `change_figures`, size in bytes);
    and "docx_redrawn": the DOCX with every picture drawn (the renderer's cache cleared)."""
    from statistics import median

    from roadmap.extensions import db
    from roadmap.models import Roadmap
    from roadmap.reports.charts import warm_up
    from roadmap.reports.service import build_scope, roadmap_export

    results = {}
    # What is timed is drawing: no Redis store of pictures (roadmap.reports.pictures) in between.
    app.config["CHART_SHARED_CACHE"] = False
    app.extensions.pop("roadmap.reports.pictures", None)
    with app.app_context():
        warm_up()
        runs_done = 0
        for fmt in (*FORMATS, "docx_redrawn"):
            runs, size = [], 0
            for _ in range(repeat):
                change_figures(roadmap_id, runs_done)
                runs_done += 1
                if fmt == "docx_redrawn":
                    _clear_chart_caches()
                roadmap = db.session.get(Roadmap, roadmap_id)
                started = perf_counter()
                size = len(roadmap_export(roadmap, build_scope(roadmap), fmt.split("_")[0]).data)
                runs.append(perf_counter() - started)
            results[fmt] = (median(runs), size)
    return results


def build_demo(root: Path):
    """A migrated SQLite database with the demo (`flask demo`); returns (app, roadmap id)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from bench.region import bench_database_url, make_app
    from roadmap.demo import load_demo
    from roadmap.extensions import db
    from roadmap.models import Roadmap, RoadmapStatus

    instance = root / "demo"
    instance.mkdir(parents=True, exist_ok=True)
    app = make_app(bench_database_url("sqlite", instance), instance)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        load_demo()
        db.session.commit()
        roadmap_id = db.session.scalars(select(Roadmap.id).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
    return app, roadmap_id


def cold_docx(root: Path, project_root: Path, run: int) -> float:
    """Seconds of the first DOCX export in a fresh process, matplotlib not yet imported."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", json.dumps({"mode": "export_cold", "root": str(root), "run": run})],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench.child export_cold failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def export_cold_child(args: dict) -> dict:
    """In the child: open the demo database built by the parent, hand in a report (untimed), then
    export one DOCX and report its time."""
    from sqlalchemy import select

    from bench.region import make_app
    from roadmap.extensions import db
    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.reports.service import build_scope, roadmap_export

    instance = Path(args["root"]) / "demo"
    app = make_app(f"sqlite:///{instance / DEMO_DATABASE}", instance)
    app.config["CHART_SHARED_CACHE"] = False  # every changed picture drawn here, as in time_exports
    with app.app_context():
        roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
        change_figures(roadmap.id, int(args.get("run", 0)))
        started = perf_counter()
        size = len(roadmap_export(roadmap, build_scope(roadmap), "docx").data)
        return {"seconds": perf_counter() - started, "bytes": size}


def exports(app, region, root: Path, project_root: Path, repeat: int, *, with_demo: bool = True) -> list:
    """The results: `export_<fmt>_region`, and (once per run) `export_<fmt>_demo` and
    `export_docx_cold` on a SQLite demo database."""
    from bench.scenarios import result

    results = []
    if with_demo:
        demo_app, demo_roadmap = build_demo(root)
        results += [
            result(f"export_{fmt}_demo", "sqlite", size, seconds, None)
            for fmt, (seconds, size) in time_exports(demo_app, demo_roadmap, repeat).items()
        ]
        with demo_app.app_context():
            from roadmap.extensions import db

            db.engine.dispose()
        cold = sorted(cold_docx(root, project_root, 1000 + run) for run in range(max(1, min(repeat, 3))))
        results.append(result("export_docx_cold", "sqlite", 0, cold[len(cold) // 2], None))
    for fmt, (seconds, size) in time_exports(app, region.roadmap_id, repeat).items():
        results.append(result(f"export_{fmt}_region", region.backend, size, seconds, None))
    return results
