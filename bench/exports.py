"""The report exports (issue 21): DOCX, XLSX and CSV of a whole roadmap, at demo scale and at the
region's (1,000 schools at --scale 1), each timed with the chart pictures drawn anew every run
(the renderer's cache cleared), so the figure is what a coordinator waits for after a change.

Targets are absolute: under 1 s at demo scale, under 10 s at region scale. `export_docx_cold`
is the first DOCX of a fresh process that did not warm the renderer up (as `flask run` does);
under gunicorn the master warms it up before forking (gunicorn.conf.py), so no request pays it.
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


def time_exports(app, roadmap_id: int, repeat: int) -> dict[str, tuple[float, int]]:
    """fmt → (median seconds of `roadmap_export`, size in bytes), charts drawn anew each run."""
    from statistics import median

    from roadmap.extensions import db
    from roadmap.models import Roadmap
    from roadmap.reports.charts import warm_up
    from roadmap.reports.service import build_scope, roadmap_export

    results = {}
    with app.app_context():
        warm_up()
        roadmap = db.session.get(Roadmap, roadmap_id)
        scope = build_scope(roadmap)
        for fmt in FORMATS:
            runs, size = [], 0
            for _ in range(repeat):
                _clear_chart_caches()
                started = perf_counter()
                size = len(roadmap_export(roadmap, scope, fmt).data)
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


def cold_docx(root: Path, project_root: Path) -> float:
    """Seconds of the first DOCX export in a fresh process, matplotlib not yet imported."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", json.dumps({"mode": "export_cold", "root": str(root)})],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench.child export_cold failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def export_cold_child(args: dict) -> dict:
    """In the child: open the demo database built by the parent, export one DOCX, report time."""
    from sqlalchemy import select

    from bench.region import make_app
    from roadmap.extensions import db
    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.reports.service import build_scope, roadmap_export

    instance = Path(args["root"]) / "demo"
    app = make_app(f"sqlite:///{instance / DEMO_DATABASE}", instance)
    with app.app_context():
        roadmap = db.session.scalars(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED)).first()
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
        cold = sorted(cold_docx(root, project_root) for _ in range(max(1, min(repeat, 3))))
        results.append(result("export_docx_cold", "sqlite", 0, cold[len(cold) // 2], None))
    for fmt, (seconds, size) in time_exports(app, region.roadmap_id, repeat).items():
        results.append(result(f"export_{fmt}_region", region.backend, size, seconds, None))
    return results
