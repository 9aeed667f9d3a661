"""The benchmark harness at a tiny scale, so that `make bench` cannot rot: every scenario prints a
sane line and regeneration writes nothing. No timing assertions: the numbers live in
docs/performance.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.scenarios import ABSOLUTE_TARGETS, TARGETS

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "generate",
    "publish",
    "regenerate_noop",
    "feed_school",
    "feed_school_warm",
    "feed_school_304",
    "feed_coordinator",
    "feed_coordinator_warm",
    "feed_coordinator_changed",
    "feed_cold_200",
    "feed_cold_2000",
    "feed_cold_marginal",
    "feed_cold_fixed",
    "feed_cold_request",
    "feed_shared_renders",
    "feed_shared_alone",
    "feed_shared_change",
    "feed_shared_change_max",
    "feed_shared_warm",
    "dashboard",
    "matrix",
    "dashboard_municipal",
    "region_dashboard",
    "http_health",
    "http_feed_warm",
    "http_feed_304",
    "import_csv",
    "import_docx",
    "http_import_upload",
    "http_import_review",
    "http_import_publish",
    "schedule_batch",
    *(f"export_{fmt}_{scale}" for fmt in ("docx", "xlsx", "csv", "docx_redrawn") for scale in ("demo", "region")),
    "export_docx_cold",
}
KEYS = {"scenario", "backend", "n", "seconds", "floor_seconds", "ratio", "peak_rss_mb"}


def test_every_scenario_prints_a_sane_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_DATABASE_URL", "DATABASE_URL")}
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "0.02", "--repeat", "1", "--backend", "sqlite"]
        + ["--min-run", "0.01", "--http-seconds", "0.3", "--workdir", str(tmp_path), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # every group at a tiny scale; a hang fails instead of stalling CI
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert {line["scenario"] for line in lines} == SCENARIOS
    for line in lines:
        assert set(line) == KEYS, line
        if line["scenario"] == "feed_shared_renders":
            # A count, not a time: renders by 4 gunicorn workers per change (the run fails unless 1).
            assert line["n"] > 0 and line["ratio"] == 1.0 and line["floor_seconds"] is None, line
            continue
        assert line["backend"] == ("files" if line["scenario"].startswith(("import_", "schedule_")) else "sqlite")
        # feed_cold_marginal and _fixed are a slope and an intercept of two timings: at this tiny scale
        # noise can put them a little below zero, which is a reading, not a broken harness.
        extrapolated = line["scenario"] in ("feed_cold_fixed", "feed_cold_marginal")
        # export_docx_cold is a reading with no budget (what the warm-up spares the first request).
        unbudgeted = line["scenario"] in ("http_health", "export_docx_cold", "feed_cold_request", "feed_shared_alone")
        assert (line["n"] > 0 or line["scenario"] == "export_docx_cold") and (extrapolated or line["seconds"] > 0), line
        if line["scenario"] in ABSOLUTE_TARGETS or unbudgeted:
            assert line["floor_seconds"] is None or line["floor_seconds"] > 0, line
        else:
            assert line["floor_seconds"] > 0 and (extrapolated or line["ratio"] > 0), line
            assert abs(line["ratio"] - line["seconds"] / line["floor_seconds"]) < 0.01 * abs(line["ratio"]) + 1e-3
        assert line["scenario"] in {**TARGETS, **ABSOLUTE_TARGETS} or unbudgeted
    by_name = {line["scenario"]: line for line in lines}
    # regenerate_noop asserts zero rows written itself (the run fails otherwise) and covers every task.
    assert by_name["regenerate_noop"]["n"] == by_name["generate"]["n"] == by_name["publish"]["n"]
    assert by_name["generate"]["peak_rss_mb"] is not None
    assert by_name["feed_school"]["n"] == by_name["feed_school_warm"]["n"]
    assert (by_name["feed_cold_200"]["n"], by_name["feed_cold_2000"]["n"]) == (200, 2000)
    text = out.read_text(encoding="utf-8")
    assert "| regenerate_noop | sqlite |" in text and "## Machine" in text
