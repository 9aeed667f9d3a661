"""docs/performance.md: the machine, the table of every scenario against its target, how to rerun."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import datetime
from pathlib import Path

from bench.scenarios import ABSOLUTE_TARGETS, FLOORS, TARGETS, Result


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GB"
    except OSError:
        pass
    return "unknown"


def machine(infos: dict[str, dict], load_before: tuple, load_after: tuple) -> dict[str, str]:
    values = {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count()),
        "RAM": _ram_gb(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "Load average (1/5/15 min) before → after": (
            " / ".join(f"{v:.2f}" for v in load_before) + " → " + " / ".join(f"{v:.2f}" for v in load_after)
        ),
    }
    if "postgresql" in infos:
        values["PostgreSQL"] = infos["postgresql"].get("postgresql", "?")
    for backend, info in infos.items():
        values[f"Region built ({backend})"] = f"{info['region_seconds']:.2f} s (migrations + bulk inserts)"
    return values


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.2f} ms"


def _verdict(item: Result) -> str:
    if item.scenario in ABSOLUTE_TARGETS:
        return "yes" if item.seconds <= ABSOLUTE_TARGETS[item.scenario] else "**no**"
    target = TARGETS.get(item.scenario)
    if target is None or item.ratio is None:
        return ""
    return "yes" if item.ratio <= target else "**no**"


def _target(item: Result) -> str:
    if item.scenario in ABSOLUTE_TARGETS:
        return f"≤ {ABSOLUTE_TARGETS[item.scenario]:g} s"
    target = TARGETS.get(item.scenario)
    if target is None:
        return "—"
    if item.scenario.startswith("http_"):
        return f"≥ {100 / target:.0f}% of health rps"
    return f"≤ {target:g}"


def _ratio(item: Result) -> str:
    if item.ratio is None:
        return "—"
    if item.scenario.startswith("http_"):
        return f"{100 / item.ratio:.0f}% ({1 / item.seconds:.0f} rps)"
    return f"{item.ratio:.3f}"


def table(results: list[Result]) -> list[str]:
    lines = [
        "| scenario | backend | n | seconds | floor | ratio | target | met | peak RSS |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for item in results:
        seconds = _seconds(item.seconds)
        if item.scenario == "http_health":
            seconds += f" ({1 / item.seconds:.0f} rps)"
        rss = f"{item.peak_rss_mb:.0f} MB" if item.peak_rss_mb is not None else "—"
        lines.append(
            f"| {item.scenario} | {item.backend} | {item.n} | {seconds} | {_seconds(item.floor_seconds)} | "
            f"{_ratio(item)} | {_target(item)} | {_verdict(item)} | {rss} |"
        )
    return lines


def write_report(path: Path, results: list[Result], facts: dict[str, str], args) -> None:
    command = f"python -m bench --scale {args.profile.label} --repeat {args.repeat} --backend {args.backend}"
    lines = [
        "# Performance at region scale",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Every figure is the median of",
        f"{args.repeat} runs, each scenario timed next to its floor in the same run (issue 9).",
        "",
        f"Run: `{command}` on {datetime.now().strftime('%Y-%m-%d %H:%M')}.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        "",
        "The machine is shared with other engineers' test runs: compare ratios, which are measured",
        "in the same minute as their floors, rather than absolute times across runs.",
        "",
        "## Results",
        "",
        *table(results),
        "",
        "## Floors",
        "",
        *[f"- `{name}`: {text}" for name, text in FLOORS.items()],
        "",
        "## What is measured",
        "",
        *METHOD,
        "",
        "## Where the time goes, and what keeps it there",
        "",
        *DESIGN,
        "",
        "## How to reproduce",
        "",
        "```sh",
        "make bench                                          # SQLite only, scale 1.0",
        "BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\",
        "  make bench BENCH_ARGS='--backend all --out docs/performance.md'",
        ".venv/bin/python -m bench --scale 0.1 --repeat 1   # a quick look while developing",
        "```",
        "",
        "PostgreSQL runs in its own database `roadmap_bench`, dropped and created by the harness through",
        "the server named in `BENCH_DATABASE_URL`; the test suite's database is never touched.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


METHOD = [
    "- The region: 1,000 schools in 20 municipalities and 100 other organizations; one roadmap of 60",
    "  measures over three calendar years with today in the middle one; 25 measures for every school",
    "  (a dynamic group), 10 for the schools of two municipalities each, 25 for departments,",
    "  colleges, pre-schools, additional education and the centre; about 110,000 tasks. A fresh",
    "  database migrated with `flask db upgrade`, filled with bulk Core inserts. `--scale region`",
    "  (issue 20): Krasnodar Krai's 44 municipalities, 1,700 schools, 300 other organizations, the",
    "  municipal measures for the schools of 16 municipalities each: about 250,000 tasks of the",
    "  regional roadmap (bench/region.py; docs/scaling.md for the runs at several sizes).",
    "- `generate`: the draft marked published and `generate_tasks` run, in a fresh child process",
    "  (its peak RSS over its own baseline is the memory column), committed. `publish`: the whole",
    "  `publish_roadmap` the same way (review of every measure, generation, notices to executors).",
    "  The floor copies the generated rows as the driver returns them, deletes them and inserts",
    "  them again with one `executemany` on the raw driver connection. The holiday tables are",
    "  imported before the clock starts, as in a server process that has served a request.",
    "- `regenerate_noop`: `generate_tasks` again in a child process; the run fails unless",
    "  `GenerationResult.written == 0`, the driver reports no INSERT/UPDATE/DELETE at all, and the",
    "  tasks' count, version and sequence sums and last update are unchanged.",
    "- Before the feeds, past tasks are aged (most accepted, some submitted or returned) with Core",
    "  UPDATEs that advance the roadmap's change counter, as the application's writers do; on",
    "  PostgreSQL the harness then runs `VACUUM ANALYZE`, as autovacuum would after such a change.",
    "- Feeds go through the app's handler (the Flask test client requesting `/feeds/<token>.ics`)",
    "  with the subscription's window set to the whole three years and every status. Cold: the",
    "  feed cache cleared before each request (the process and SQLAlchemy's statement cache are",
    "  warm). Warm: a new client, no validators. 304: `If-None-Match` with the ETag. The floor",
    "  parses the served body into `icalendar` objects beforehand and times `Calendar.to_ical()`.",
    "  Cold clears every feed cache: the bodies, the events kept by their rows, the rendered",
    "  chunks kept by their events and the aggregated rows kept per roadmap (issue 18): the",
    "  regional feed counts every roadmap's tallies and reads those near today (migration 0022).",
    "- `feed_coordinator_changed` (issues 18, 20): the regional coordinator's aggregated feed right",
    "  after the bench's school hands in a report through the workflow service (untimed), as after",
    "  every submission in the region: nothing cleared, so what the change left valid is reused (the",
    "  other roadmaps' rows near today, the unchanged events), and the roadmap the report changed",
    "  is read again (a feed that reads every occurrence: the measure, from the change log). The",
    "  median of five single requests per run,",
    "  each after its own report; the floor is `to_ical()` of the feed after the change.",
    "- `feed_cold_200`, `feed_cold_2000` (issue 18): an executor's feed of exactly 200 and 2,000",
    "  one-date tasks (a roadmap per size for one organization, dates over today-30 .. today+150",
    "  as in the comparison with Kanboard), the size bound lifted, cold as above. `feed_cold_marginal`",
    "  is (cold 2,000 - cold 200) / 1,800 against a budget of 25 µs per event; `feed_cold_fixed` is",
    "  cold 200 - 200 × marginal against 3 ms. These two are absolute times: on a shared machine",
    "  read them with the load average above. The fixed cost holds the Flask request itself (the",
    "  test client, routing, the request context): `feed_cold_request` times `/healthz` the same way",
    "  and gives its share of the 3 ms. The rest is the subscription and version query, the rows'",
    "  query and the calendar head (its VTIMEZONE is generated once per process). A task's event is",
    "  written straight from its row (instants formatted by the database, no record per task), so",
    "  the marginal cost is the row's reading and writing.",
    "- `dashboard` and `matrix`: the coordinator's pages for the current plan year through the test",
    "  client (server time, template included). The floor replays the page's aggregate statements",
    "  (those with COUNT, SUM or GROUP BY, captured from the request) through the raw driver.",
    "  `n` is executors shown × measures. The coordinator is regional (the whole region);",
    "  `dashboard_municipal` is the first municipality's coordinator on their own roadmap (the",
    "  regional measures for schools, for the municipality's schools), after checking that the",
    "  regional roadmap is refused to them. `region_dashboard` is the regional coordinator's summary by",
    "  municipality (ranking and the measures × municipalities matrix; `n` is municipalities × measures),",
    "  after checking that a municipal coordinator is refused it. Each page scenario is one function in",
    "  `bench.scenarios.PAGES`.",
    "- `http`: gunicorn, two sync workers, on 127.0.0.1; a Python load generator (2 processes × 2",
    "  threads, http.client) requests `/healthz`, the school's feed without validators and with",
    "  `If-None-Match`, in rotation for a fixed time each. Client and server share the CPU, so",
    "  these shares are the figures most sensitive to other load on the machine: compare them with",
    "  the load average above.",
    "- `import_csv`, `import_docx` (issue 15): a CSV and a DOCX of 3,000 measures padded to 10 MB",
    "  (a «Примечание» column; the DOCX written with Word-like runs, about 55 MB of XML), built by",
    "  `bench/documents.py`, each read by `read_document` in a fresh child process; the memory",
    "  column is that process's own peak RSS (VmHWM) over its baseline, and the run fails above",
    "  250 MB. The floor reads the same file with the library alone in the same way.",
    "- The measure limit: `MAX_MEASURES = 5000` in `roadmap/importers/document.py`; a document with",
    "  more is refused naming it. Measured through the Flask client on this machine: 3,000 measures",
    "  import in 2.6-4.3 s, a review page in 0.8 s (0.5 MB), publish in 2.7-5 s (SQLite); 5,000",
    "  import in 3.8 s and publish in 4.7 s (SQLite), 5.3 s and 10.1 s (PostgreSQL, DOCX); 10,000",
    "  took 64 s to publish (SQLite, machine shared), over gunicorn's 60 s timeout. The review page shows 100 measures a page.",
]

DESIGN = [
    "- Feed versions (ETags) are cheap reads, not scans. An aggregated feed (coordinators,",
    "  observers) reads its roadmaps' change counter `roadmap.feed_version`, which every flush",
    "  touching a task, measure or section advances with one UPDATE (an `after_flush` listener in",
    "  `roadmap/models/task.py`) and bulk generation advances itself. A per-task feed (a school)",
    "  aggregates its own tasks from the covering index `ix_task_org_due` plus the visible",
    "  roadmaps' `updated_at`, which measure and section edits touch.",
    "- A poll is one query: the token, its user, organization and roadmap, and the version of the",
    "  inputs this process resolved for the token last time, read together on an autocommit",
    "  connection (no ORM objects, no session, no BEGIN/ROLLBACK); the guessed version is used",
    "  only when the subscription resolves to the same inputs again. A 304 ends there; a warm",
    "  request takes the body from the in-process cache keyed by the version.",
    "- Cold aggregated feeds: counts per occurrence and status grouped in the order of the covering",
    "  index `ix_task_occurrence` (no sort, no table visits), measures and roadmaps read apart. Each",
    "  event is rendered at most once; narrowing to the 512 KB bound picks rendered events, and a",
    "  lower bound of each event's size proves the whole feed too big without rendering what it",
    "  will drop. The text is written directly from plain records, one escaping and folding pass",
    "  per value, byte-identical to icalendar's `to_ical()` (tests/ical/test_writer.py); events",
    "  are kept by their rows and chunks by their events, so a rebuild after one report renders",
    "  one event; with REDIS_URL the body is shared by every worker (one render per version).",
    "- Aggregated rows are kept per roadmap, filter and measure, with the roadmap's counter and last",
    "  edit they were made at. Every counter advance logs the measures whose tasks it changed",
    "  (`feed_change`, written by the same `after_flush` listener; a bulk write or an edit logs",
    "  \"anything\"), so after a school's report the feed groups that one measure's tasks again, not",
    "  the region's 250,000; a gap in the log or an edit groups the roadmap whole. The windows the",
    "  size bound narrows to are nested: when the narrowest does not fit, the nearest deadlines are",
    "  chosen straight away.",
    "- `regenerate_noop`: the two proof queries read `ix_task_occurrence` and the unique",
    "  (measure, organization, occurrence) index in their order; group members are indexed by kind",
    "  and place once instead of scanning every organization per group.",
    "- `task(roadmap_id, plan_year)`: dashboards and matrices of one plan year search it (EXPLAIN on",
    "  SQLite: `SEARCH task USING INDEX ix_task_roadmap_year (roadmap_id=? AND plan_year=?)`; on",
    "  PostgreSQL a bitmap index scan instead of a sequential scan of the task table).",
]
