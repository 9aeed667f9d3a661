"""One generation in a fresh process, so that its time and peak memory are its own.

Run by the harness as `python -m bench.child '{"mode": ..., "url": ..., ...}'`; prints one JSON
object: seconds, the GenerationResult counts, the number of rows the database reported written,
and the peak resident memory the generation added to the process.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from time import perf_counter

from sqlalchemy import event


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements and the rows the driver says they touched."""

    def __init__(self, engine) -> None:
        self.statements = 0
        self.rows = 0
        self.by_table: dict[str, int] = {}
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb not in ("INSERT", "UPDATE", "DELETE"):
            return
        self.statements += 1
        count = max(cursor.rowcount, 0)
        self.rows += count
        table = words[2] if verb in ("INSERT", "DELETE") else words[1]
        self.by_table[table] = self.by_table.get(table, 0) + count


def read_floor(data: bytes, kind: str) -> int:
    """The same file read with the library alone: csv records, or the DOCX XML's text runs
    streamed with lxml iterparse and cleared. Returns how many records/runs it saw."""
    if kind == "csv":
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    import io
    import zipfile

    from lxml import etree

    runs = 0
    with zipfile.ZipFile(io.BytesIO(data)).open("word/document.xml") as member:
        tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        for _, element in etree.iterparse(member, events=("end",), tag=(tag + "t", tag + "tr")):
            runs += 1
            if element.tag == tag + "tr":
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    return runs


def hwm_rss_mb() -> float:
    """This process's own peak RSS. ru_maxrss keeps the parent's peak across fork and exec, so
    a child started by a harness that has just built a big file would report the harness's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def run_import(args: dict) -> dict:
    """Read one big document (mode "import") or its floor (mode "import_floor")."""
    data = Path(args["path"]).read_bytes()
    from roadmap.importers import read_document

    baseline = current_rss_mb()
    started = perf_counter()
    if args["mode"] == "import":
        count = len(read_document(data, Path(args["path"]).name).measures)
    else:
        count = read_floor(data, args["kind"])
    seconds = perf_counter() - started
    return {"seconds": seconds, "count": count, "peak_rss_mb": hwm_rss_mb() - baseline}


def run(args: dict) -> dict:
    if args["mode"] in ("import", "import_floor"):
        return run_import(args)
    if args["mode"] == "export_cold":
        from bench.exports import export_cold_child

        return export_cold_child(args)
    # The production calendar's holiday tables are imported on first use; a server process has
    # them already, so the import is not part of the clock.
    import holidays.countries  # noqa: F401

    from bench.region import make_app
    from roadmap.extensions import db
    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.plans.service import publish_roadmap
    from roadmap.tasks.service import generate_tasks

    app = make_app(args["url"], Path(args["instance"]))
    with app.app_context():
        roadmap = db.session.get(Roadmap, args["roadmap_id"])
        counter = WriteCounter(db.engine)
        counter.statements = counter.rows = 0
        baseline = current_rss_mb()
        started = perf_counter()
        if args["mode"] == "publish":
            result = publish_roadmap(roadmap, None).result
        elif args["mode"] == "generate":
            # What publishing does for the tasks, without the review and the notices around it.
            roadmap.status = RoadmapStatus.PUBLISHED
            result = generate_tasks(roadmap)
        else:
            result = generate_tasks(roadmap)
        db.session.commit()
        seconds = perf_counter() - started
        peak = peak_rss_mb()
    return {
        "seconds": seconds,
        "added": result.added,
        "written": result.written,
        "unchanged": result.unchanged,
        "write_statements": counter.statements,
        "rows_written": counter.rows,
        "task_rows_written": counter.by_table.get("task", 0),
        "peak_rss_mb": peak - baseline,
        "process_peak_rss_mb": peak,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
